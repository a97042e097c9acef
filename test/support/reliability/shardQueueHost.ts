// The Functions host's queue trigger for the audit's shards, in the test process: the real queue on Azurite,
// host.json's maxDequeueCount and message encoding, and the local host's own decisions after a failure
// (emulator/host/queueMessage.ts: release the message, or copy it to `<queue>-poison` once it was dequeued
// maxDequeueCount times). The local host's listener cannot be used here as is: it builds its storage clients
// without the emulator's CA (the host process trusts it through NODE_EXTRA_CA_CERTS).
import { QueueServiceClient, type DequeuedMessageItem, type StoragePipelineOptions } from "@azure/storage-queue";
import { loadHostConfig, type QueuesConfig } from "../../../emulator/host/hostConfig";
import { decideAfterFailure, decodeQueueMessage, poisonQueueName } from "../../../emulator/host/queueMessage";

export interface ShardInvocation {
  messageId: string;
  /** Azurite's dequeue count of this delivery (what the function sees as triggerMetadata.dequeueCount). */
  dequeueCount: number;
  ok: boolean;
  /** The error's code (AppError) or name, when the invocation failed. */
  error?: string;
  /** The message went to the poison queue after this failure. */
  poisoned?: boolean;
}

export interface ShardQueueHostOptions {
  connectionString: string;
  caPem: string;
  queueName: string;
  /** The function: the decoded message text and its dequeue count; a throw fails the invocation. */
  handler(text: string, dequeueCount: number): Promise<void>;
  /** Before each invocation: a crashed worker comes back as a fresh one. */
  beforeInvocation?: () => void;
  /**
   * Visibility of a failed message before its redelivery. host.json says 30 s; the tests release at once, as
   * test/e2e/audit's host.json does (visibilityTimeout 00:00:00).
   */
  visibilityTimeoutInMs?: number;
  /** Polls in all before drain() gives up (a message that never settles); default 100. */
  maxPolls?: number;
}

export interface ShardQueueHost {
  /** host.json's queue settings as the host reads them (maxDequeueCount, messageEncoding, batchSize). */
  config: QueuesConfig;
  /** Receives and runs messages until the queue is empty; every invocation, in order. */
  drain(): Promise<ShardInvocation[]>;
  /** The decoded texts now in the poison queue. */
  poisoned(): Promise<string[]>;
}

const codeOf = (error: unknown) =>
  error && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : error instanceof Error ? error.name : "Unknown";

export function createShardQueueHost(options: ShardQueueHostOptions): ShardQueueHost {
  const config = loadHostConfig(process.cwd()).queues;
  // The storage SDK's option type lacks tlsOptions, but passes them on to its core pipeline.
  const service = QueueServiceClient.fromConnectionString(options.connectionString, { tlsOptions: { ca: options.caPem } } as StoragePipelineOptions);
  const queue = service.getQueueClient(options.queueName);
  const poison = service.getQueueClient(poisonQueueName(options.queueName));
  const visibilityTimeoutInMs = options.visibilityTimeoutInMs ?? 0;
  const decode = (text: string) => decodeQueueMessage(text, config.messageEncoding);
  let ready: Promise<unknown> | undefined;

  async function handle(message: DequeuedMessageItem): Promise<ShardInvocation> {
    const invocation: ShardInvocation = { messageId: message.messageId, dequeueCount: message.dequeueCount, ok: false };
    const decoded = decode(message.messageText);
    if (decoded.ok) {
      options.beforeInvocation?.();
      try {
        await options.handler(decoded.text, message.dequeueCount);
        await queue.deleteMessage(message.messageId, message.popReceipt);
        return { ...invocation, ok: true };
      } catch (error) {
        invocation.error = codeOf(error);
      }
    } else {
      invocation.error = "UndecodableMessage";
    }
    const action = decideAfterFailure({ dequeueCount: message.dequeueCount, maxDequeueCount: config.maxDequeueCount, visibilityTimeoutInMs });
    if (action.kind === "poison") {
      await poison.createIfNotExists();
      // The original text, still encoded, as the host copies it.
      await poison.sendMessage(message.messageText);
      await queue.deleteMessage(message.messageId, message.popReceipt);
      return { ...invocation, poisoned: true };
    }
    await queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.round(action.visibilityTimeoutInMs / 1000));
    return invocation;
  }

  return {
    config,
    async drain() {
      ready ??= queue.createIfNotExists();
      await ready;
      const invocations: ShardInvocation[] = [];
      for (let poll = 0; poll < (options.maxPolls ?? 100); poll++) {
        // While a message is processed it stays invisible (the host renews its lease; invocations here are short).
        const received = await queue.receiveMessages({ numberOfMessages: Math.max(1, Math.min(32, config.batchSize)), visibilityTimeout: 600 });
        if (received.receivedMessageItems.length === 0) return invocations;
        // One batch at once, as the host runs it.
        invocations.push(...(await Promise.all(received.receivedMessageItems.map(handle))));
      }
      throw new Error(`the queue ${options.queueName} did not drain: ${invocations.length} invocation(s)`);
    },
    async poisoned() {
      if (!(await poison.exists())) return [];
      const peeked = await poison.peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.map((p) => {
        const decoded = decode(p.messageText);
        return decoded.ok ? decoded.text : p.messageText;
      });
    },
  };
}

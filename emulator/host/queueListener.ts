// Storage queue triggers on Azurite (or any storage account) with @azure/storage-queue: polling with back-off,
// batches, visibility timeout on failure and the poison queue after maxDequeueCount, like the host's QueueListener.
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { QueueServiceClient, type DequeuedMessageItem, type QueueClient } from "@azure/storage-queue";
import { resolveSettingExpression, type AppSettings } from "./appSettings";
import type { RpcTypedData } from "./coreTypes";
import { getTriggerBinding, type FunctionRegistry, type RegisteredFunction } from "./functionRegistry";
import type { QueuesConfig } from "./hostConfig";
import type { HostLogger } from "./hostLogger";
import type { Invoker } from "./invoker";
import { decideAfterFailure, decodeQueueMessage, minPollingIntervalInMs, nextPollingDelayInMs, poisonQueueName } from "./queueMessage";

/** While a message is being processed it stays invisible this long (the host renews; invocations here are short). */
const processingVisibilityInSeconds = 600;

export interface QueueListenersOptions {
  registry: FunctionRegistry;
  invoker: Invoker;
  settings: AppSettings;
  config: QueuesConfig;
  logger: HostLogger;
}

export interface QueueListeners {
  stop(): Promise<void>;
}

/** Resolves a binding's `connection` as the host does: a connection string, or `<name>__queueServiceUri` + credential. */
export function createQueueServiceClient(connection: string, settings: AppSettings): QueueServiceClient {
  const connectionString = settings[`AzureWebJobs${connection}`] ?? settings[connection];
  if (connectionString) return QueueServiceClient.fromConnectionString(connectionString);
  const accountName = settings[`${connection}__accountName`];
  const serviceUri = settings[`${connection}__queueServiceUri`] ?? (accountName ? `https://${accountName}.queue.core.windows.net` : undefined);
  if (!serviceUri) throw new Error(`Storage connection '${connection}' is not configured (no connection string and no '${connection}__queueServiceUri').`);
  const clientId = settings[`${connection}__clientId`];
  const credential =
    settings[`${connection}__credential`]?.toLowerCase() === "managedidentity"
      ? new ManagedIdentityCredential(clientId ? { clientId } : {})
      : new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return new QueueServiceClient(serviceUri, credential);
}

/** Trigger metadata as the host sends it (PascalCase; the library camel-cases keys for context.triggerMetadata). */
export function toQueueTriggerMetadata(message: DequeuedMessageItem, text: string): Record<string, RpcTypedData> {
  return {
    QueueTrigger: { string: text },
    DequeueCount: { json: JSON.stringify(message.dequeueCount) },
    Id: { string: message.messageId },
    PopReceipt: { string: message.popReceipt },
    InsertionTime: { json: JSON.stringify(message.insertedOn.toISOString()) },
    ExpirationTime: { json: JSON.stringify(message.expiresOn.toISOString()) },
    NextVisibleTime: { json: JSON.stringify(message.nextVisibleOn.toISOString()) },
  };
}

export function startQueueListeners(options: QueueListenersOptions): QueueListeners {
  const listeners = [...options.registry.functions.values()]
    .filter((fn) => getTriggerBinding(fn).type.toLowerCase() === "queuetrigger")
    .map((fn) => startQueueListener(fn, options));
  return {
    async stop() {
      await Promise.all(listeners.map((l) => l.stop()));
    },
  };
}

function startQueueListener(fn: RegisteredFunction, { invoker, settings, config, logger }: QueueListenersOptions): QueueListeners {
  const functionName = fn.metadata.name;
  const trigger = getTriggerBinding(fn);
  const queueName = resolveSettingExpression(String(trigger.binding.queueName ?? ""), settings).toLowerCase();
  const connection = typeof trigger.binding.connection === "string" && trigger.binding.connection ? trigger.binding.connection : "AzureWebJobsStorage";
  const service = createQueueServiceClient(connection, settings);
  const queue = service.getQueueClient(queueName);
  const poison = service.getQueueClient(poisonQueueName(queueName));
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  let wake: (() => void) | undefined;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  async function handleMessage(message: DequeuedMessageItem): Promise<void> {
    const decoded = decodeQueueMessage(message.messageText, config.messageEncoding);
    let failure: string | undefined;
    if (decoded.ok) {
      const outcome = await invoker.invoke(
        fn,
        { inputData: [{ name: trigger.name, data: { string: decoded.text } }], triggerMetadata: toQueueTriggerMetadata(message, decoded.text) },
        `New queue message detected on '${queueName}'.`,
      );
      if (outcome.ok) {
        await queue.deleteMessage(message.messageId, message.popReceipt);
        return;
      }
      failure = outcome.error.message;
    } else {
      failure = decoded.error;
      logger.system("error", `Message '${message.messageId}' on '${queueName}': ${decoded.error}`, { functionName });
    }
    const action = decideAfterFailure({ dequeueCount: message.dequeueCount, maxDequeueCount: config.maxDequeueCount, visibilityTimeoutInMs: config.visibilityTimeoutInMs });
    if (action.kind === "poison") {
      logger.system("warning", `Message has reached MaxDequeueCount of ${config.maxDequeueCount}. Moving message to queue '${poisonQueueName(queueName)}'. Last error: ${failure}`, {
        functionName,
      });
      await poison.createIfNotExists();
      // The original text, still encoded, as the host copies it.
      await poison.sendMessage(message.messageText);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } else {
      await queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.round(action.visibilityTimeoutInMs / 1000));
    }
  }

  async function poll(): Promise<void> {
    let delay = minPollingIntervalInMs;
    let queueReady = false;
    while (!abort.signal.aborted) {
      let found = false;
      try {
        if (!queueReady) {
          await ensureQueue(queue, abort.signal);
          queueReady = true;
        }
        const received = await queue.receiveMessages({
          numberOfMessages: Math.max(1, Math.min(32, config.batchSize)),
          visibilityTimeout: processingVisibilityInSeconds,
          abortSignal: abort.signal,
        });
        found = received.receivedMessageItems.length > 0;
        for (const message of received.receivedMessageItems) {
          const p = handleMessage(message)
            .catch((err: unknown) => logger.system("error", `Processing message '${message.messageId}' on '${queueName}' failed: ${String(err)}`, { functionName }))
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if ((err as { statusCode?: number }).statusCode === 404) queueReady = false;
        else logger.system("warning", `Polling queue '${queueName}' failed: ${String(err)}`, { functionName });
      }
      // A new batch is fetched once the in-flight count drops to newBatchThreshold.
      while (inFlight.size > config.newBatchThreshold && !abort.signal.aborted) await Promise.race(inFlight);
      delay = nextPollingDelayInMs(delay, found, config.maxPollingIntervalInMs);
      if (!found) await sleep(delay);
    }
  }

  const loop = poll().catch((err: unknown) => logger.system("error", `Queue listener '${functionName}' stopped: ${String(err)}`, { functionName }));
  logger.system("information", `Queue trigger '${functionName}' listening on '${queueName}'.`, { functionName });

  return {
    async stop() {
      abort.abort();
      wake?.();
      // The SDK's retries on an unreachable account must not hold the shutdown.
      await Promise.race([loop, new Promise((r) => setTimeout(r, 3000).unref())]);
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function ensureQueue(queue: QueueClient, abortSignal: AbortSignal): Promise<void> {
  await queue.createIfNotExists({ abortSignal });
}

// AuditQueue over a Storage queue (@azure/storage-queue): one message per cluster shard, base64-encoded JSON
// (the Functions host's default messageEncoding), the queue created on first use.
import type { QueueClient } from "@azure/storage-queue";
import type { ShardMessage } from "../audit/model";
import type { AuditQueue } from "../audit/ports";
import { mapLimit } from "../audit/mapLimit";
import { AppError } from "../errors";

/** What the host's queue trigger decodes: base64 of the UTF-8 JSON. */
export function encodeShardMessage(message: ShardMessage): string {
  return Buffer.from(JSON.stringify(message), "utf8").toString("base64");
}

export function createAuditQueue(options: { queue: QueueClient }): AuditQueue {
  let ready: Promise<unknown> | undefined;
  const ensure = () => {
    ready ??= options.queue.createIfNotExists().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return {
    async enqueue(messages) {
      try {
        await ensure();
        await mapLimit(messages, 8, (m) => options.queue.sendMessage(encodeShardMessage(m)));
      } catch (error) {
        throw new AppError("upstream", "AuditQueueUnavailable", `Enqueuing audit shards failed (${error instanceof Error ? error.name : "error"}).`, { cause: error });
      }
    },
  };
}

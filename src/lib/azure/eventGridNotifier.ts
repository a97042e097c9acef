// Notifier over an Event Grid custom topic (@azure/eventgrid, CloudEvents 1.0). A publish never throws:
// an event Event Grid did not take goes to the outbox, and drainOutbox retries it later (oldest first).
// The event's ID never changes between attempts, so a retry after a partial failure (sent, then the
// outbox row not removed) reaches subscribers as a duplicate they can drop: at-least-once.
import type { EventGridPublisherClient, SendCloudEventInput } from "@azure/eventgrid";
import { isRestError } from "@azure/core-rest-pipeline";
import type { ConnectionEvent, Notifier } from "../connections/ports";
import { silentLogger, type Logger } from "../logging/logger";
import type { Outbox } from "./outbox";

/** The CloudEvents `source` of every event (a URI reference naming the app). */
export const DEFAULT_EVENT_SOURCE = "/adx-connection-lifecycle";
/** What publish says when no topic is configured (NOTIFICATIONS_TOPIC_ENDPOINT unset). */
export const NOTIFICATIONS_NOT_CONFIGURED = "NotConfigured";

export interface EventGridNotifierOptions {
  /** The topic's client (createEventGridPublisher); absent when no topic is configured. */
  client?: EventGridPublisherClient<"CloudEvent">;
  outbox: Outbox;
  /** Default DEFAULT_EVENT_SOURCE. */
  source?: string;
  logger?: Logger;
}

export interface DrainOutboxOptions {
  /** At most this many events per drain; default 100. */
  maxEvents?: number;
  /** Stop after this many failures in a row (the topic is likely down); default 3. */
  maxConsecutiveFailures?: number;
}

export interface DrainOutboxResult {
  /** Delivered and removed from the outbox. */
  delivered: number;
  /** Still undelivered (kept, attempt counted). */
  failed: number;
  /** Leased by another drainer. */
  skipped: number;
}

export interface EventGridNotifier extends Notifier {
  drainOutbox(options?: DrainOutboxOptions): Promise<DrainOutboxResult>;
}

export function toCloudEvent(event: ConnectionEvent, source: string): SendCloudEventInput<Record<string, unknown>> {
  const time = new Date(event.time);
  return {
    id: event.id,
    type: event.type,
    source,
    subject: event.subject,
    ...(Number.isNaN(time.getTime()) ? {} : { time }),
    datacontenttype: "application/json",
    data: event.data,
  };
}

/** A short, secret-free reason: the HTTP status or the transport error's code, never a response body. */
export function describePublishError(error: unknown): string {
  if (isRestError(error)) {
    if (error.statusCode !== undefined) return `PublishFailed (HTTP ${error.statusCode}${error.code ? ` ${error.code}` : ""})`;
    return `PublishFailed (${error.code ?? "network error"})`;
  }
  return `PublishFailed (${error instanceof Error ? error.name : "error"})`;
}

export function createEventGridNotifier(options: EventGridNotifierOptions): EventGridNotifier {
  const { client, outbox } = options;
  const source = options.source ?? DEFAULT_EVENT_SOURCE;
  const logger = options.logger ?? silentLogger;

  return {
    async publish(event) {
      // No topic: nothing is kept (there is nowhere to retry to), and the result says so.
      if (!client) return { delivered: false, error: NOTIFICATIONS_NOT_CONFIGURED };
      try {
        await client.send([toCloudEvent(event, source)]);
        return { delivered: true };
      } catch (error) {
        const reason = describePublishError(error);
        try {
          await outbox.add(event, reason);
          return { delivered: false, error: `${reason}; kept in the outbox` };
        } catch (outboxError) {
          logger.error("event neither published nor kept", { eventId: event.id, type: event.type, subject: event.subject, error: reason });
          return { delivered: false, error: `${reason}; not kept: ${outboxError instanceof Error ? outboxError.message : String(outboxError)}` };
        }
      }
    },

    async drainOutbox(drainOptions = {}) {
      const result: DrainOutboxResult = { delivered: 0, failed: 0, skipped: 0 };
      if (!client) return result;
      const maxFailures = drainOptions.maxConsecutiveFailures ?? 3;
      let failuresInARow = 0;
      for (const record of await outbox.listOldest(drainOptions.maxEvents ?? 100)) {
        const claimed = await outbox.claim(record);
        if (!claimed) {
          result.skipped++;
          continue;
        }
        try {
          await client.send([toCloudEvent(claimed.event, source)]);
        } catch (error) {
          const reason = describePublishError(error);
          await outbox.recordFailure(claimed, reason);
          logger.warn("outbox event still not delivered", { eventId: claimed.event.id, attempts: claimed.attempts, error: reason });
          result.failed++;
          if (++failuresInARow >= maxFailures) break;
          continue;
        }
        failuresInARow = 0;
        await outbox.remove(claimed);
        result.delivered++;
      }
      return result;
    },
  };
}

// FailedEventStore over Azure Table Storage ({prefix}FailedEvents, one row per event ID): each failed attempt
// is counted (ETag-guarded read-modify-write); at the subscription's maxDeliveryAttempts Event Grid dead-letters
// the event, so the row is marked deadLettered for the audit to report.
import { odata } from "@azure/data-tables";
import type { FailedEvent, FailedEventStore } from "../revocation/ports";
import { eventLedgerKey } from "./eventLedger";
import { tableStatus, toRegistryError } from "./tableErrors";
import { createTableSet, type TableSetOptions } from "./tableSet";

/** infra/app/revocationEvents.bicep and sourceEvents.bicep: retryPolicy.maxDeliveryAttempts. */
export const DEFAULT_DEAD_LETTER_AFTER_ATTEMPTS = 30;

export interface TableFailedEventStoreOptions extends TableSetOptions {
  deadLetterAfterAttempts?: number;
  now?: () => number;
}

interface FailedRow {
  eventId: string;
  eventType: string;
  subject: string;
  topic: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  errorCode: string;
  errorMessage: string;
  deadLettered: boolean;
}

export function createTableFailedEventStore(options: TableFailedEventStoreOptions): FailedEventStore {
  const tables = createTableSet(options);
  const now = options.now ?? Date.now;
  const threshold = options.deadLetterAfterAttempts ?? DEFAULT_DEAD_LETTER_AFTER_ATTEMPTS;
  const toFailedEvent = (r: FailedRow): FailedEvent => ({
    eventId: r.eventId,
    eventType: r.eventType,
    subject: r.subject,
    topic: r.topic,
    attempts: r.attempts,
    firstFailedAt: r.firstFailedAt,
    lastFailedAt: r.lastFailedAt,
    lastError: { code: r.errorCode, message: r.errorMessage },
  });

  return {
    async recordFailure(event) {
      const client = await tables.get("FailedEvents");
      const partitionKey = eventLedgerKey(event.eventId);
      const at = new Date(now()).toISOString();
      const fields = { eventId: event.eventId, eventType: event.eventType, subject: event.subject, topic: event.topic, errorCode: event.lastError.code, errorMessage: event.lastError.message.slice(0, 2000), lastFailedAt: at };
      for (let attempt = 1; ; attempt++) {
        try {
          let existing: (FailedRow & { etag: string }) | undefined;
          try {
            existing = await client.getEntity<FailedRow>(partitionKey, "");
          } catch (error) {
            if (tableStatus(error) !== 404) throw error;
          }
          const attempts = (existing?.attempts ?? 0) + 1;
          const row: FailedRow = { ...fields, attempts, firstFailedAt: existing?.firstFailedAt ?? at, deadLettered: attempts >= threshold };
          if (existing) await client.updateEntity({ partitionKey, rowKey: "", ...row }, "Replace", { etag: existing.etag });
          else await client.createEntity({ partitionKey, rowKey: "", ...row });
          return toFailedEvent(row);
        } catch (error) {
          const status = tableStatus(error);
          if ((status === 409 || status === 412) && attempt < 5) continue; // a concurrent failure of the same event
          throw toRegistryError(error, `recording failed event ${event.eventId}`);
        }
      }
    },

    async listDeadLettered({ since, limit }) {
      const client = await tables.get("FailedEvents");
      const filter = since ? odata`deadLettered eq true and lastFailedAt ge ${since}` : odata`deadLettered eq true`;
      const out: FailedEvent[] = [];
      try {
        for await (const row of client.listEntities<FailedRow>({ queryOptions: { filter } })) out.push(toFailedEvent(row));
      } catch (error) {
        throw toRegistryError(error, "listing dead-lettered events");
      }
      return out.sort((a, b) => b.lastFailedAt.localeCompare(a.lastFailedAt)).slice(0, limit);
    },
  };
}

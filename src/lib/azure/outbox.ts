// The notifications outbox over Azure Table Storage: events a publish could not deliver, kept until a
// drain delivers them. A drainer leases a record (If-Match on its ETag) before sending, so two drainers
// never both send it; a drainer that dies mid-way loses its lease when it expires (at-least-once).
import { odata } from "@azure/data-tables";
import type { ConnectionEvent } from "../connections/ports";
import { fromOutboxEntity, OUTBOX_PARTITION, outboxRowKey, toOutboxEntity, type OutboxRecord } from "../registry/outboxEntity";
import { tableStatus, toRegistryError } from "./tableErrors";
import { createTableSet, type TableSetOptions } from "./tableSet";

export interface TableOutboxOptions extends TableSetOptions {
  /** How long a drainer holds a record it is sending; default 60 s. */
  leaseInMs?: number;
  /** Injected for tests; default Date.now. */
  now?: () => number;
}

/** A record as read, with the ETag that guards the next change. */
export type StoredOutboxRecord = OutboxRecord & { etag: string };

export interface Outbox {
  /** Keeps an undelivered event (adding the same event again changes nothing). */
  add(event: ConnectionEvent, error: string): Promise<void>;
  /** Oldest first, leased ones included (claim skips them). */
  listOldest(maxEvents: number): Promise<StoredOutboxRecord[]>;
  /** Leases the record for this drainer and counts the attempt; undefined when another drainer has it. */
  claim(record: StoredOutboxRecord): Promise<StoredOutboxRecord | undefined>;
  /** Delivered: forget it. */
  remove(record: StoredOutboxRecord): Promise<void>;
  /** Not delivered again: keep the error and release the lease. */
  recordFailure(record: StoredOutboxRecord, error: string): Promise<void>;
}

export function createTableOutbox(options: TableOutboxOptions): Outbox {
  const tables = createTableSet(options);
  const now = options.now ?? Date.now;
  const leaseInMs = options.leaseInMs ?? 60_000;
  const iso = (ms: number): string => new Date(ms).toISOString();

  return {
    async add(event, error) {
      const client = await tables.get("Outbox");
      const at = iso(now());
      const record: OutboxRecord = { rowKey: outboxRowKey(event), event, attempts: 1, lastError: error, firstFailedAt: at, lastAttemptAt: at };
      try {
        await client.createEntity(toOutboxEntity(record));
      } catch (e) {
        if (tableStatus(e) === 409) return; // already kept (a retried publish of the same event)
        throw toRegistryError(e, `keeping event ${event.id} in the outbox`);
      }
    },

    async listOldest(maxEvents) {
      const client = await tables.get("Outbox");
      const found: StoredOutboxRecord[] = [];
      try {
        const pages = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${OUTBOX_PARTITION}` } }).byPage({ maxPageSize: Math.min(1000, Math.max(1, maxEvents)) });
        for await (const page of pages) {
          for (const entity of page) {
            if (found.length >= maxEvents) break;
            found.push({ ...fromOutboxEntity(entity), etag: entity.etag });
          }
          if (found.length >= maxEvents) break;
        }
      } catch (e) {
        throw toRegistryError(e, "reading the outbox");
      }
      return found;
    },

    async claim(record) {
      const at = now();
      if (record.leaseUntil && Date.parse(record.leaseUntil) > at) return undefined;
      const client = await tables.get("Outbox");
      const claimed: OutboxRecord = { ...record, attempts: record.attempts + 1, lastAttemptAt: iso(at), leaseUntil: iso(at + leaseInMs) };
      try {
        const response = await client.updateEntity(toOutboxEntity(claimed), "Replace", { etag: record.etag });
        return { ...claimed, etag: response.etag ?? "" };
      } catch (e) {
        const status = tableStatus(e);
        if (status === 412 || status === 404) return undefined; // another drainer got there first
        throw toRegistryError(e, `leasing event ${record.event.id}`);
      }
    },

    async remove(record) {
      const client = await tables.get("Outbox");
      try {
        await client.deleteEntity(OUTBOX_PARTITION, record.rowKey, { etag: record.etag });
      } catch (e) {
        const status = tableStatus(e);
        if (status === 404 || status === 412) return;
        throw toRegistryError(e, `removing event ${record.event.id} from the outbox`);
      }
    },

    async recordFailure(record, error) {
      const client = await tables.get("Outbox");
      const { leaseUntil: _lease, etag: _etag, ...rest } = record;
      try {
        await client.updateEntity(toOutboxEntity({ ...rest, lastError: error }), "Replace", { etag: record.etag });
      } catch (e) {
        const status = tableStatus(e);
        if (status === 404 || status === 412) return;
        throw toRegistryError(e, `recording a failed delivery of ${record.event.id}`);
      }
    },
  };
}

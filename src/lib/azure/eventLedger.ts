// EventLedger over Azure Table Storage ({prefix}EventLedger, one row per event ID): insert-if-absent claims
// the event; a row that is `processed` makes every later delivery a no-op; a `processing` row is a lease that
// another invocation may take over (If-Match on its ETag) only once it has expired.
import { createHash } from "node:crypto";
import type { EventClaim, EventLedger } from "../revocation/ports";
import { tableStatus, toRegistryError } from "./tableErrors";
import { createTableSet, type TableSetOptions } from "./tableSet";

export interface TableEventLedgerOptions extends TableSetOptions {
  /** Injected for tests; default Date.now. */
  now?: () => number;
}

interface LedgerRow {
  eventId: string;
  state: "processing" | "processed";
  leaseUntil: string;
  claims: number;
  summary?: string;
  processedAt?: string;
}

/** Event IDs may hold characters Table keys refuse (/, \, #, ?): the key is their hash, the ID a column. */
export function eventLedgerKey(eventId: string): string {
  return createHash("sha256").update(eventId).digest("hex");
}

export function createTableEventLedger(options: TableEventLedgerOptions): EventLedger {
  const tables = createTableSet(options);
  const now = options.now ?? Date.now;
  const rowKey = "";

  return {
    async claim(eventId, { leaseInMs }): Promise<EventClaim> {
      const client = await tables.get("EventLedger");
      const partitionKey = eventLedgerKey(eventId);
      const leaseUntil = new Date(now() + leaseInMs).toISOString();
      try {
        const created = await client.createEntity<LedgerRow>({ partitionKey, rowKey, eventId, state: "processing", leaseUntil, claims: 1 });
        return { status: "acquired", token: created.etag ?? "" };
      } catch (error) {
        if (tableStatus(error) !== 409) throw toRegistryError(error, `claiming event ${eventId}`);
      }
      try {
        const row = await client.getEntity<LedgerRow>(partitionKey, rowKey);
        if (row.state === "processed") return { status: "processed" };
        if (Date.parse(row.leaseUntil) > now()) return { status: "leased", until: row.leaseUntil };
        // The holder failed or died: take its lease over, unless someone else just did.
        const taken = await client.updateEntity<LedgerRow>(
          { partitionKey, rowKey, eventId, state: "processing", leaseUntil, claims: (row.claims ?? 1) + 1 },
          "Replace",
          { etag: row.etag },
        );
        return { status: "acquired", token: taken.etag ?? "" };
      } catch (error) {
        if (tableStatus(error) === 412) return { status: "leased", until: leaseUntil };
        throw toRegistryError(error, `claiming event ${eventId}`);
      }
    },

    async complete(eventId, _token, summary) {
      const client = await tables.get("EventLedger");
      try {
        // Processed is final whoever holds the lease now: no If-Match.
        await client.upsertEntity({ partitionKey: eventLedgerKey(eventId), rowKey, eventId, state: "processed", summary: summary.slice(0, 1000), processedAt: new Date(now()).toISOString() }, "Merge");
      } catch (error) {
        throw toRegistryError(error, `completing event ${eventId}`);
      }
    },

    async release(eventId, token) {
      try {
        const client = await tables.get("EventLedger");
        await client.updateEntity({ partitionKey: eventLedgerKey(eventId), rowKey, leaseUntil: new Date(0).toISOString() }, "Merge", { etag: token });
      } catch {
        // Best effort: the lease then simply expires.
      }
    },
  };
}

// A JournalEntry as a row of the journal table: PartitionKey = the connection, RowKey = an inverted
// timestamp (newest first on a partition scan) + an in-process sequence + a random suffix (unique under
// concurrency). The RowKey is also the entry's ID.
import type { JournalEntry } from "../connections/model";
import { normalizeResourceId } from "../connections/model";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { encodeKey } from "./keyEncoding";

/** Milliseconds are inverted against this (year 2286), 13 digits wide. */
const MAX_TIME_MS = 9_999_999_999_999;
const SEQUENCE_SPAN = 10_000;

export function journalPartitionKey(connectionId: string): string {
  return encodeKey(normalizeResourceId(connectionId));
}

/**
 * `{13 digits: MAX - ms}{4 digits: 9999 - sequence}-{random}`: later entries sort first; entries of one
 * millisecond from one process keep their order through `sequence`; `random` separates processes.
 */
export function journalRowKey(atMs: number, sequence: number, random: string): string {
  if (!/^[0-9a-z]+$/.test(random)) throw new Error("random suffix must be lower-case letters and digits");
  const inverted = String(MAX_TIME_MS - Math.floor(atMs)).padStart(13, "0");
  const seq = String(SEQUENCE_SPAN - 1 - Math.min(Math.max(0, sequence), SEQUENCE_SPAN - 1)).padStart(4, "0");
  return `${inverted}${seq}-${random}`;
}

/** Hands out (ms, sequence) pairs that never go backwards in this process, even when the clock does. */
export function createJournalClock(now: () => number = Date.now): () => { atMs: number; sequence: number } {
  let lastMs = -1;
  let sequence = 0;
  return () => {
    const ms = Math.max(now(), lastMs);
    sequence = ms === lastMs ? sequence + 1 : 0;
    lastMs = ms;
    if (sequence >= SEQUENCE_SPAN) {
      lastMs = ms + 1; // borrow the next millisecond rather than collide
      sequence = 0;
      return { atMs: lastMs, sequence };
    }
    return { atMs: ms, sequence };
  };
}

export type JournalTableEntity = { partitionKey: string; rowKey: string } & Record<string, string | number | boolean>;

export function toJournalEntity(entry: JournalEntry): JournalTableEntity {
  return {
    partitionKey: journalPartitionKey(entry.connectionId),
    rowKey: entry.id,
    connectionId: entry.connectionId,
    at: entry.at,
    action: entry.action,
    phase: entry.phase,
    correlationId: entry.correlationId,
    ...(entry.intentId !== undefined ? { intentId: entry.intentId } : {}),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    ...(entry.error !== undefined ? { errorCode: entry.error.code, errorMessage: entry.error.message } : {}),
    ...toJsonProperties("actor", entry.actor),
    ...toJsonProperties("before", entry.before),
    ...toJsonProperties("after", entry.after),
  };
}

export function fromJournalEntity(entity: Readonly<Record<string, unknown>>): JournalEntry {
  const str = (name: string): string | undefined => (typeof entity[name] === "string" ? (entity[name] as string) : undefined);
  const before = fromJsonProperties("before", entity);
  const after = fromJsonProperties("after", entity);
  const errorCode = str("errorCode");
  return {
    id: str("rowKey") ?? "",
    connectionId: str("connectionId") ?? "",
    at: str("at") ?? "",
    action: str("action") as JournalEntry["action"],
    phase: str("phase") as JournalEntry["phase"],
    actor: (fromJsonProperties("actor", entity) ?? { system: "unknown" }) as JournalEntry["actor"],
    correlationId: str("correlationId") ?? "",
    ...(str("intentId") !== undefined ? { intentId: str("intentId") } : {}),
    ...(str("reason") !== undefined ? { reason: str("reason") } : {}),
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    ...(errorCode !== undefined ? { error: { code: errorCode, message: str("errorMessage") ?? "" } } : {}),
  };
}

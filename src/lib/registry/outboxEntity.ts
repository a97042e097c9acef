// An undelivered notification as a row of the outbox table: one partition, RowKey = the event's time
// (zero-padded ms) + its encoded ID, so a partition scan is oldest first and adding the same event twice
// lands on the same row.
import type { ConnectionEvent } from "../connections/ports";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { encodeKey } from "./keyEncoding";

export const OUTBOX_PARTITION = "outbox";

export interface OutboxRecord {
  rowKey: string;
  event: ConnectionEvent;
  /** Publish attempts so far (the first, failed publish counts). */
  attempts: number;
  lastError: string;
  firstFailedAt: string;
  lastAttemptAt: string;
  /** A drainer holds the record until then (ISO time); others skip it. */
  leaseUntil?: string;
}

export function outboxRowKey(event: Pick<ConnectionEvent, "id" | "time">): string {
  const ms = Date.parse(event.time);
  const sortable = Number.isNaN(ms) ? "0".repeat(15) : String(Math.max(0, ms)).padStart(15, "0");
  return `${sortable}-${encodeKey(event.id)}`;
}

export type OutboxEntity = { partitionKey: string; rowKey: string } & Record<string, string | number>;

export function toOutboxEntity(record: OutboxRecord): OutboxEntity {
  return {
    partitionKey: OUTBOX_PARTITION,
    rowKey: record.rowKey,
    eventId: record.event.id,
    eventType: record.event.type,
    subject: record.event.subject,
    attempts: record.attempts,
    lastError: record.lastError,
    firstFailedAt: record.firstFailedAt,
    lastAttemptAt: record.lastAttemptAt,
    leaseUntil: record.leaseUntil ?? "",
    ...toJsonProperties("event", record.event),
  };
}

export function fromOutboxEntity(entity: Readonly<Record<string, unknown>>): OutboxRecord {
  const str = (name: string): string => (typeof entity[name] === "string" ? (entity[name] as string) : "");
  const event = fromJsonProperties("event", entity) as ConnectionEvent | undefined;
  if (!event || typeof event.id !== "string") throw new Error(`outbox row ${str("rowKey")} holds no event`);
  return {
    rowKey: str("rowKey"),
    event,
    attempts: typeof entity.attempts === "number" ? entity.attempts : 0,
    lastError: str("lastError"),
    firstFailedAt: str("firstFailedAt"),
    lastAttemptAt: str("lastAttemptAt"),
    ...(str("leaseUntil") ? { leaseUntil: str("leaseUntil") } : {}),
  };
}

import { describe, expect, it } from "vitest";
import type { ConnectionEvent } from "../../../../src/lib/connections/ports";
import { fromOutboxEntity, outboxRowKey, toOutboxEntity, type OutboxRecord } from "../../../../src/lib/registry/outboxEntity";

const event = (id: string, time: string): ConnectionEvent => ({ id, type: "adx.connection.deleted", subject: "/subscriptions/s/x", time, data: { a: 1 } });

describe("outbox rows", () => {
  it("sort oldest event first, whatever the IDs", () => {
    const keys = [event("zzz", "2025-01-01T00:00:00.000Z"), event("aaa", "2025-01-01T00:00:00.001Z"), event("a/b#?", "2025-06-01T00:00:00Z")].map(outboxRowKey);
    expect([...keys].sort()).toEqual(keys);
    expect(keys[2]).not.toMatch(/[/\\#?]/);
  });

  it("give the same event the same row, so keeping it twice keeps it once", () => {
    const e = event("id-1", "2025-01-01T00:00:00Z");
    expect(outboxRowKey({ ...e })).toBe(outboxRowKey(e));
  });

  it("round-trip a record", () => {
    const e = event("id-2", "2025-01-01T00:00:00Z");
    const record: OutboxRecord = { rowKey: outboxRowKey(e), event: e, attempts: 3, lastError: "PublishFailed (HTTP 503)", firstFailedAt: "t1", lastAttemptAt: "t2", leaseUntil: "t3" };
    expect(fromOutboxEntity(toOutboxEntity(record))).toEqual(record);
    const { leaseUntil: _l, ...released } = record;
    expect(fromOutboxEntity(toOutboxEntity(released))).toEqual(released);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../../../src/lib/connections/model";
import { createJournalClock, fromJournalEntity, journalRowKey, toJournalEntity } from "../../../../src/lib/registry/journalEntity";
import { managedConnection } from "./connectionFixture";

describe("journalRowKey", () => {
  it("sorts later entries first, and later sequence numbers of one millisecond first", () => {
    const ms = fc.integer({ min: 0, max: 4_102_444_800_000 });
    const seq = fc.integer({ min: 0, max: 9999 });
    fc.assert(
      fc.property(ms, seq, ms, seq, (t1, s1, t2, s2) => {
        const a = journalRowKey(t1, s1, "aa");
        const b = journalRowKey(t2, s2, "aa");
        const aIsLater = t1 > t2 || (t1 === t2 && s1 > s2);
        if (aIsLater) expect(a < b).toBe(true);
        if (t1 === t2 && s1 === s2) expect(a).toBe(b);
      }),
    );
  });

  it("holds only characters Table Storage allows in keys", () => {
    expect(journalRowKey(Date.now(), 3, "0af9")).toMatch(/^\d{17}-[0-9a-f]+$/);
    expect(() => journalRowKey(0, 0, "a/b")).toThrow();
  });
});

describe("createJournalClock", () => {
  it("never goes backwards, even when the wall clock does", () => {
    const times = [1000, 1000, 999, 1001];
    const clock = createJournalClock(() => times.shift() ?? 0);
    const ticks = [clock(), clock(), clock(), clock()];
    const keys = ticks.map((t) => journalRowKey(t.atMs, t.sequence, "a"));
    expect([...keys].sort().reverse()).toEqual(keys);
    expect(new Set(keys).size).toBe(4);
  });
});

describe("journal entities", () => {
  it("round-trip an entry with before/after documents, an error and a system actor", () => {
    const before = managedConnection();
    const entry: JournalEntry = {
      id: journalRowKey(Date.parse("2025-01-01T00:00:00Z"), 0, "ab12"),
      connectionId: before.id,
      at: "2025-01-01T00:00:00.000Z",
      action: "delete",
      phase: "failed",
      intentId: "intent-1",
      actor: { system: "revocation" },
      correlationId: "corr-1",
      reason: "grant removed",
      before,
      after: { ...before, status: "Deleted" },
      error: { code: "KustoFailed", message: "boom" },
    };
    const entity = toJournalEntity(entry);
    expect(fromJournalEntity({ ...entity, etag: "x", timestamp: "t" })).toEqual(entry);
  });

  it("omit what the entry does not have", () => {
    const entry: JournalEntry = { id: "k", connectionId: "/x", at: "t", action: "create", phase: "intent", actor: { tenantId: "t", objectId: "o" }, correlationId: "c" };
    expect(fromJournalEntity(toJournalEntity(entry))).toEqual(entry);
  });
});

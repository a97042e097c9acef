// The event ledger and the failed-events store over Azurite: claims are insert-if-absent, a processed event
// stays processed, a live lease keeps concurrent claims off (exactly one of many wins), an expired or released
// lease is taken over; failures are counted per event and dead-lettered at the threshold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableEventLedger } from "../../../src/lib/azure/eventLedger";
import { createTableFailedEventStore } from "../../../src/lib/azure/failedEvents";
import { startAzuriteTables, type AzuriteTables } from "../registry/azuriteHarness";

describe("the event ledger and failed events on Table Storage", () => {
  let tables: AzuriteTables;
  let clock = Date.parse("2025-06-01T12:00:00Z");
  const ledger = () => createTableEventLedger({ tableClient: tables.tableClient, tablePrefix: tables.newPrefix(), now: () => clock });

  beforeAll(async () => {
    tables = await startAzuriteTables();
  });
  afterAll(async () => {
    await tables?.close();
  });

  it("claims an event once; processed events stay processed", async () => {
    const l = ledger();
    const first = await l.claim("evt/1#?", { leaseInMs: 60_000 });
    expect(first.status).toBe("acquired");
    expect((await l.claim("evt/1#?", { leaseInMs: 60_000 })).status).toBe("leased");
    if (first.status !== "acquired") throw new Error("unreachable");
    await l.complete("evt/1#?", first.token, "processed: 1 deleted");
    clock += 3_600_000;
    expect(await l.claim("evt/1#?", { leaseInMs: 60_000 })).toEqual({ status: "processed" });
  });

  it("lets exactly one of many concurrent claims win", async () => {
    const l = ledger();
    const claims = await Promise.all(Array.from({ length: 8 }, () => l.claim("evt-concurrent", { leaseInMs: 60_000 })));
    expect(claims.filter((c) => c.status === "acquired")).toHaveLength(1);
  });

  it("takes over an expired lease, and a released one at once", async () => {
    const l = ledger();
    await l.claim("evt-expired", { leaseInMs: 1_000 });
    clock += 2_000;
    expect((await l.claim("evt-expired", { leaseInMs: 1_000 })).status).toBe("acquired");
    const held = await l.claim("evt-released", { leaseInMs: 60_000 });
    if (held.status !== "acquired") throw new Error("expected a claim");
    await l.release("evt-released", held.token);
    expect((await l.claim("evt-released", { leaseInMs: 60_000 })).status).toBe("acquired");
  });

  it("counts failures per event and lists those at the dead-letter threshold, newest first", async () => {
    const store = createTableFailedEventStore({ tableClient: tables.tableClient, tablePrefix: tables.newPrefix(), deadLetterAfterAttempts: 3, now: () => clock });
    const failure = (eventId: string) => ({ eventId, eventType: "Microsoft.Resources.ResourceDeleteSuccess", subject: "/s", topic: "/subscriptions/s", lastError: { code: "KustoThrottled", message: "429" } });
    for (let i = 0; i < 3; i++) {
      clock += 1_000;
      await store.recordFailure(failure("evt-a"));
    }
    clock += 1_000;
    const once = await store.recordFailure(failure("evt-b"));
    expect(once.attempts).toBe(1);
    const dead = await store.listDeadLettered({ limit: 10 });
    expect(dead.map((d) => [d.eventId, d.attempts, d.lastError.code])).toEqual([["evt-a", 3, "KustoThrottled"]]);
    expect(dead[0]!.firstFailedAt < dead[0]!.lastFailedAt).toBe(true);
    await Promise.all([store.recordFailure(failure("evt-b")), store.recordFailure(failure("evt-b"))]);
    expect((await store.listDeadLettered({ limit: 10 })).map((d) => d.eventId).sort()).toEqual(["evt-a", "evt-b"]);
  });
});

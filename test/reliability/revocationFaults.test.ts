// Revoke rows of the fault matrix: revocation (wireRevocation's adapters, instrumented) handles the events of
// two deleted role assignments under one injected fault — one connection's only grant (it must go), one whose
// principal keeps access through a second assignment (it must stay). Failed deliveries are redelivered as
// Event Grid would until handled. Afterwards: the revoked connection deleted exactly once, the kept one never
// touched, an audit run finds registry and Kusto in agreement, every revoke intent has its outcome.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditConsistency, inconsistencyCount, journalOf } from "../support/reliability/consistency";
import { startReliabilityApp, type FaultRuleInput, type ReliabilityApp, type RevocationHost } from "../support/reliability/reliabilityApp";
import { createResults } from "../support/reliability/results";
import { deliver, revocationWorld, type Delivered } from "../support/reliability/revocationWorld";

interface Fault {
  label: string;
  /** Emulator rules; `deleteOf` is the path regex of the revoked connection's ARM DELETE. */
  rules?: (deleteOf: string) => FaultRuleInput[];
  storage?: "downAtStart" | "downAfterArmWrite";
  /** The DELETE requests ARM accepted for the revoked connection (an LRO that failed counts: it was retried). */
  acceptedDeletes?: number;
}

const faults: Fault[] = [
  { label: "latency 50–250 ms on every Kusto and Authorization call", rules: () => [{ pattern: "Microsoft\\.(Kusto|Authorization)/", latency: { minInMs: 50, maxInMs: 250 } }] },
  { label: "429, Retry-After 1 s, once (the SDK waits and retries)", rules: (t) => [{ pattern: t, throttleRate: 1, retryAfterSeconds: 1, remaining: 1 }] },
  { label: "429, Retry-After 0, past the SDK's 3 retries", rules: (t) => [{ pattern: t, throttleRate: 1, retryAfterSeconds: 0, remaining: 6 }] },
  { label: "500, past the SDK's retries", rules: (t) => [{ pattern: t, errorRate: 1, errorStatus: 500, remaining: 6 }] },
  { label: "503, past the SDK's retries", rules: (t) => [{ pattern: t, errorRate: 1, errorStatus: 503, remaining: 6 }] },
  { label: "connection reset, past the SDK's retries", rules: (t) => [{ pattern: t, resetRate: 1, remaining: 6 }] },
  { label: "500 on the role-assignment reads, past the SDK's retries", rules: () => [{ pattern: "Microsoft\\.Authorization/roleAssignments", errorRate: 1, errorStatus: 500, remaining: 6 }] },
  { label: "LRO ends Failed, once", rules: (t) => [{ pattern: t, failLro: true, remaining: 1 }], acceptedDeletes: 2 },
  { label: "Table Storage unreachable when the event arrives", storage: "downAtStart" },
  { label: "Table Storage unreachable right after the ARM DELETE", storage: "downAfterArmWrite" },
];

describe("fault matrix: revoke under injected faults", () => {
  let app: ReliabilityApp;
  let world: ReturnType<typeof revocationWorld>;
  let host: RevocationHost;
  const results = createResults("revocationFaults");
  let counter = 0;

  beforeAll(async () => {
    app = await startReliabilityApp();
    world = revocationWorld(app);
    host = app.revocationHost();
  });
  afterAll(async () => {
    results.write();
    await app?.stop();
  });

  /** Checks after the events are handled; returns the inconsistencies found (each also asserted). */
  async function check(scene: { revokedName: string; keptName: string }, acceptedDeletes: number) {
    const revoked = await app.real.registry.get(world.key(scene.revokedName));
    const kept = await app.real.registry.get(world.key(scene.keptName));
    expect(revoked?.status).toBe("Deleted");
    expect(await app.real.kusto.get(world.key(scene.revokedName))).toBeUndefined();
    expect(kept?.status).toBe("Succeeded");
    expect((await app.real.kusto.get(world.key(scene.keptName)))?.provisioningState).toBe("Succeeded");
    const revokedDeletes = await world.armDeletes(scene.revokedName);
    const spurious = (await world.armDeletes(scene.keptName)).sent;
    expect(spurious).toBe(0);
    expect(revokedDeletes.accepted).toBe(acceptedDeletes);
    const names = [scene.revokedName, scene.keptName];
    const report = await auditConsistency(app.consistency(), world.key(scene.revokedName), { owns: (n) => names.includes(n), names });
    const entries = await journalOf(app.real.journal, revoked!.id);
    const completed = entries.filter((e) => e.action === "revoke" && e.phase === "completed");
    expect(completed).toHaveLength(1);
    expect({ inconsistencies: report.inconsistencies, inFlight: report.inFlight }).toEqual({ inconsistencies: [], inFlight: [] });
    // Failed attempts end their intents ("failed"); only a dead storage can leave one open.
    return { inconsistencies: inconsistencyCount(report, true) + spurious + Math.abs(completed.length - 1), openIntents: report.openIntents.length, revokedDeletes };
  }

  for (const fault of faults) {
    it(`revoke × ${fault.label}: each event handled to completion, one deletion, nothing spurious`, async () => {
      const scene = await world.scene(`rvf-${++counter}`);
      const deleteOf = `^DELETE .*/dataConnections/${scene.revokedName}$`;
      for (const rule of fault.rules?.(deleteOf) ?? []) await app.addFault(rule);
      if (fault.storage === "downAtStart") host.controls.storageDown();
      if (fault.storage === "downAfterArmWrite") host.controls.storageDownAfterArmWrite();
      const redeliver = { onFailure: () => host.controls.storageUp() };
      let keptRun: Delivered;
      let revokedRun: Delivered;
      try {
        keptRun = await deliver(host.handler, world.assignmentDeleted(scene.keptAssignment), redeliver);
        revokedRun = await deliver(host.handler, world.assignmentDeleted(scene.revokedAssignment), redeliver);
      } finally {
        await app.clearFaults();
        host.controls.storageUp();
      }
      expect(keptRun.outcome).toMatchObject({ status: "processed", kept: [expect.stringContaining(scene.keptName)], deleted: [] });
      expect(revokedRun.outcome).toMatchObject({ status: "processed", deleted: [expect.stringContaining(scene.revokedName)] });
      const found = await check(scene, fault.acceptedDeletes ?? 1);
      results.add({
        table: "fault matrix",
        operation: "revoke",
        condition: fault.label,
        outcome: `revoked: ${revokedRun.trail.join(" → ")}; kept: ${keptRun.trail.join(" → ")}`,
        attempts: Math.max(revokedRun.deliveries, keptRun.deliveries),
        timeInMs: revokedRun.timeInMs + keptRun.timeInMs,
        inconsistencies: found.inconsistencies,
        notes: `ARM DELETEs of the revoked connection: ${found.revokedDeletes.sent} sent, ${found.revokedDeletes.accepted} accepted; of the kept one: 0; open intents ${found.openIntents}`,
      });
    });
  }

  it("revoke × Event Grid redelivery: the same events delivered again, and twice at once, change nothing", async () => {
    const scene = await world.scene(`rvf-${++counter}`);
    const events = [world.assignmentDeleted(scene.keptAssignment), world.assignmentDeleted(scene.revokedAssignment)];
    const first = await Promise.all(events.map((e) => deliver(host.handler, e)));
    const again = await Promise.all(events.flatMap((e) => [deliver(host.handler, e), deliver(app.revocationHost().handler, e)]));
    expect(first.map((d) => d.outcome.status)).toEqual(["processed", "processed"]);
    // The kept connection's event is in the ledger as processed; the revoked one's record is a tombstone, which
    // no index lists any more: its event finds no candidate (no ledger read, no ARM call).
    expect(again.map((d) => d.outcome.status)).toEqual(["duplicate", "duplicate", "noCandidates", "noCandidates"]);
    const found = await check(scene, 1);
    results.add({
      table: "fault matrix",
      operation: "revoke",
      condition: "Event Grid redelivery: each event delivered 3 times (twice concurrently, to two hosts)",
      outcome: `${first.map((d) => d.outcome.status).join(", ")}; redeliveries ${again.map((d) => d.outcome.status).join(", ")}`,
      attempts: 3,
      timeInMs: Math.max(...first.map((d) => d.timeInMs)),
      inconsistencies: found.inconsistencies,
      notes: `ARM DELETEs of the revoked connection: ${found.revokedDeletes.sent} sent; of the kept one: 0`,
    });
  });
});

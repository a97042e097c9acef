// Crash points of revoke, and two hosts on one batch. A host dies between every two steps of a revoke (after
// the ledger claim, after the registry's Deleting claim, after the journal intent, after ARM accepted the
// DELETE, before the tombstone is written): nothing of it runs any more, not even its catch block. Event Grid
// redelivers (the lease is short here) and the event converges with one ARM DELETE in total. Then two hosts
// over the same stores handle the same batch at once: one DELETE.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditConsistency, journalOf } from "../support/reliability/consistency";
import { startReliabilityApp, type ReliabilityApp } from "../support/reliability/reliabilityApp";
import { createResults } from "../support/reliability/results";
import { revokeCrashPoints } from "../support/reliability/revocationPorts";
import { codeOf, deliver, revocationWorld } from "../support/reliability/revocationWorld";
import type { RevocationHandler } from "../../src/lib/revocation/handleResourceEvent";
import type { ResourceEvent } from "../../src/lib/revocation/model";

const leaseInMs = 300;

describe("crash points of revoke; two hosts on one batch", () => {
  let app: ReliabilityApp;
  let world: ReturnType<typeof revocationWorld>;
  const results = createResults("revocationCrashes");
  let counter = 0;

  beforeAll(async () => {
    app = await startReliabilityApp();
    world = revocationWorld(app);
  });
  afterAll(async () => {
    results.write();
    await app?.stop();
  });

  async function converged(scene: { revokedName: string; keptName: string }) {
    const names = [scene.revokedName, scene.keptName];
    const report = await auditConsistency(app.consistency(), world.key(scene.revokedName), { owns: (n) => names.includes(n), names });
    const revoked = await app.real.registry.get(world.key(scene.revokedName));
    expect(revoked?.status).toBe("Deleted");
    expect((await app.real.registry.get(world.key(scene.keptName)))?.status).toBe("Succeeded");
    expect(await app.real.kusto.get(world.key(scene.revokedName))).toBeUndefined();
    const deletes = await world.armDeletes(scene.revokedName);
    expect(deletes.sent).toBe(1);
    expect((await world.armDeletes(scene.keptName)).sent).toBe(0);
    const completed = (await journalOf(app.real.journal, revoked!.id)).filter((e) => e.action === "revoke" && e.phase === "completed");
    expect(completed).toHaveLength(1);
    expect({ inconsistencies: report.inconsistencies, inFlight: report.inFlight }).toEqual({ inconsistencies: [], inFlight: [] });
    return { report, deletes };
  }

  it("enumerates every step boundary of a revoke", () => {
    expect([...revokeCrashPoints]).toEqual(["afterLedgerClaim", "afterDeletingClaim", "afterIntent", "afterArmAccepted", "beforeRecord"]);
  });

  it.each([...revokeCrashPoints])("revoke dies %s; Event Grid's redelivery converges with one DELETE", async (point) => {
    const scene = await world.scene(`rvc-${++counter}`);
    const host = app.revocationHost({ leaseInMs });
    const event = world.assignmentDeleted(scene.revokedAssignment);
    host.controls.crashAt(point);
    const run = await deliver(host.handler, event, { pauseInMs: 100, onFailure: () => host.controls.revive() });
    expect(host.controls.fired).toEqual([point]);
    expect(run.trail[0]).toBe("InjectedCrash");
    expect(run.outcome).toMatchObject({ status: "processed", deleted: [expect.stringContaining(scene.revokedName)] });
    const { report, deletes } = await converged(scene);
    results.add({
      table: "crash points",
      operation: "revoke",
      condition: point,
      outcome: `crash → ${run.trail.slice(1).join(" → ")}`,
      attempts: run.deliveries,
      timeInMs: run.timeInMs,
      inconsistencies: 0,
      notes: `ARM DELETEs ${deletes.sent}; ${report.openIntents.length > 0 ? "the crashed attempt's intent stays open: the audit run afterwards does not close it (the audit does not read the journal)" : "journal complete"}`,
    });
  });

  it("two hosts handling the same batch at once send one DELETE", async () => {
    const scene = await world.scene(`rvc-${++counter}`);
    const batch = [world.assignmentDeleted(scene.keptAssignment), world.assignmentDeleted(scene.revokedAssignment)];
    const hosts = [app.revocationHost({ leaseInMs }), app.revocationHost({ leaseInMs })];
    const started = performance.now();
    const runs = await Promise.all(hosts.map((h) => deliverBatch(h.handler, batch)));
    const timeInMs = Math.round(performance.now() - started);
    // Each event processed by exactly one host; the other saw it in progress (and was redelivered) or done.
    for (const [i] of batch.entries()) expect(runs.map((r) => r.statuses[i]).filter((s) => s === "processed")).toHaveLength(1);
    const { deletes } = await converged(scene);
    results.add({
      table: "concurrency",
      operation: "revoke",
      condition: "two hosts, the same batch of 2 events at once",
      outcome: runs.map((r, i) => `host ${i + 1}: ${r.trail.join(" → ")}`).join("; "),
      attempts: Math.max(...runs.map((r) => r.deliveries)),
      timeInMs,
      inconsistencies: 0,
      notes: `ARM DELETEs ${deletes.sent} (revoked connection), 0 (kept)`,
    });
  });
});

/** Event Grid's webhook delivery of one batch: one event after the other; a failure redelivers the whole batch. */
async function deliverBatch(handler: RevocationHandler, batch: ResourceEvent[], maxDeliveries = 20) {
  const trail: string[] = [];
  for (let delivery = 1; delivery <= maxDeliveries; delivery++) {
    const statuses: string[] = [];
    try {
      for (const event of batch) statuses.push((await handler.handle(structuredClone(event))).status);
      trail.push(statuses.join("+"));
      return { statuses, deliveries: delivery, trail };
    } catch (error) {
      trail.push([...statuses, codeOf(error)].join("+"));
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`batch not handled after ${maxDeliveries} deliveries: ${trail.join(", ")}`);
}

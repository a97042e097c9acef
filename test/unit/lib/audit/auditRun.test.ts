import { describe, expect, it } from "vitest";
import { createAuditService } from "../../../../src/lib/audit/service";
import { runShard } from "../../../../src/lib/audit/runShard";
import { startAuditRun } from "../../../../src/lib/audit/startAuditRun";
import { AppError } from "../../../../src/lib/errors";
import { currentCorrelationId } from "../../../../src/lib/telemetry/correlation";
import { ids, keyOf, sourceIds, specs, writer } from "../../../support/fakes/demoIds";
import { createAuditWorld } from "./support/auditWorld";

const receive = "Microsoft.EventHub/namespaces/messages/receive/action";
const revokeClusterReceive = (w: ReturnType<typeof createAuditWorld>) => {
  w.verifier.grants = w.verifier.grants.filter((g) => !(g.principalObjectId === ids.clusterPrincipal && g.permission === receive));
};
const miEventHub = () => ({ ...specs.eventHub(), properties: { ...specs.eventHub().properties, managedIdentityResourceId: `/subscriptions/${ids.subA}/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/clusters/adxdemo` } });

describe("a shard (one cluster)", () => {
  it("lists each database once, evaluates each binding once and writes nothing in report mode", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub());
    await w.manage("b", miEventHub(), "audit");
    w.kusto.seed(keyOf("stray"), specs.iotHub());
    revokeClusterReceive(w);

    const result = await runShard(w.deps, w.message(), 1);

    expect(w.listCalls.sort()).toEqual(["audit", "telemetry"]);
    expect(w.verifier.calls).toHaveLength(2);
    expect(result.status).toBe("completed");
    expect(result.findings.map((f) => [f.type, f.connectionName]).sort()).toEqual([
      ["accessRevoked", "b"],
      ["unmanagedConnection", "stray"],
    ]);
    expect(w.kusto.count("delete") + w.kusto.count("createOrUpdate")).toBe(0);
    expect(w.journal.entries).toEqual([]);
    expect(w.registry.calls.save).toBe(2); // the two manage() calls only
  });

  it("probes sources only behind broken bindings; a gone source orphans every connection on it", async () => {
    const w = createAuditWorld();
    await w.manage("healthy", specs.eventHub());
    await w.manage("orphan", miEventHub());
    revokeClusterReceive(w);
    w.missingSources.add(sourceIds.eventHub.toLowerCase());
    const result = await runShard(w.deps, w.message(), 1);
    expect(w.probeCalls).toEqual([sourceIds.eventHub.toLowerCase()]);
    expect(result.findings.map((f) => [f.type, f.connectionName]).sort()).toEqual([
      ["sourceMissing", "healthy"],
      ["sourceMissing", "orphan"],
    ]);
  });

  it("marks the shard incomplete and concludes nothing about a database whose listing failed", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub(), "telemetry", { inKusto: false });
    w.failListing.add("telemetry");
    const result = await runShard(w.deps, w.message(), 1);
    expect(result.status).toBe("incomplete");
    expect(result.findings).toEqual([]);
    expect(result.databases.find((d) => d.name === "telemetry")).toMatchObject({ listed: false });
    expect(result.problems[0]).toMatch(/listing the data connections of telemetry failed/);
  });

  it("reports connections of a database that no longer exists as missing, and never tries to restore them", async () => {
    const w = createAuditWorld({ mode: "enforce", databases: ["telemetry"] });
    await w.manage("a", specs.eventHub(), "audit", { inKusto: false });
    const result = await runShard(w.deps, w.message(), 1);
    expect(result.findings).toMatchObject([{ type: "connectionMissing", evidence: { databaseMissing: true }, remediation: { action: "restore", status: "skipped" } }]);
    expect(w.kusto.count("createOrUpdate")).toBe(0);
  });

  it("enforce: deletes a revoked connection after a live re-check, journalled as the audit, and notifies", async () => {
    const w = createAuditWorld({ mode: "enforce" });
    const revoked = await w.manage("b", miEventHub());
    revokeClusterReceive(w);
    const result = await runShard(w.deps, w.message(), 1);
    expect(result.findings[0]?.remediation).toEqual({ action: "delete", status: "done" });
    expect(w.kustoConnection("b")).toBeUndefined();
    expect((await w.registry.get(revoked.key))?.status).toBe("Deleted");
    expect(w.journal.of(revoked.id).map((e) => [e.action, e.phase, e.actor])).toEqual([
      ["remediate", "intent", { system: "audit" }],
      ["remediate", "completed", { system: "audit" }],
    ]);
    expect(w.notifier.published.map((e) => e.type)).toContain("adx.connection.revoked");
  });

  it("enforce: skips the delete when the live re-check finds access again", async () => {
    const w = createAuditWorld({ mode: "enforce" });
    await w.manage("b", miEventHub());
    const saved = [...w.verifier.grants];
    revokeClusterReceive(w);
    const live = w.deps.liveVerifier;
    w.deps.liveVerifier = { verify: async (p, r) => { w.verifier.grants = saved; return live.verify(p, r); } };
    const result = await runShard(w.deps, w.message(), 1);
    expect(result.findings[0]?.remediation).toMatchObject({ action: "delete", status: "skipped", reason: expect.stringMatching(/live re-check/) });
    expect(w.kusto.count("delete")).toBe(0);
  });

  it("enforce: restores a missing connection and re-applies a drifted one while access holds", async () => {
    const w = createAuditWorld({ mode: "enforce" });
    await w.manage("missing", specs.eventHub(), "telemetry", { inKusto: false });
    await w.manage("drifted", specs.eventHub(), "telemetry", { kustoSpec: { ...specs.eventHub(), properties: { ...specs.eventHub().properties, consumerGroup: "other" } } });
    const result = await runShard(w.deps, w.message(), 1);
    expect(result.findings.map((f) => [f.type, f.remediation?.status]).sort()).toEqual([
      ["connectionMissing", "done"],
      ["specDrift", "done"],
    ]);
    expect(w.kustoConnection("missing")).toBeDefined();
    expect(w.kustoConnection("drifted")?.properties.consumerGroup).toBe("adx");
  });

  it("enforce: does not restore a missing connection whose access is gone", async () => {
    const w = createAuditWorld({ mode: "enforce" });
    w.deps.settings.enforce = ["connectionMissing"];
    await w.manage("gone", miEventHub(), "telemetry", { inKusto: false });
    revokeClusterReceive(w);
    const result = await runShard(w.deps, w.message("r1", "enforce"), 1);
    expect(result.findings.find((f) => f.type === "connectionMissing")?.remediation).toMatchObject({ status: "skipped" });
    expect(w.kusto.count("createOrUpdate")).toBe(0);
  });

  it("enforce: never touches an unmanaged connection, and remediates only the finding types switched on", async () => {
    const w = createAuditWorld({ mode: "enforce" });
    w.kusto.seed(keyOf("stray"), specs.iotHub());
    await w.manage("b", miEventHub());
    revokeClusterReceive(w);
    const result = await runShard(w.deps, { ...w.message("r2", "enforce"), enforce: ["specDrift"] }, 1);
    expect(result.findings.every((f) => f.remediation === undefined)).toBe(true);
    expect(w.kusto.count("delete")).toBe(0);
    expect(w.kustoConnection("stray")).toBeDefined();
  });
});

describe("a run", () => {
  it("enqueues one shard per cluster, and the last shard closes the run with a report and one event", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub());
    w.kusto.seed(keyOf("stray"), specs.iotHub());
    const run = await startAuditRun(w.deps, { trigger: "api", requestedBy: "alice" });
    expect(w.queued).toEqual([{ v: 1, runId: run.runId, cluster: expect.objectContaining({ cluster: "adxdemo" }), mode: "report", enforce: [] }]);

    await runShard(w.deps, w.queued[0]!, 1);
    await runShard(w.deps, w.queued[0]!, 1); // a duplicate delivery: the run is already closed

    const closed = w.runs.get(run.runId);
    expect(closed?.status).toBe("completed");
    expect(closed?.summary).toMatchObject({ clusters: 1, connections: 2, managed: 1, findings: 1, bySeverity: { high: 1 } });
    expect(w.reports.get(run.runId)?.clusters).toHaveLength(1);
    expect(w.notifier.published.filter((e) => e.type === "adx.audit.completed")).toMatchObject([{ id: `audit-${run.runId}`, data: { runId: run.runId, status: "completed" } }]);
  });

  it("reports dead-lettered revocation events as high findings of the run", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub());
    w.deadLettered.push({ eventId: "e1", eventType: "Microsoft.Resources.ResourceDeleteSuccess", subject: "/x", topic: "/subscriptions/s", attempts: 30, firstFailedAt: "t", lastFailedAt: "t", lastError: { code: "C", message: "m" } });
    const run = await startAuditRun(w.deps, { trigger: "timer" });
    await runShard(w.deps, w.queued[0]!, 1);
    expect(w.reports.get(run.runId)?.findings).toMatchObject([{ type: "deadLetteredEvent", severity: "high", evidence: { eventId: "e1" } }]);
  });

  it("a shard that fails every attempt records itself failed on the last one, so the run closes incomplete", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub());
    const run = await startAuditRun(w.deps, { trigger: "timer" });
    for (let attempt = 1; attempt <= 5; attempt++) {
      w.inventory.failNext = new AppError("upstream", "KustoUnavailable", "ARM is down");
      await expect(runShard(w.deps, w.queued[0]!, attempt)).rejects.toThrow("ARM is down");
      expect(w.runs.get(run.runId)?.status).toBe(attempt < 5 ? "running" : "incomplete");
    }
    expect(w.reports.get(run.runId)?.clusters[0]).toMatchObject({ status: "failed", findings: [{ type: "shardFailed", severity: "high" }] });
    expect(w.runs.get(run.runId)?.summary).toMatchObject({ clustersFailed: 1, incomplete: true });
  });

  it("a run whose shard never reports is closed incomplete once it times out (on read)", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub());
    const service = createAuditService(w.deps);
    const started = await service.start(writer(["Audit.Run"]));
    expect(started.ok).toBe(true);
    w.advance(61 * 60_000);
    const view = await service.getLatest(writer(["Audit.Run"]));
    expect(view.ok && view.value.run.status).toBe("incomplete");
    expect(view.ok && view.value.run.summary?.clustersMissing).toBe(1);
  });

  it("adds the clusters of configured subscriptions to the registry's", async () => {
    const w = createAuditWorld();
    w.deps.settings.subscriptions = [ids.subA];
    const run = await startAuditRun(w.deps, { trigger: "timer" });
    expect(w.inventory.listClustersCalls).toBe(1);
    expect(run.clusterIds).toHaveLength(1);
  });

  it("closes a run with no cluster at once", async () => {
    const w = createAuditWorld();
    const run = await startAuditRun(w.deps, { trigger: "timer" });
    expect(run.status).toBe("completed");
    expect(w.queued).toEqual([]);
  });

  it("refuses callers without the Audit.Run role", async () => {
    const service = createAuditService(createAuditWorld().deps);
    const result = await service.start(writer(["Connections.Write"]));
    expect(!result.ok && result.error.code).toBe("MissingAppRole");
  });
});

describe("audit correlation", () => {
  it("lists a shard's databases under the run's ID, so every ARM call of a run can be found by it", async () => {
    const w = createAuditWorld();
    await w.manage("a", specs.eventHub());
    const seen = new Set<string | undefined>();
    const list = w.deps.kusto.listByDatabase.bind(w.deps.kusto);
    const deps = {
      ...w.deps,
      kusto: {
        ...w.deps.kusto,
        listByDatabase: (key: Parameters<typeof list>[0]) => {
          seen.add(currentCorrelationId());
          return list(key);
        },
      },
    };

    await runShard(deps, w.message("run-corr"), 1);

    expect([...seen]).toEqual(["run-corr"]);
  });
});

// A fake world for the audit's use cases: the connection fakes (registry, journal, Kusto, verifier, notifier)
// on the demo IDs, plus in-memory inventory, queue, run store and report store. Kusto lists per database.
import type { AuditDeps } from "../../../../../src/lib/audit/deps";
import type { AuditReport, AuditRun, ClusterRef, ShardMessage, ShardResult } from "../../../../../src/lib/audit/model";
import type { AuditReportStore, AuditRunStore, KustoInventory, ShardStatusRecord } from "../../../../../src/lib/audit/ports";
import { requirementsFor } from "../../../../../src/lib/access/requirementsFor";
import { toConnectionId, type ConnectionKey, type DataConnectionSpec, type ManagedConnection } from "../../../../../src/lib/connections/model";
import type { KustoDataConnection } from "../../../../../src/lib/connections/ports";
import { AppError } from "../../../../../src/lib/errors";
import type { FailedEvent } from "../../../../../src/lib/revocation/ports";
import { createFakeAccessWorld } from "../../../../support/fakes/fakeAccessWorld";
import { ids, keyOf } from "../../../../support/fakes/demoIds";

export const demoCluster: ClusterRef = { subscriptionId: ids.subA, resourceGroup: "rg-adx-demo", cluster: "adxdemo" };

export function createAuditWorld(options: { mode?: "report" | "enforce"; databases?: string[] } = {}) {
  const world = createFakeAccessWorld();
  const { kusto } = world;
  const listCalls: string[] = [];
  const failListing = new Set<string>();
  // The shared fake lists every connection; an audit needs Kusto's per-database answer.
  kusto.listByDatabase = async function* (key) {
    listCalls.push(key.database);
    if (failListing.has(key.database)) throw new AppError("upstream", "KustoUnavailable", `listing ${key.database} failed`);
    const prefix = `${toConnectionId({ ...key, name: "" })}`.toLowerCase();
    for (const [id, c] of kusto.connections) if (id.startsWith(prefix)) yield structuredClone(c);
  };

  const databases = new Map<string, string[]>([["adxdemo", options.databases ?? ["telemetry", "audit"]]]);
  const inventory: KustoInventory & { failNext?: Error; listClustersCalls: number } = {
    listClustersCalls: 0,
    async listClusters() {
      inventory.listClustersCalls++;
      return [demoCluster];
    },
    async listDatabases(cluster) {
      if (inventory.failNext) {
        const e = inventory.failNext;
        inventory.failNext = undefined;
        throw e;
      }
      return [...(databases.get(cluster.cluster.toLowerCase()) ?? [])];
    },
  };

  const runs = new Map<string, AuditRun>();
  const shards = new Map<string, ShardStatusRecord>();
  let etag = 0;
  const runStore: AuditRunStore = {
    async createRun(run) {
      const saved = { ...structuredClone(run), etag: String(++etag) };
      runs.set(run.runId, saved);
      return structuredClone(saved);
    },
    async getRun(runId) {
      const r = runs.get(runId);
      return r ? structuredClone(r) : undefined;
    },
    async latestRun() {
      const all = [...runs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      return all[0] ? structuredClone(all[0]) : undefined;
    },
    async updateRun(run) {
      const current = runs.get(run.runId);
      if (!current || current.etag !== run.etag) return false;
      runs.set(run.runId, { ...structuredClone(run), etag: String(++etag) });
      return true;
    },
    async recordShard(record) {
      shards.set(`${record.runId}|${record.clusterId.toLowerCase()}`, structuredClone(record));
    },
    async listShards(runId) {
      return [...shards.values()].filter((s) => s.runId === runId).map((s) => structuredClone(s));
    },
  };
  const shardResults = new Map<string, ShardResult>();
  const reports = new Map<string, AuditReport>();
  const reportStore: AuditReportStore = {
    async putShardResult(result) {
      shardResults.set(`${result.runId}|${result.clusterId.toLowerCase()}`, structuredClone(result));
    },
    async listShardResults(runId) {
      return [...shardResults.values()].filter((r) => r.runId === runId).map((r) => structuredClone(r));
    },
    async putReport(report) {
      reports.set(report.runId, structuredClone(report));
    },
    async getReport(runId) {
      const r = reports.get(runId);
      return r ? structuredClone(r) : undefined;
    },
  };
  const queued: ShardMessage[] = [];
  const deadLettered: FailedEvent[] = [];
  const missingSources = new Set<string>();
  const probeCalls: string[] = [];
  let clock = new Date("2025-06-01T12:00:00.000Z");
  let counter = 0;

  const deps: AuditDeps = {
    registry: world.registry,
    journal: world.journal,
    kusto,
    inventory,
    verifierForRun: () => world.verifier,
    liveVerifier: world.verifier,
    requirementsFor,
    runs: runStore,
    reports: reportStore,
    queue: { enqueue: async (messages) => void queued.push(...structuredClone(messages)) },
    notifier: world.notifier,
    failedEvents: { recordFailure: async () => { throw new Error("not used"); }, listDeadLettered: async () => structuredClone(deadLettered) },
    sources: {
      async exists(_tenantId, resourceId) {
        probeCalls.push(resourceId);
        return !missingSources.has(resourceId.toLowerCase());
      },
    },
    settings: {
      mode: options.mode ?? "report",
      enforce: ["accessRevoked", "sourceMissing", "connectionMissing", "specDrift", "grantsChanged"],
      subscriptions: [],
      kustoWaitInMs: 50,
      maxShardAttempts: 5,
      runTimeoutInMs: 60 * 60_000,
    },
    now: () => clock,
    newId: () => `id${++counter}`,
  };

  /** A managed connection as the create would have recorded it (binding verified against the fake grants now). */
  async function manage(name: string, spec: DataConnectionSpec, database = "telemetry", options: { inKusto?: boolean; kustoSpec?: DataConnectionSpec } = {}): Promise<ManagedConnection> {
    const key: ConnectionKey = keyOf(name, database);
    const mode = typeof spec.properties.managedIdentityResourceId === "string" ? "managedIdentity" : "key";
    const principal =
      mode === "managedIdentity"
        ? { tenantId: ids.tenantA, objectId: ids.clusterPrincipal, kind: "clusterIdentity" as const, resourceId: spec.properties.managedIdentityResourceId as string }
        : { tenantId: ids.tenantA, objectId: ids.appPrincipal, kind: "appIdentity" as const };
    const requirements = await world.verifier.verify(principal, requirementsFor(spec, mode));
    world.verifier.calls.length = 0;
    const caller = { tenantId: ids.tenantA, objectId: ids.caller };
    const saved = await world.registry.save({
      id: toConnectionId(key),
      key,
      kind: spec.kind,
      authMode: mode,
      spec,
      binding: { principal, requirements, verifiedAt: clock.toISOString() },
      sourceResourceIds: Object.values(spec.properties).filter((v): v is string => typeof v === "string" && v.startsWith("/subscriptions/") && !v.includes("Microsoft.Kusto") && !v.includes("ManagedIdentity")),
      status: "Succeeded",
      createdBy: caller,
      createdAt: clock.toISOString(),
      updatedBy: caller,
      updatedAt: clock.toISOString(),
    });
    if (options.inKusto !== false) kusto.seed(key, options.kustoSpec ?? spec);
    return saved;
  }

  return {
    ...world,
    deps,
    inventory,
    runStore,
    runs,
    shardResults,
    reports,
    queued,
    deadLettered,
    missingSources,
    probeCalls,
    listCalls,
    failListing,
    manage,
    advance(ms: number) {
      clock = new Date(clock.getTime() + ms);
    },
    message(runId = "20250601T120000Z-test", mode: "report" | "enforce" = options.mode ?? "report"): ShardMessage {
      return { v: 1, runId, cluster: demoCluster, mode, enforce: mode === "enforce" ? deps.settings.enforce : [] };
    },
    kustoConnection(name: string, database = "telemetry"): KustoDataConnection | undefined {
      return kusto.connections.get(toConnectionId(keyOf(name, database)).toLowerCase());
    },
  };
}

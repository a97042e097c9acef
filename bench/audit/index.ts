// bench/audit: one audit run over a big generated world (bench/audit/world.ts: 20 clusters × 10 databases × 50
// connections = 10,000, 500 distinct principal/scope pairs) on the emulator with 50 ms latency on every ARM
// request and throttling on. The audit runs through its real use cases and ARM adapters (Kusto gateway,
// cluster lister, access reader with the run-scoped verifier cache) and the real Azurite stores for runs and
// reports; the registry is in memory (10,000 Table writes would only measure Azurite). Its 20 shards run
// concurrently in this process (one instance taking a batch; Functions scales them out across instances).
// Targets: ≤ 60 s; ARM reads within 1.2× of the floor (databases lists + per-database lists + distinct
// scopes + role definitions); ≥ 20× fewer calls than a naive per-connection strategy measured side by side
// (bench-only code below, on a sample of connections, extrapolated linearly: its cost is per connection).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startStack, type Stack } from "../../emulator/stack";
import { createAccessVerifier } from "../../src/lib/access/verifyAccess";
import { requirementsFor } from "../../src/lib/access/requirementsFor";
import { createAccessReader } from "../../src/lib/azure/accessReader";
import { createAuditStorageClients } from "../../src/lib/azure/auditStorage";
import { createAuditReportStore } from "../../src/lib/azure/auditReports";
import { createAuditRunStore } from "../../src/lib/azure/auditRuns";
import { createClusterLister } from "../../src/lib/azure/clusterLister";
import { createKustoGateway } from "../../src/lib/azure/kustoGateway";
import type { AuditDeps } from "../../src/lib/audit/deps";
import type { ShardMessage } from "../../src/lib/audit/model";
import { runShard } from "../../src/lib/audit/runShard";
import { createRunVerifiers } from "../../src/lib/audit/runVerifiers";
import { startAuditRun } from "../../src/lib/audit/startAuditRun";
import { mapLimit } from "../../src/lib/audit/mapLimit";
import type { ManagedConnection } from "../../src/lib/connections/model";
import { createFakeJournal } from "../../test/support/fakes/fakeJournal";
import { createFakeNotifier } from "../../test/support/fakes/fakeNotifier";
import { createFakeRegistry } from "../../test/support/fakes/fakeRegistry";
import { adminOf, loggedRequests, type LoggedRequest } from "../../test/support/emulatorAdmin";
import { httpsJson } from "../../test/support/httpsJson";
import { inProcessApp } from "../../test/support/inProcessApp";
import { printTable, writeResults } from "../lib/report";
import { buildWorld, shape } from "./world";

const naiveSample = Number(process.env.BENCH_AUDIT_NAIVE_SAMPLE ?? 200);

type Kind = "listDatabases" | "listConnections" | "getConnection" | "listAssignments" | "getRoleDefinition" | "other";
function kindOf(r: LoggedRequest): Kind {
  if (/\/clusters\/[^/]+\/databases$/i.test(r.path)) return "listDatabases";
  if (/\/dataConnections$/i.test(r.path)) return "listConnections";
  if (/\/dataConnections\/[^/]+$/i.test(r.path)) return "getConnection";
  if (/roleAssignments$/i.test(r.path)) return "listAssignments";
  if (/roleDefinitions\/[^/]+$/i.test(r.path)) return "getRoleDefinition";
  return "other";
}

function tally(requests: LoggedRequest[], appObjectId: string) {
  const mine = requests.filter((r) => r.principal?.objectId === appObjectId);
  const counts: Record<Kind | "throttled" | "total", number> = { listDatabases: 0, listConnections: 0, getConnection: 0, listAssignments: 0, getRoleDefinition: 0, other: 0, throttled: 0, total: 0 };
  for (const r of mine) {
    if (r.status === 429) {
      counts.throttled++;
      continue;
    }
    counts[kindOf(r)]++;
    counts.total++;
  }
  return counts;
}

/** Bench-only: what an audit without sharing does, per connection: read it, read its principal's assignments, read each role. */
async function naiveAudit(stack: Stack, records: readonly ManagedConnection[]): Promise<void> {
  const app = inProcessApp(stack);
  const kusto = createKustoGateway({ clientFor: (s, auth) => app.clients.kusto(s, auth) });
  const reader = createAccessReader({ clientFor: (t) => app.clients.authorization(t) });
  await mapLimit(records, 16, async (record) => {
    await kusto.get(record.key);
    // A fresh verifier per connection: no assignment or role-definition cache survives between connections.
    const verifier = createAccessVerifier({ reader, roleDefinitionTtlInMs: 0 });
    await verifier.verify(record.binding.principal, record.binding.requirements.map((s) => s.requirement));
  });
}

export async function main(): Promise<void> {
  const world = buildWorld(resolve("."));
  mkdirSync(join(process.cwd(), ".local"), { recursive: true });
  const stateDir = mkdtempSync(join(process.cwd(), ".local", "bench-audit-"));
  const stack = await startStack({ stateDir, world: world.seed, host: false, timeScale: 0, throttling: true, writeStackFile: false });
  const admin = adminOf(stack);
  const appObjectId = stack.world.appIdentityObjectId as string;
  try {
    const app = inProcessApp(stack, { REGISTRY_TABLE_PREFIX: `bench${process.pid}` });
    const registry = createFakeRegistry();
    for (const record of world.managed) await registry.save(record);
    const storage = createAuditStorageClients({ storage: app.settings.storage, credential: app.clients.credential, clientOptions: { tlsOptions: { ca: stack.emulator.caPem } } });
    const queued: ShardMessage[] = [];
    const reader = createAccessReader({ clientFor: (t) => app.clients.authorization(t) });
    const tables = { tableClient: (name: string) => app.clients.tableClient(name)!, tablePrefix: `bench${process.pid}` };
    const deps: AuditDeps = {
      registry,
      journal: createFakeJournal(),
      kusto: createKustoGateway({ clientFor: (s, auth) => app.clients.kusto(s, auth) }),
      inventory: createClusterLister({ clientFor: (s) => app.clients.kusto(s) }),
      verifierForRun: createRunVerifiers({ reader }),
      liveVerifier: createAccessVerifier({ reader }),
      requirementsFor,
      runs: createAuditRunStore(tables),
      reports: createAuditReportStore({ container: storage.container("audit-reports")! }),
      queue: { enqueue: async (messages) => void queued.push(...messages) },
      notifier: createFakeNotifier(),
      settings: { mode: "report", enforce: [], subscriptions: [], kustoWaitInMs: 5000, maxShardAttempts: 5, runTimeoutInMs: 3_600_000 },
    };
    // Warm the stores and the identity's token outside the measurement.
    await deps.runs.latestRun();
    await app.clients.credential.getToken(`${app.settings.armAudience}.default`);

    await httpsJson(`${admin.adminUrl}/faults`, { ca: admin.caPem, method: "POST", body: { id: "latency", pattern: "*", latency: { minInMs: 50, maxInMs: 50 } } });
    await httpsJson(`${admin.adminUrl}/requests`, { ca: admin.caPem, method: "DELETE" });
    const started = performance.now();
    const run = await startAuditRun(deps, { trigger: "api", requestedBy: "bench" });
    await Promise.all(queued.map((message) => runShard(deps, message, 1)));
    const wallInMs = performance.now() - started;
    const audit = tally(await loggedRequests(admin), appObjectId);
    const closed = await deps.runs.getRun(run.runId);
    const report = await deps.reports.getReport(run.runId);

    const roleDefinitions = 1; // one role (Event Hubs Data Receiver), one tenant
    const floor = shape.clusters + shape.clusters * shape.databasesPerCluster + world.distinctScopes + roleDefinitions;

    await httpsJson(`${admin.adminUrl}/requests`, { ca: admin.caPem, method: "DELETE" });
    const sample = world.managed.slice(0, naiveSample);
    const naiveStarted = performance.now();
    await naiveAudit(stack, sample);
    const naiveWallInMs = performance.now() - naiveStarted;
    const naive = tally(await loggedRequests(admin), appObjectId);
    const naivePerConnection = naive.total / sample.length;
    const naiveProjected = Math.round(naivePerConnection * world.connections);
    await httpsJson(`${admin.adminUrl}/faults`, { ca: admin.caPem, method: "DELETE" });

    const figures = {
      connections: world.connections,
      clusters: shape.clusters,
      databases: shape.clusters * shape.databasesPerCluster,
      distinctPrincipalScopes: world.distinctScopes,
      wallSeconds: wallInMs / 1000,
      armReads: audit.total,
      armFloor: floor,
      armReadsOverFloor: audit.total / floor,
      listDatabases: audit.listDatabases,
      listConnections: audit.listConnections,
      listAssignments: audit.listAssignments,
      getRoleDefinition: audit.getRoleDefinition,
      getConnection: audit.getConnection,
      otherReads: audit.other,
      throttled429: audit.throttled,
      findings: report?.summary.findings ?? -1,
      unmanagedFindings: report?.summary.byType.unmanagedConnection ?? -1,
      runCompleted: closed?.status === "completed",
      naiveSampleConnections: sample.length,
      naiveSampleReads: naive.total,
      naiveSampleThrottled429: naive.throttled,
      naiveSampleSeconds: naiveWallInMs / 1000,
      naiveReadsPerConnection: naivePerConnection,
      naiveProjectedReads: naiveProjected,
      callReduction: naiveProjected / audit.total,
      meetsTime: wallInMs <= 60_000,
      meetsFloor: audit.total <= 1.2 * floor,
      meetsReduction: naiveProjected / audit.total >= 20,
    };
    printTable(
      `bench/audit: ${world.connections} connections, ${shape.clusters} clusters, ${world.distinctScopes} distinct principal/scope pairs, 50 ms ARM latency, throttling on`,
      [
        ["audit run (shared caches)", audit.total, audit.listDatabases, audit.listConnections, audit.listAssignments, audit.getRoleDefinition, audit.getConnection, audit.throttled, wallInMs / 1000],
        [`naive, ${sample.length} connections measured`, naive.total, naive.listDatabases, naive.listConnections, naive.listAssignments, naive.getRoleDefinition, naive.getConnection, naive.throttled, naiveWallInMs / 1000],
        [`naive, projected to ${world.connections}`, naiveProjected, "", "", "", "", "", "", ""],
        ["floor", floor, shape.clusters, shape.clusters * shape.databasesPerCluster, world.distinctScopes, roleDefinitions, 0, "", ""],
      ],
      ["strategy", "ARM reads", "list dbs", "list conns", "assignments", "role defs", "get conn", "429s", "seconds"],
    );
    console.log(
      `\nreads/floor ${(audit.total / floor).toFixed(3)} (≤ 1.2), naive/audit ${(naiveProjected / audit.total).toFixed(1)}× (≥ 20), wall ${(wallInMs / 1000).toFixed(1)} s (≤ 60), run ${closed?.status}, findings ${report?.summary.findings}`,
    );
    console.log(`results: ${writeResults("audit", figures)}`);
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

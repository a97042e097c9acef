// bench/create: what one create costs the app. Runs the real use case (createConnectionsService) with the
// real adapters (Kusto gateway, access reader + verifier, table registry and journal, Event Grid notifier)
// in-process against the emulator and Azurite (LROs complete at once: time scale 0).
//
// Own time = wall time of upsert() minus the time spent awaiting its ports. Every port method is wrapped
// and its await time is charged, through AsyncLocalStorage, to the create that made the call; an upsert's
// port calls are sequential, so the subtraction is exact. What remains is the use case's own CPU (policy,
// binding, requirements, evaluation, record building) plus promise scheduling; SDK serialization inside the
// adapters counts as I/O. Target: own time p50 ≤ 10 ms.
// Then: 50 concurrent creates of distinct connections (each must succeed exactly once: one PUT, one record),
// 10 concurrent identical PUTs (one connection; each answer a success or a clear 409), and the ARM calls per
// create by operation from the emulator's request log (also for a repeated, unchanged PUT).
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startStack, type Stack } from "../../emulator/stack";
import { requirementsFor } from "../../src/lib/access/requirementsFor";
import { createAccessVerifier } from "../../src/lib/access/verifyAccess";
import type { Caller } from "../../src/lib/auth/caller";
import { createAccessReader } from "../../src/lib/azure/accessReader";
import { createEventGridNotifier } from "../../src/lib/azure/eventGridNotifier";
import { createKustoGateway } from "../../src/lib/azure/kustoGateway";
import { createTableOutbox } from "../../src/lib/azure/outbox";
import { createTableJournal } from "../../src/lib/azure/tableJournal";
import { createTableRegistry } from "../../src/lib/azure/tableRegistry";
import { createConnectionsService } from "../../src/lib/connections/createConnectionsService";
import type { ConnectionsDeps } from "../../src/lib/connections/deps";
import type { ConnectionKey, DataConnectionSpec } from "../../src/lib/connections/model";
import type { UpsertOutcome } from "../../src/lib/connections/service";
import type { Result } from "../../src/lib/errors";
import { adminOf, loggedRequests, type LoggedRequest } from "../../test/support/emulatorAdmin";
import { httpsJson } from "../../test/support/httpsJson";
import { inProcessApp } from "../../test/support/inProcessApp";
import { printTable, writeResults } from "../lib/report";
import { summarize } from "../lib/stats";

const sequentialCreates = Number(process.env.BENCH_CREATE_RUNS ?? 100);
const concurrentCreates = 50;
const identicalPuts = 10;

/** Per create: time awaiting ports, by port. */
interface IoLedger {
  totalInMs: number;
}
const ledger = new AsyncLocalStorage<IoLedger>();

/** Wraps every method of a port so the time its promise takes is charged to the current create. */
function instrument<T extends object>(port: T): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const started = performance.now();
        const charge = () => {
          const io = ledger.getStore();
          if (io) io.totalInMs += performance.now() - started;
        };
        return result.then(
          (v: unknown) => (charge(), v),
          (e: unknown) => {
            charge();
            throw e;
          },
        );
      };
    },
  });
}


/** A request's operation, named by what ARM does (IDs and names folded away). */
function operationOf(r: LoggedRequest): string {
  const p = r.path.toLowerCase();
  if (p.includes("/checknameavailability")) return "POST checkNameAvailability";
  if (p.includes("/dataconnectionvalidation")) return "POST dataConnectionValidation";
  if (p.includes("/operationresults/")) return "GET operationResults (LRO poll)";
  if (p.includes("/providers/microsoft.authorization/roleassignments")) return `${r.method} roleAssignments`;
  if (p.includes("/providers/microsoft.authorization/roledefinitions")) return `${r.method} roleDefinitions`;
  if (/\/dataconnections\/[^/]+$/.test(p)) return `${r.method} dataConnection`;
  if (/\/clusters\/[^/]+$/.test(p)) return `${r.method} cluster`;
  return `${r.method} ${p.replace(/[0-9a-f-]{36}/g, "{id}")}`;
}

export async function main(): Promise<void> {
  mkdirSync(".local", { recursive: true });
  const stateDir = mkdtempSync(join(".local", "bench-create-"));
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  let stack: Stack | undefined;
  try {
    stack = await startStack({ stateDir, host: false, timeScale: 0, throttling: false, writeStackFile: false });
    const s = stack;
    const m = s.world;
    const { settings, clients, policy } = inProcessApp(s, { REGISTRY_TABLE_PREFIX: `bench${Date.now()}` });
    const tables = { tableClient: (name: string) => clients.tableClient(name)!, tablePrefix: settings.registry.tablePrefix };
    const deps: ConnectionsDeps = {
      registry: instrument(createTableRegistry(tables)),
      journal: instrument(createTableJournal(tables)),
      kusto: instrument(createKustoGateway({ clientFor: (sub, auth) => clients.kusto(sub, auth) })),
      verifier: instrument(createAccessVerifier({ reader: createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) }) })),
      requirementsFor,
      policy,
      notifier: instrument(createEventGridNotifier({ client: clients.eventGridPublisher(), outbox: createTableOutbox(tables) })),
      settings: {
        appTenantId: settings.app.tenantId,
        appPrincipalId: settings.app.principalId,
        sourceTenants: settings.crossTenant.sourceTenants,
        kustoWaitInMs: settings.kusto.waitInMs,
      },
    };
    const service = createConnectionsService(deps);
    const caller: Caller = { tenantId: m.kustoTenantId!, objectId: m.pipelineObjectId!, appId: m.pipelineAppId, roles: ["Connections.Read", "Connections.Write"] };
    const key = (name: string, database = "telemetry"): ConnectionKey => ({ subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database, name });
    const spec: DataConnectionSpec = { kind: "EventHub", location: m.location, properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" } };
    const admin = (path: string, method = "GET") => httpsJson(`${s.adminUrl}${path}`, { ca: s.emulator.caPem, method });
    const logged = () => loggedRequests(adminOf(s));

    async function timedUpsert(name: string, database = "telemetry"): Promise<{ result: Result<UpsertOutcome>; wallInMs: number; ioInMs: number }> {
      const io: IoLedger = { totalInMs: 0 };
      const started = performance.now();
      const result = await ledger.run(io, () => service.upsert({ caller, key: key(name, database), spec, access: {}, correlationId: `bench-${name}` }));
      return { result, wallInMs: performance.now() - started, ioInMs: io.totalInMs };
    }
    const check = (r: Result<UpsertOutcome>, name: string) => {
      if (!r.ok) throw new Error(`create ${name} failed: ${r.error.code} ${r.error.message}`);
      return r.value;
    };

    // Warm-up: tokens, table creation, role definition cache, JIT.
    for (let i = 0; i < 5; i++) check((await timedUpsert(`warm-${i}`, "audit")).result, `warm-${i}`);

    // 1. Sequential creates: own time per create.
    await admin("/requests", "DELETE");
    const own: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < sequentialCreates; i++) {
      const { result, wallInMs, ioInMs } = await timedUpsert(`seq-${i}`);
      if (check(result, `seq-${i}`).status !== "created") throw new Error(`seq-${i} was not created`);
      own.push(wallInMs - ioInMs);
      wall.push(wallInMs);
    }
    const perOperation = new Map<string, number>();
    for (const r of await logged()) perOperation.set(operationOf(r), (perOperation.get(operationOf(r)) ?? 0) + 1);
    const armPerCreate = [...perOperation.values()].reduce((a, b) => a + b, 0) / sequentialCreates;

    // 2. The same PUT again: unchanged, and what it still reads.
    await admin("/requests", "DELETE");
    for (let i = 0; i < 10; i++) if (check((await timedUpsert(`seq-${i}`)).result, `seq-${i}`).status !== "unchanged") throw new Error("repeat was not unchanged");
    const repeatCalls = (await logged()).length / 10;

    // 3. 50 concurrent creates of distinct connections: each exactly once.
    await admin("/requests", "DELETE");
    const concurrentStarted = performance.now();
    const concurrent = await Promise.all(Array.from({ length: concurrentCreates }, (_, i) => timedUpsert(`par-${i}`)));
    const concurrentWallInMs = performance.now() - concurrentStarted;
    const created = concurrent.filter((c) => c.result.ok && c.result.value.status === "created").length;
    const puts = (await logged()).filter((r) => r.method === "PUT" && /\/dataconnections\/par-\d+$/i.test(r.path) && r.status < 300);
    const putNames = new Set(puts.map((r) => r.path.split("/").pop()!.toLowerCase()));
    const listed = await service.list(caller, { database: "telemetry" }, { pageSize: 1000 });
    const recorded = listed.ok ? listed.value.items.filter((c) => c.key.name.startsWith("par-")).length : -1;
    const exactlyOnce = created === concurrentCreates && puts.length === concurrentCreates && putNames.size === concurrentCreates && recorded === concurrentCreates;

    // 4. Identical concurrent PUTs: one connection.
    const twins = await Promise.all(Array.from({ length: identicalPuts }, () => timedUpsert("twin")));
    const twinOutcomes = twins.map((t) => (t.result.ok ? t.result.value.status : `${t.result.error.kind}:${t.result.error.code}`));
    const twinSuccesses = twinOutcomes.filter((o) => o === "created" || o === "unchanged" || o === "updated" || o === "accepted").length;
    const twinClear409 = twinOutcomes.filter((o) => o.startsWith("conflict:")).length;
    const afterTwins = await service.list(caller, { database: "telemetry" }, { pageSize: 1000 });
    const twinRecords = afterTwins.ok ? afterTwins.value.items.filter((c) => c.key.name === "twin").length : -1;

    const o = summarize(own);
    const w = summarize(wall);
    const c = summarize(concurrent.map((x) => x.wallInMs));
    printTable(
      `Create: ${sequentialCreates} sequential creates (EventHub, key mode) through the real adapters, ms`,
      [
        ["own time (wall − awaited I/O)", o.median, o.p95, o.max],
        ["wall time (incl. ARM and Storage)", w.median, w.p95, w.max],
        [`wall time, ${concurrentCreates} concurrent`, c.median, c.p95, c.max],
      ],
      ["measure", "p50", "p95", "max"],
    );
    printTable(
      "ARM calls per create, by operation (emulator request log)",
      [...perOperation.entries()].sort().map(([op, n]) => [op, n / sequentialCreates]),
      ["operation", "per create"],
    );
    console.log(`\nARM calls per create: ${armPerCreate.toFixed(2)}; per unchanged repeat PUT: ${repeatCalls.toFixed(2)}`);
    console.log(`own time p50 ${o.median.toFixed(2)} ms (target ≤ 10 ms)`);
    console.log(`${concurrentCreates} concurrent creates: ${created} created, ${puts.length} PUTs (${putNames.size} distinct), ${recorded} records, in ${concurrentWallInMs.toFixed(0)} ms`);
    console.log(`${identicalPuts} identical concurrent PUTs: ${twinOutcomes.join(", ")} → ${twinRecords} connection(s)`);

    const figures: Record<string, number | boolean> = {
      sequentialCreates,
      ownTimeP50Ms: o.median,
      ownTimeP95Ms: o.p95,
      wallTimeP50Ms: w.median,
      wallTimeP95Ms: w.p95,
      meetsOwnTimeTarget: o.median <= 10,
      concurrentCreates,
      concurrentCreated: created,
      concurrentPuts: puts.length,
      concurrentRecords: recorded,
      concurrentExactlyOnce: exactlyOnce,
      concurrentWallMs: concurrentWallInMs,
      concurrentP50Ms: c.median,
      identicalPuts,
      identicalSuccesses: twinSuccesses,
      identicalClear409s: twinClear409,
      identicalConnections: twinRecords,
      armCallsPerCreate: armPerCreate,
      armCallsPerUnchangedPut: repeatCalls,
    };
    for (const [op, n] of perOperation) figures[`arm_${op.replace(/[^A-Za-z]+/g, "_").replace(/^_|_$/g, "")}`] = n / sequentialCreates;
    writeResults("create", figures);
    if (!exactlyOnce) throw new Error("concurrent creates did not each succeed exactly once");
    if (twinRecords !== 1 || twinSuccesses + twinClear409 !== identicalPuts) throw new Error("identical PUTs did not converge on one connection");
  } finally {
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    else process.env.IDENTITY_ENDPOINT = saved.endpoint;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    else process.env.IDENTITY_HEADER = saved.header;
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

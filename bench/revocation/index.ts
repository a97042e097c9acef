// bench/revocation: the revocation use case with the real adapters (wireRevocation: table registry, ledger and
// journal on Azurite; access reader, source reader and Kusto gateway on the emulator), in-process, with 50 ms of
// ARM latency on every request and ARM throttling on. Events are fed as the host hands them over (one handle()
// per event, the events of a batch concurrently).
// (a) 10,000 role-assignment deletions that concern no managed connection: ARM calls (from the emulator's
//     request log: target 0) and events/s (target ≥ 1,000).
// (b) a storm of 2,000 deletion events in batches of 100, 10 % duplicates, 200 of them removing the only grant
//     of 200 managed connections: each removed exactly once (one Kusto DELETE, record Deleted), ARM calls per
//     removed connection by operation (target ≤ 3 plus LRO polls), and event received → DELETE accepted
//     (the emulator's log: request start + duration), p50/p99 (target p99 ≤ 1 s).
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startStack, type Stack } from "../../emulator/stack";
import type { Caller } from "../../src/lib/auth/caller";
import { createTableRegistry } from "../../src/lib/azure/tableRegistry";
import type { ConnectionKey, ManagedConnection } from "../../src/lib/connections/model";
import type { ResourceEvent } from "../../src/lib/revocation/model";
import { wireConnections, wireRevocation } from "../../src/lib/root";
import { adminOf, loggedRequests, type LoggedRequest } from "../../test/support/emulatorAdmin";
import { httpsJson } from "../../test/support/httpsJson";
import { inProcessApp } from "../../test/support/inProcessApp";
import { printTable, writeResults } from "../lib/report";
import { summarize } from "../lib/stats";

const quietEvents = Number(process.env.BENCH_REVOCATION_QUIET ?? 10_000);
const stormEvents = 2_000;
const batchSize = 100;
const removed = 200;
const duplicates = stormEvents / 10;
const quietBatchesInFlight = Number(process.env.BENCH_REVOCATION_BATCHES ?? 4);
const redeliveryDelaysInMs = [100, 300, 600, 3000];
const receiverRole = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";

export async function main(): Promise<void> {
  mkdirSync(".local", { recursive: true });
  const stateDir = mkdtempSync(join(".local", "bench-revocation-"));
  const stack = await startStack({ stateDir, host: false, timeScale: 0, throttling: false, writeStackFile: false });
  try {
    await run(stack);
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function run(stack: Stack): Promise<void> {
  const m = stack.world;
  const ca = stack.emulator.caPem;
  const sub = `/subscriptions/${m.kustoSubscriptionId}`;
  const alice = ((await httpsJson(`${stack.adminUrl}/tokens`, { ca, method: "POST", body: { objectId: m.adminUserObjectId, audience: "https://management.azure.com/" } })).body as { accessToken: string }).accessToken;
  const arm = async (method: string, path: string, apiVersion: string, body?: unknown) => {
    const res = await httpsJson(`${stack.armEndpoint}${path}?api-version=${apiVersion}`, { ca, method, token: alice, ...(body === undefined ? {} : { body }) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const app = inProcessApp(stack);
  const service = wireConnections(app.settings, app.clients, app.policy).service;
  const revocation = wireRevocation(app.settings, app.clients);
  const handler = revocation.handlerFor();

  // ---- setup (no latency, no throttling): 200 hubs, each read by one MI connection through one direct grant.
  console.log(`setting up ${removed} event hubs, grants and managed connections ...`);
  const caller: Caller = { tenantId: m.kustoTenantId!, objectId: m.adminUserObjectId!, name: "bench", roles: ["Connections.Read", "Connections.Write"] };
  const setups = Array.from({ length: removed }, (_, i) => ({ hub: `${m.eventHubNamespaceResourceId}/eventhubs/rvb-${i}`, assignment: randomUUID(), name: `rvb-${i}` }));
  await inBatches(setups, 20, async (s) => {
    await arm("PUT", s.hub, "2024-01-01", { properties: {} });
    await arm("PUT", `${s.hub}/consumergroups/adx`, "2024-01-01", { properties: {} });
    await arm("PUT", `${s.hub}/providers/Microsoft.Authorization/roleAssignments/${s.assignment}`, "2022-04-01", {
      properties: { roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${receiverRole}`, principalId: m.kustoClusterPrincipalId },
    });
  });
  const keyOf = (name: string): ConnectionKey => ({ subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database: "telemetry", name });
  const connections = new Map<string, ManagedConnection>();
  await inBatches(setups, 10, async (s) => {
    const result = await service.upsert({
      caller,
      key: keyOf(s.name),
      spec: { kind: "EventHub", location: m.location, properties: { eventHubResourceId: s.hub, consumerGroup: "adx", tableName: "Events", dataFormat: "JSON", managedIdentityResourceId: m.kustoClusterResourceId } },
      access: {},
      correlationId: `bench-${s.name}`,
    });
    if (!result.ok) throw result.error;
    connections.set(s.name, result.value.connection);
  });
  const grantOf = (name: string) => connections.get(name)!.binding.requirements[0]!.grants[0]!.roleAssignmentId;
  // The storm's 200 assignments are really deleted (the live check must find them gone).
  await inBatches(setups, 20, (s) => arm("DELETE", grantOf(s.name), "2022-04-01"));

  // ---- the measured part: 50 ms on every ARM request, ARM's token buckets on.
  await httpsJson(`${stack.adminUrl}/faults`, { ca, method: "POST", body: { pattern: "*", latency: { minInMs: 50, maxInMs: 50 } } });
  await httpsJson(`${stack.adminUrl}/settings`, { ca, method: "POST", body: { throttling: true } });

  const unrelated = (i: number): ResourceEvent => deletionEvent(m, `${sub}/resourceGroups/rg-unrelated-${i % 50}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`);

  // (a) quiet events
  const beforeQuiet = await appRequests(stack);
  const quiet = Array.from({ length: quietEvents }, (_, i) => unrelated(i));
  const quietStarted = performance.now();
  // Batches in flight at once (the host runs deliveries concurrently; Event Grid keeps several outstanding).
  await inBatches(chunk(quiet, batchSize), quietBatchesInFlight, async (batch) => void (await Promise.all(batch.map((e) => handler.handle(e)))));
  const quietSeconds = (performance.now() - quietStarted) / 1000;
  const quietArm = (await appRequests(stack)).length - beforeQuiet.length;
  console.log(`(a) ${quietEvents} quiet events: ${Math.round(quietEvents / quietSeconds)} events/s, ${quietArm} ARM calls`);

  // (b) the storm
  const real = setups.map((s) => deletionEvent(m, grantOf(s.name)));
  const storm = shuffle([...real, ...real.slice(0, duplicates).map((e) => structuredClone(e)), ...Array.from({ length: stormEvents - removed - duplicates }, (_, i) => unrelated(i))]);
  const receivedAt = new Map<string, number>();
  const beforeStorm = await appRequests(stack);
  const stormStarted = performance.now();
  let failures = 0;
  const failuresByCode = new Map<string, number>();
  await inBatches(chunk(storm, batchSize), 4, async (batch) => {
    await Promise.all(
      batch.map(async (e) => {
        if (!receivedAt.has(e.id)) receivedAt.set(e.id, Date.now());
        // A failed event (an ARM error, or a duplicate still in progress elsewhere: EventInProgress) is
        // redelivered as Event Grid would after the host's 500: its schedule (10 s, 30 s, 1 min, 5 min, ...) / 100.
        for (let attempt = 0; ; attempt++) {
          try {
            return await handler.handle(e);
          } catch (error) {
            failures++;
            const code = (error as { code?: string }).code ?? "Unexpected";
            failuresByCode.set(code, (failuresByCode.get(code) ?? 0) + 1);
            if (attempt >= redeliveryDelaysInMs.length) throw error;
            await new Promise((r) => setTimeout(r, redeliveryDelaysInMs[attempt]));
          }
        }
      }),
    );
  });
  const stormSeconds = (performance.now() - stormStarted) / 1000;
  const stormRequests = (await appRequests(stack)).slice(beforeStorm.length);

  // Exactly once: one Kusto DELETE per connection, every record Deleted.
  const deletes = stormRequests.filter((r) => r.method === "DELETE" && /\/dataConnections\//i.test(r.path));
  const perConnection = new Map<string, LoggedRequest[]>();
  for (const d of deletes) perConnection.set(d.path.split("/").pop()!.toLowerCase(), [...(perConnection.get(d.path.split("/").pop()!.toLowerCase()) ?? []), d]);
  const registry = createTableRegistry({ tableClient: (name) => app.clients.tableClient(name)!, tablePrefix: app.settings.registry.tablePrefix });
  const records = await Promise.all(setups.map((s) => registry.get(keyOf(s.name))));
  const deletedRecords = records.filter((r) => r?.status === "Deleted").length;
  const exactlyOnce = setups.every((s) => (perConnection.get(s.name.toLowerCase())?.length ?? 0) === 1) && deletedRecords === removed;

  // ARM calls per removed connection, by operation (LRO polls apart).
  const isPoll = (r: LoggedRequest) => /\/operationResults\//i.test(r.path);
  const byOperation = new Map<string, number>();
  for (const r of stormRequests.filter((x) => !isPoll(x) && x.status !== 429)) {
    const op = `${r.method} ${r.action ?? operationOf(r.path)}`;
    byOperation.set(op, (byOperation.get(op) ?? 0) + 1);
  }
  const polls = stormRequests.filter(isPoll).length;
  // 429s are ARM's token bucket answering (the SDK retries after Retry-After): counted apart from the calls made.
  const throttledRequests = stormRequests.filter((r) => r.status === 429);
  const throttled = throttledRequests.filter((r) => !isPoll(r)).length;
  const throttledByOperation = new Map<string, number>();
  for (const r of throttledRequests) {
    const op = `${r.method} ${isPoll(r) ? "(LRO poll)" : (r.action ?? operationOf(r.path))}`;
    throttledByOperation.set(op, (throttledByOperation.get(op) ?? 0) + 1);
  }
  const armPerRemoved = (stormRequests.length - polls - throttled) / removed;

  // Event received → DELETE accepted (the emulator's log: start + duration).
  const eventOf = new Map(setups.map((s, i) => [s.name.toLowerCase(), real[i]!.id]));
  const latencies = deletes.map((d) => {
    const name = d.path.split("/").pop()!.toLowerCase();
    const full = d as LoggedRequest & { time: string; durationInMs: number };
    return Date.parse(full.time) + full.durationInMs - (receivedAt.get(eventOf.get(name) ?? "") ?? Number.NaN);
  });
  const latency = summarize(latencies.filter(Number.isFinite));

  printTable(
    "revocation (50 ms ARM latency, throttling on)",
    [
      ["(a) quiet events", quietEvents],
      ["(a) ARM calls", quietArm],
      ["(a) events/s", quietEvents / quietSeconds],
      ["(b) storm events (incl. duplicates)", storm.length],
      ["(b) connections removed", deletedRecords],
      ["(b) Kusto DELETEs", deletes.length],
      ["(b) each removed exactly once", exactlyOnce ? "yes" : "NO"],
      ["(b) ARM calls per removed connection (no polls)", armPerRemoved],
      ["(b) LRO polls", polls],
      ["(b) throttled (429) answers, retried", throttled],
      ["(b) failed attempts (redelivered)", failures],
      ["(b) storm seconds", stormSeconds],
      ["(b) received → DELETE accepted p50 ms", latency.median],
      ["(b) received → DELETE accepted p99 ms", latency.p99],
    ],
    ["figure", "value"],
  );
  printTable("(b) ARM calls by operation", [...byOperation].sort((a, b) => b[1] - a[1]).map(([op, n]) => [op, n, n / removed]), ["operation", "calls", "per removed"]);
  if (failuresByCode.size > 0) printTable("(b) failed attempts by error code", [...failuresByCode], ["code", "attempts"]);
  if (throttledByOperation.size > 0) printTable("(b) throttled (429) answers by operation", [...throttledByOperation], ["operation", "429s"]);
  const file = writeResults("revocation", {
    quietEvents,
    quietArmCalls: quietArm,
    quietEventsPerSecond: Math.round(quietEvents / quietSeconds),
    stormEvents: storm.length,
    stormDuplicates: duplicates,
    connectionsRemoved: deletedRecords,
    kustoDeletes: deletes.length,
    removedExactlyOnce: exactlyOnce,
    armCallsPerRemovedConnection: Number(armPerRemoved.toFixed(2)),
    lroPolls: polls,
    throttledAnswers: throttled,
    failedAttempts: failures,
    stormSeconds: Number(stormSeconds.toFixed(2)),
    receivedToDeleteAcceptedP50InMs: Math.round(latency.median),
    receivedToDeleteAcceptedP99InMs: Math.round(latency.p99),
  });
  console.log(`\nwrote ${file}`);
}

function deletionEvent(m: Record<string, string>, resourceUri: string): ResourceEvent {
  const id = randomUUID();
  return {
    id,
    type: "Microsoft.Resources.ResourceDeleteSuccess",
    topic: `/subscriptions/${m.kustoSubscriptionId}`,
    subject: resourceUri,
    time: new Date().toISOString(),
    schema: "EventGrid",
    data: { operationName: "Microsoft.Authorization/roleAssignments/delete", resourceUri, tenantId: m.kustoTenantId!, subscriptionId: m.kustoSubscriptionId!, correlationId: id, status: "Succeeded", actor: { objectId: m.adminUserObjectId } },
  };
}

/** The app identity's requests in the emulator's log (the setup's are Alice's). */
async function appRequests(stack: Stack): Promise<LoggedRequest[]> {
  return (await loggedRequests(adminOf(stack))).filter((r) => r.principal?.objectId === stack.world.appIdentityObjectId);
}

function operationOf(path: string): string {
  return path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, "{id}").replace(/\/(rvb-\d+|rg-unrelated-\d+)/g, "/{name}");
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

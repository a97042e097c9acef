// The registry against Azurite (HTTPS) with the real Tables SDK: insert, conflicts, ETag preconditions,
// index reconciliation, the revocation lookups, list filters and paging.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { odata } from "@azure/data-tables";
import { createTableRegistry, type TableRegistry } from "../../../src/lib/azure/tableRegistry";
import type { ConnectionKey, ManagedConnection } from "../../../src/lib/connections/model";
import { AppError } from "../../../src/lib/errors";
import { connectionKey, eventHubId, managedConnection, roleAssignmentId, SOURCE_SUB, SUB } from "../../unit/lib/registry/connectionFixture";
import { startAzuriteTables, type AzuriteTables } from "./azuriteHarness";

let tables: AzuriteTables;

beforeAll(async () => {
  tables = await startAzuriteTables();
});
afterAll(async () => {
  await tables?.close();
});

function newRegistry(): { registry: TableRegistry; prefix: string } {
  const prefix = tables.newPrefix();
  return { registry: createTableRegistry({ tableClient: tables.tableClient, tablePrefix: prefix }), prefix };
}

const RA = (n: number, scope = eventHubId()): string => roleAssignmentId(scope, `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, "0")}`);
const sortKeys = (keys: ConnectionKey[]): string[] => keys.map((k) => k.name).sort();

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("save and get", () => {
  it("inserts a new connection, returns its ETag, and reads it back in any casing", async () => {
    const { registry } = newRegistry();
    const connection = managedConnection();
    const saved = await registry.save(connection);
    expect(saved.etag).toBeTruthy();
    const key = connection.key;
    const read = await registry.get({ ...key, cluster: key.cluster.toUpperCase(), name: key.name.toUpperCase() });
    expect(read).toEqual(saved);
    expect(await registry.get({ ...key, name: "missing" })).toBeUndefined();
  });

  it("refuses a second insert of the same connection with conflict ConnectionExists", async () => {
    const { registry } = newRegistry();
    await registry.save(managedConnection());
    const error = await rejection(registry.save(managedConnection({ key: connectionKey({ name: "INGEST-TELEMETRY" }) })));
    expect([error.kind, error.code]).toEqual(["conflict", "ConnectionExists"]);
  });

  it("replaces with the current ETag and refuses a stale one with preconditionFailed ConcurrentUpdate", async () => {
    const { registry } = newRegistry();
    const first = await registry.save(managedConnection({ status: "Provisioning" }));
    const second = await registry.save({ ...first, status: "Succeeded" });
    expect(second.etag).not.toBe(first.etag);
    expect((await registry.get(first.key))?.status).toBe("Succeeded");
    const error = await rejection(registry.save({ ...first, status: "Failed" }));
    expect([error.kind, error.code]).toEqual(["preconditionFailed", "ConcurrentUpdate"]);
    expect((await registry.get(first.key))?.status).toBe("Succeeded");
  });

  it("lets exactly one of two concurrent saves from the same read win", async () => {
    const { registry } = newRegistry();
    const base = await registry.save(managedConnection({ status: "Provisioning" }));
    const results = await Promise.allSettled([registry.save({ ...base, status: "Succeeded" }), registry.save({ ...base, status: "Failed" })]);
    const won = results.filter((r): r is PromiseFulfilledResult<ManagedConnection> => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ kind: "preconditionFailed", code: "ConcurrentUpdate" });
    expect((await registry.get(base.key))?.status).toBe(won[0]?.value.status);
  });

  it("refuses a replace of a connection that is not stored", async () => {
    const { registry } = newRegistry();
    const error = await rejection(registry.save({ ...managedConnection(), etag: 'W/"datetime\'2020-01-01T00%3A00%3A00Z\'"' }));
    expect(error.code).toBe("ConcurrentUpdate");
  });

  it("stores a record larger than one property allows", async () => {
    const { registry } = newRegistry();
    const big = managedConnection({ spec: { kind: "EventHub", properties: { notes: "n".repeat(100_000), eventHubResourceId: eventHubId() } } });
    const saved = await registry.save(big);
    expect(await registry.get(big.key)).toEqual(saved);
  });
});

describe("indexes", () => {
  it("finds a connection by each of its grants, in any casing, and by nothing else", async () => {
    const { registry } = newRegistry();
    const connection = await registry.save(managedConnection({ grants: [RA(1), RA(2)] }));
    expect(await registry.findByRoleAssignment(RA(1).toUpperCase())).toEqual([connection.key]);
    expect(await registry.findByRoleAssignment(RA(2))).toEqual([connection.key]);
    expect(await registry.findByRoleAssignment(RA(3))).toEqual([]);
  });

  it("returns every connection that depends on one shared grant", async () => {
    const { registry } = newRegistry();
    const shared = RA(7, `/subscriptions/${SUB}/resourceGroups/rg-sources-demo`);
    for (const name of ["a", "b", "c"]) await registry.save(managedConnection({ key: connectionKey({ name }), grants: [shared] }));
    await registry.save(managedConnection({ key: connectionKey({ name: "other" }), grants: [RA(8)] }));
    expect(sortKeys(await registry.findByRoleAssignment(shared))).toEqual(["a", "b", "c"]);
  });

  it("moves the index entries when grants and sources change, and drops the old ones", async () => {
    const { registry } = newRegistry();
    const hub1 = eventHubId("ns1", "hub");
    const hub2 = eventHubId("ns2", "hub");
    const first = await registry.save(managedConnection({ grants: [RA(1, hub1), RA(2, hub1)], sources: [hub1] }));
    const changed = managedConnection({ grants: [RA(2, hub1), RA(3, hub2)], sources: [hub2] });
    await registry.save({ ...changed, etag: first.etag });
    expect(await registry.findByRoleAssignment(RA(1, hub1))).toEqual([]);
    expect(await registry.findByRoleAssignment(RA(2, hub1))).toEqual([first.key]);
    expect(await registry.findByRoleAssignment(RA(3, hub2))).toEqual([first.key]);
    expect(await registry.findBySourceScope(hub1)).toEqual([]);
    expect(await registry.findBySourceScope(hub2)).toEqual([first.key]);
  });

  it("repairs an index a crash left incomplete on the next save", async () => {
    const { registry, prefix } = newRegistry();
    const saved = await registry.save(managedConnection({ grants: [RA(1)] }));
    // Simulate a crash after the ledger announced a row but before the index row was written.
    const grants = tables.tableClient(`${prefix}GrantIndex`);
    const ledger = tables.tableClient(`${prefix}IndexLedger`);
    for await (const row of grants.listEntities()) await grants.deleteEntity(row.partitionKey as string, row.rowKey as string);
    for await (const row of ledger.listEntities({ queryOptions: { filter: odata`RowKey ge 'g' and RowKey lt 'h'` } })) {
      await ledger.updateEntity({ partitionKey: row.partitionKey as string, rowKey: row.rowKey as string, indexed: false }, "Merge");
    }
    expect(await registry.findByRoleAssignment(RA(1))).toEqual([]);
    await registry.save({ ...saved, status: "Succeeded" });
    expect(await registry.findByRoleAssignment(RA(1))).toEqual([saved.key]);
  });

  it("removes a stale index row a crash left behind, because the ledger still lists it", async () => {
    const { registry, prefix } = newRegistry();
    const saved = await registry.save(managedConnection({ grants: [RA(1)] }));
    // Simulate a crash after the record dropped RA(1) but before the index was reconciled.
    const connections = tables.tableClient(`${prefix}Connections`);
    const withoutGrant = managedConnection({ grants: [RA(2)] });
    const { toConnectionEntity } = await import("../../../src/lib/registry/connectionEntity");
    const written = await connections.updateEntity(toConnectionEntity(withoutGrant), "Replace", { etag: saved.etag });
    expect(await registry.findByRoleAssignment(RA(1))).toEqual([saved.key]); // stale, for now
    await registry.save({ ...withoutGrant, etag: written.etag });
    expect(await registry.findByRoleAssignment(RA(1))).toEqual([]);
    expect(await registry.findByRoleAssignment(RA(2))).toEqual([saved.key]);
  });

  it("finds connections by source at subscription, resource group and resource scope", async () => {
    const { registry } = newRegistry();
    const rgA = `/subscriptions/${SOURCE_SUB}/resourceGroups/rg-a`;
    const hubA = eventHubId("ns-a", "hub", SOURCE_SUB, "rg-a");
    const hubA2 = eventHubId("ns-a", "hub2", SOURCE_SUB, "rg-a");
    const hubB = eventHubId("ns-b", "hub", SOURCE_SUB, "rg-ab"); // rg-ab shares rg-a's prefix but is not under it
    const hubLocal = eventHubId("ns-l", "hub");
    await registry.save(managedConnection({ key: connectionKey({ name: "a1" }), sources: [hubA] }));
    await registry.save(managedConnection({ key: connectionKey({ name: "a2" }), sources: [hubA2] }));
    await registry.save(managedConnection({ key: connectionKey({ name: "b" }), sources: [hubB] }));
    await registry.save(managedConnection({ key: connectionKey({ name: "local" }), sources: [hubLocal] }));

    expect(sortKeys(await registry.findBySourceScope(`/subscriptions/${SOURCE_SUB.toUpperCase()}`))).toEqual(["a1", "a2", "b"]);
    expect(sortKeys(await registry.findBySourceScope(rgA))).toEqual(["a1", "a2"]);
    expect(sortKeys(await registry.findBySourceScope(`${rgA}/providers/Microsoft.EventHub/namespaces/NS-A`))).toEqual(["a1", "a2"]);
    expect(sortKeys(await registry.findBySourceScope(hubA2))).toEqual(["a2"]);
    expect(sortKeys(await registry.findBySourceScope(`/subscriptions/${SUB}`))).toEqual(["local"]);
    expect(await registry.findBySourceScope(`/subscriptions/${SOURCE_SUB}/resourceGroups/rg-none`)).toEqual([]);
  });

  it("answers a scope above subscriptions with every indexed connection, once each", async () => {
    const { registry } = newRegistry();
    await registry.save(managedConnection({ key: connectionKey({ name: "x" }), sources: [eventHubId("n1"), eventHubId("n2")] }));
    await registry.save(managedConnection({ key: connectionKey({ name: "y" }), sources: [eventHubId("n3", "h", SOURCE_SUB)] }));
    expect(sortKeys(await registry.findBySourceScope("/providers/Microsoft.Management/managementGroups/contoso"))).toEqual(["x", "y"]);
  });
});

describe("list", () => {
  let registry: TableRegistry;
  const names: string[] = [];

  beforeAll(async () => {
    registry = newRegistry().registry;
    const layout: [string, string, string, ManagedConnection["status"]][] = [
      ["adx1", "db1", "c1", "Succeeded"],
      ["adx1", "db1", "c2", "Failed"],
      ["adx1", "db2", "c3", "Succeeded"],
      ["adx2", "db1", "c4", "Succeeded"],
      ["adx2", "db1", "c5", "Provisioning"],
    ];
    for (const [cluster, database, name, status] of layout) {
      await registry.save(managedConnection({ key: connectionKey({ cluster, database, name }), status }));
      names.push(name);
    }
    await registry.save(managedConnection({ key: connectionKey({ subscriptionId: SOURCE_SUB, cluster: "adx1", database: "db1", name: "c6" }) }));
  });

  const listAll = async (filter: Parameters<TableRegistry["list"]>[0], pageSize = 2): Promise<{ names: string[]; pages: number }> => {
    const found: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await registry.list(filter, { pageSize, ...(token ? { continuationToken: token } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(pageSize);
      found.push(...page.items.map((c) => c.key.name));
      token = page.continuationToken;
      pages++;
    } while (token && pages < 20);
    return { names: found.sort(), pages };
  };

  it("pages through everything with continuation tokens", async () => {
    const all = await listAll({});
    expect(all.names).toEqual([...names, "c6"].sort());
    expect(all.pages).toBeGreaterThanOrEqual(3);
  });

  it("filters by subscription, cluster, database and status, in any casing", async () => {
    expect((await listAll({ subscriptionId: SUB.toUpperCase() })).names).toEqual(names);
    expect((await listAll({ subscriptionId: SUB, resourceGroup: "RG-ADX-DEMO", cluster: "ADX1" })).names).toEqual(["c1", "c2", "c3"]);
    expect((await listAll({ subscriptionId: SUB, resourceGroup: "rg-adx-demo", cluster: "adx1", database: "db1" })).names).toEqual(["c1", "c2"]);
    expect((await listAll({ cluster: "adx1" })).names).toEqual(["c1", "c2", "c3", "c6"]);
    expect((await listAll({ cluster: "adx1", database: "db1", status: "Succeeded" })).names).toEqual(["c1", "c6"]);
    expect((await listAll({ subscriptionId: SUB, status: "Provisioning" })).names).toEqual(["c5"]);
    expect((await listAll({ subscriptionId: SUB, cluster: "adx9" })).names).toEqual([]);
  });

  it("returns records with their ETags, ready to save", async () => {
    const page = await registry.list({ subscriptionId: SUB, resourceGroup: "rg-adx-demo", cluster: "adx2", database: "db1" }, { pageSize: 10 });
    const c5 = page.items.find((c) => c.key.name === "c5");
    expect(c5?.etag).toBeTruthy();
    await expect(registry.save({ ...(c5 as ManagedConnection), status: "Succeeded" })).resolves.toMatchObject({ status: "Succeeded" });
  });

  it("refuses a continuation token it did not issue", async () => {
    const error = await rejection(registry.list({}, { pageSize: 2, continuationToken: "not a token!" }));
    expect([error.kind, error.code]).toEqual(["validation", "InvalidContinuationToken"]);
  });
});

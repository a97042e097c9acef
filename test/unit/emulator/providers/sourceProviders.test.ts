import { describe, expect, it } from "vitest";
import { hasCosmosDataReader } from "../../../../emulator/providers/cosmosDb";
import { createTestContext, identityOf } from "./testContext";
import { COSMOS_ID, CREATOR, IOT_HUB_ID, kustoWorldSeed, RG_ID, SUB, UAI_OBJECT_ID } from "./kustoWorld";

function setup() {
  const t = createTestContext(kustoWorldSeed());
  const caller = identityOf(t.world, CREATOR.objectId);
  const call = (method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: unknown) => t.call(method, path, { caller, body });
  return { ...t, call };
}

const NS = `${RG_ID}/providers/Microsoft.EventHub/namespaces/ns2`;
const ACCOUNT = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/acct2`;
const HUB = `${RG_ID}/providers/Microsoft.Devices/IotHubs/hub2`;
const COSMOS = `${RG_ID}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos2`;

describe("Microsoft.EventHub provider", () => {
  it("creates a namespace with its root rule, and a hub with its $Default consumer group", async () => {
    const t = setup();
    const ns = await t.call("PUT", NS, { location: "westus", sku: { name: "Standard", tier: "Standard" } });
    expect(ns.status).toBe(201);
    expect(ns.body).toMatchObject({ id: NS, name: "ns2", type: "Microsoft.EventHub/Namespaces", properties: { provisioningState: "Succeeded", serviceBusEndpoint: "https://ns2.servicebus.windows.net:443/" } });
    expect((await t.call("GET", `${NS}/authorizationRules/RootManageSharedAccessKey`)).body).toMatchObject({ properties: { rights: ["Listen", "Manage", "Send"] } });
    expect((await t.call("PUT", `${NS}/eventhubs/h1`, { properties: { partitionCount: 2 } })).body).toMatchObject({ properties: { partitionIds: ["0", "1"] } });
    expect((await t.call("GET", `${NS}/eventhubs/h1/consumergroups/$Default`)).status).toBe(200);
    expect((await t.call("PUT", `${NS}/eventhubs/h1/consumergroups/cg`, {})).status).toBe(201);
    const groups = (await t.call("GET", `${NS}/eventhubs/h1/consumergroups`)).body as { value: { name: string }[] };
    expect(groups.value.map((g) => g.name).sort()).toEqual(["$Default", "cg"]);
  });

  it("lists keys of namespace and hub rules: stable per rule, distinct between rules, hub strings with EntityPath", async () => {
    const t = setup();
    await t.call("PUT", NS, { location: "westus" });
    await t.call("PUT", `${NS}/eventhubs/h1`, {});
    await t.call("PUT", `${NS}/eventhubs/h1/authorizationRules/listen`, { properties: { rights: ["Listen"] } });
    const root = (await t.call("POST", `${NS}/authorizationRules/RootManageSharedAccessKey/listKeys`)).body as Record<string, string>;
    const again = (await t.call("POST", `${NS}/authorizationRules/RootManageSharedAccessKey/listKeys`)).body as Record<string, string>;
    const hubRule = (await t.call("POST", `${NS}/eventhubs/h1/authorizationRules/listen/listKeys`)).body as Record<string, string>;
    expect(root.primaryKey).toBe(again.primaryKey);
    expect(Buffer.from(root.primaryKey ?? "", "base64")).toHaveLength(32);
    expect(root.primaryKey).not.toBe(root.secondaryKey);
    expect(root.primaryConnectionString).toBe(`Endpoint=sb://ns2.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${root.primaryKey}`);
    expect(hubRule.primaryConnectionString).toMatch(/;SharedAccessKeyName=listen;SharedAccessKey=.+;EntityPath=h1$/);
    expect(hubRule.primaryKey).not.toBe(root.primaryKey);
    expect((await t.call("POST", `${NS}/authorizationRules/nope/listKeys`)).status).toBe(404);
  });

  it("deletes a namespace with everything under it", async () => {
    const t = setup();
    await t.call("PUT", NS, { location: "westus" });
    await t.call("PUT", `${NS}/eventhubs/h1`, {});
    expect((await t.call("DELETE", NS)).status).toBe(200);
    expect(t.world.getResource(`${NS}/eventhubs/h1/consumergroups/$Default`)).toBeUndefined();
    expect((await t.call("GET", `${NS}/eventhubs/h1`)).status).toBe(404);
    expect((await t.call("DELETE", NS)).status).toBe(204);
  });

  it("refuses a namespace without location, in a missing group, and a hub in a missing namespace", async () => {
    const t = setup();
    expect((await t.call("PUT", NS, {})).body).toMatchObject({ error: { code: "LocationRequired" } });
    expect((await t.call("PUT", NS.replace(RG_ID, `/subscriptions/${SUB}/resourceGroups/nope`), { location: "westus" })).body).toMatchObject({ error: { code: "ResourceGroupNotFound" } });
    expect((await t.call("PUT", `${NS}/eventhubs/h1`, {})).body).toMatchObject({ error: { code: "ParentResourceNotFound" } });
  });
});

describe("Microsoft.Devices provider", () => {
  it("creates an IoT hub with the default policies and lists their keys", async () => {
    const t = setup();
    const res = await t.call("PUT", HUB, { location: "westus", sku: { name: "S1", capacity: 1 } });
    expect(res.body).toMatchObject({ type: "Microsoft.Devices/IotHubs", properties: { hostName: "hub2.azure-devices.net", eventHubEndpoints: { events: { partitionCount: 4 } } } });
    const keys = (await t.call("POST", `${HUB}/listkeys`)).body as { value: { keyName: string; primaryKey: string }[] };
    expect(keys.value.map((k) => k.keyName)).toEqual(["iothubowner", "service", "device", "registryRead", "registryReadWrite"]);
    expect(JSON.stringify(res.body)).not.toContain(keys.value[0]?.primaryKey ?? "-");
  });

  it("manages consumer groups of the events endpoint only", async () => {
    const t = setup();
    const groups = `${IOT_HUB_ID}/eventHubEndpoints/events/ConsumerGroups`;
    expect((await t.call("PUT", `${groups}/adx`, { properties: { name: "adx" } })).status).toBe(201);
    expect(((await t.call("GET", groups)).body as { value: unknown[] }).value).toHaveLength(2);
    expect((await t.call("DELETE", `${groups}/adx`)).status).toBe(200);
    expect((await t.call("GET", `${groups}/adx`)).status).toBe(404);
    expect((await t.call("GET", `${IOT_HUB_ID}/eventHubEndpoints/other/ConsumerGroups`)).status).toBe(400);
  });
});

describe("Microsoft.Storage provider", () => {
  it("creates, lists by group and subscription, lists keys and deletes storage accounts", async () => {
    const t = setup();
    expect((await t.call("PUT", ACCOUNT, { location: "westus", kind: "StorageV2", sku: { name: "Standard_LRS" } })).body).toMatchObject({
      kind: "StorageV2",
      properties: { primaryEndpoints: { blob: "https://acct2.blob.core.windows.net/" } },
    });
    const inGroup = (await t.call("GET", `${RG_ID}/providers/Microsoft.Storage/storageAccounts`)).body as { value: { name: string }[] };
    expect(inGroup.value.map((a) => a.name).sort()).toEqual(["acct2", "teststorageaccount"]);
    const inSub = (await t.call("GET", `/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts`)).body as { value: unknown[] };
    expect(inSub.value).toHaveLength(2);
    const keys = (await t.call("POST", `${ACCOUNT}/listKeys`)).body as { keys: { keyName: string; permissions: string }[] };
    expect(keys.keys.map((k) => [k.keyName, k.permissions])).toEqual([["key1", "FULL"], ["key2", "FULL"]]);
    expect((await t.call("DELETE", ACCOUNT)).status).toBe(200);
    expect((await t.call("POST", `${ACCOUNT}/listKeys`)).status).toBe(404);
  });
});

describe("Microsoft.DocumentDB provider", () => {
  it("creates an account, database and container, lists keys, and deletes in cascade", async () => {
    const t = setup();
    await t.call("PUT", COSMOS, { location: "westus", kind: "GlobalDocumentDB", properties: { databaseAccountOfferType: "Standard" } });
    expect((await t.call("PUT", `${COSMOS}/sqlDatabases/db`, { properties: { resource: { id: "db" } } })).body).toMatchObject({ properties: { resource: { id: "db" } } });
    await t.call("PUT", `${COSMOS}/sqlDatabases/db/containers/c`, { properties: { resource: { id: "c", partitionKey: { paths: ["/id"] } } } });
    const keys = (await t.call("POST", `${COSMOS}/listKeys`)).body as Record<string, string>;
    expect(Object.keys(keys).sort()).toEqual(["primaryMasterKey", "primaryReadonlyMasterKey", "secondaryMasterKey", "secondaryReadonlyMasterKey"]);
    await t.call("DELETE", COSMOS);
    expect(t.world.getResource(`${COSMOS}/sqlDatabases/db/containers/c`)).toBeUndefined();
  });

  it("finds a data-plane reader assignment at account, database or container scope, for that principal only", () => {
    const t = setup();
    expect(hasCosmosDataReader(t.world, COSMOS_ID, UAI_OBJECT_ID, "cosmosDbDatabaseTest", "cosmosDbContainerTest")).toBe(true);
    expect(hasCosmosDataReader(t.world, COSMOS_ID, CREATOR.objectId, "cosmosDbDatabaseTest", "cosmosDbContainerTest")).toBe(false);
    t.world.putResource({
      id: `${COSMOS_ID}/sqlRoleAssignments/x`,
      type: "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
      properties: { roleDefinitionId: `${COSMOS_ID}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000001`, scope: `${COSMOS_ID}/dbs/other`, principalId: CREATOR.objectId },
    });
    expect(hasCosmosDataReader(t.world, COSMOS_ID, CREATOR.objectId, "cosmosDbDatabaseTest", "cosmosDbContainerTest")).toBe(false);
    expect(hasCosmosDataReader(t.world, COSMOS_ID, CREATOR.objectId, "other", "any")).toBe(true);
  });
});

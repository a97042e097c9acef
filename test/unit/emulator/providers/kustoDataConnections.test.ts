import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_KUSTO_SETTINGS, setKustoSettings } from "../../../../emulator/providers/kusto";
import { createTestContext, identityOf } from "./testContext";
import {
  CLUSTER_ID,
  CLUSTER_MI_OBJECT_ID,
  COSMOS_ID,
  CREATOR,
  CREATOR_IN_SOURCE_TENANT,
  DB8_ID,
  DETACHED_UAI_ID,
  FOREIGN_HUB_ID,
  FOREIGN_IOT_HUB_ID,
  HUB1_ID,
  HUB2_ID,
  IOT_HUB_ID,
  KUSTO_ONLY,
  kustoWorldSeed,
  NAMESPACE_ID,
  RG_ID,
  STORAGE_ID,
  UAI_ID,
  UAI_OBJECT_ID,
} from "./kustoWorld";

const DB_PATH = `${RG_ID}/providers/Microsoft.Kusto/clusters/kustoCluster/databases/KustoDatabase8`;
const dcPath = (name = "dc1") => `${DB_PATH}/dataConnections/${name}`;

const eventHubMi = { location: "westus", kind: "EventHub", properties: { eventHubResourceId: HUB1_ID, consumerGroup: "testConsumerGroup1", managedIdentityResourceId: UAI_ID } };
const eventHubKey = { location: "westus", kind: "EventHub", properties: { eventHubResourceId: HUB1_ID, consumerGroup: "$Default", tableName: "T", dataFormat: "json" } };
const eventGrid = {
  kind: "EventGrid",
  properties: { storageAccountResourceId: STORAGE_ID, eventHubResourceId: HUB2_ID, consumerGroup: "$Default", managedIdentityResourceId: UAI_ID, blobStorageEventType: "Microsoft.Storage.BlobCreated" },
};
const iotHub = { kind: "IotHub", properties: { iotHubResourceId: IOT_HUB_ID, consumerGroup: "kusto", sharedAccessPolicyName: "registryRead" } };
const cosmosDb = {
  kind: "CosmosDb",
  properties: { tableName: "T", managedIdentityResourceId: UAI_ID, cosmosDbAccountResourceId: COSMOS_ID, cosmosDbDatabase: "cosmosDbDatabaseTest", cosmosDbContainer: "cosmosDbContainerTest" },
};

function setup(timeScale = 0) {
  const t = createTestContext(kustoWorldSeed(), { timeScale });
  const creator = identityOf(t.world, CREATOR.objectId);
  const kustoOnly = identityOf(t.world, KUSTO_ONLY.objectId);
  const aux = identityOf(t.world, CREATOR_IN_SOURCE_TENANT.objectId);
  const put = (body: unknown, name = "dc1", caller = creator, auxiliary = [] as typeof creator[]) => t.call("PUT", dcPath(name), { body, caller, auxiliary });
  const get = async (name = "dc1") => (await t.call("GET", dcPath(name), { caller: creator })) as { status: number; body: { properties: Record<string, unknown> } };
  return { ...t, creator, kustoOnly, aux, put, get };
}

function errorOf(res: { body?: unknown }): { code: string; message: string } {
  return (res.body as { error: { code: string; message: string } }).error;
}

function removeAssignments(t: ReturnType<typeof setup>, principalId: string, scope: string): void {
  for (const a of t.world.roleAssignmentsOf(principalId)) if (a.scope.toLowerCase() === scope.toLowerCase()) t.world.deleteResource(a.id);
}

afterEach(() => setKustoSettings(DEFAULT_KUSTO_SETTINGS));

describe("Kusto data connections: create as a long-running operation", () => {
  it("accepts an MI-mode EventHub connection with 201, LRO headers and Creating, then Succeeded", async () => {
    const t = setup();
    const res = await t.put(eventHubMi);
    expect(res.status).toBe(201);
    expect(res.headers?.["Azure-AsyncOperation"]).toMatch(/\/subscriptions\/12345678-1234-1234-1234-123456789098\/providers\/Microsoft\.Kusto\/locations\/westus\/operationResults\/[0-9a-f-]{36}\?api-version=2025-02-14$/);
    expect(res.headers?.Location).toContain("operationResultResponseType=Location");
    // The test clock's time scale is 0: nothing is left to wait for, so no Retry-After (see lroManager).
    expect(res.headers?.["Retry-After"]).toBeUndefined();
    const body = res.body as Record<string, unknown>;
    expect(body).toMatchObject({
      id: `${RG_ID}/providers/Microsoft.Kusto/Clusters/kustoCluster/Databases/KustoDatabase8/DataConnections/dc1`,
      name: "kustoCluster/KustoDatabase8/dc1",
      type: "Microsoft.Kusto/Clusters/Databases/DataConnections",
      location: "westus",
      kind: "EventHub",
      properties: { provisioningState: "Creating", compression: "None", databaseRouting: "Single", managedIdentityObjectId: UAI_OBJECT_ID },
    });
    await t.lro.drain();
    const after = await t.get();
    expect(after.status).toBe(200);
    expect(after.body.properties.provisioningState).toBe("Succeeded");
  });

  it("creates a key-mode connection for a caller who can list the namespace's keys, normalizing enum casing", async () => {
    const t = setup();
    expect((await t.put(eventHubKey)).status).toBe(201);
    await t.lro.drain();
    const after = await t.get();
    expect(after.body.properties).toMatchObject({ provisioningState: "Succeeded", dataFormat: "JSON" });
    expect(after.body.properties.managedIdentityObjectId).toBeUndefined();
  });

  it("uses the cluster's location when the body has none", async () => {
    const t = setup();
    const res = await t.put({ kind: "IotHub", properties: iotHub.properties });
    expect((res.body as { location: string }).location).toBe("westus");
  });

  it("ends Failed when the admin API injects an LRO failure", async () => {
    const t = setup();
    t.faults.add({ pattern: "dataConnections/dc1$", failLro: true });
    const res = await t.put(eventHubKey);
    expect(res.status).toBe(201);
    await t.lro.drain();
    const operationId = /operationResults\/([^?]+)/.exec(res.headers?.["Azure-AsyncOperation"] ?? "")?.[1] ?? "";
    expect(t.lro.status(operationId)).toBe("Failed");
    expect((await t.get()).body.properties.provisioningState).toBe("Failed");
  });
});

describe("Kusto data connections: request validation", () => {
  const cases: [string, unknown, number, string][] = [
    ["no kind", { properties: eventHubKey.properties }, 400, "MissingRequiredProperty"],
    ["an unknown kind", { kind: "Kafka", properties: {} }, 400, "InvalidDataConnectionKind"],
    ["a kind without a model", { kind: "EventHubWithManagedIdentity", properties: {} }, 400, "UnsupportedDataConnectionKind"],
    ["EventHub without eventHubResourceId", { kind: "EventHub", properties: { consumerGroup: "$Default" } }, 400, "MissingRequiredProperty"],
    ["EventHub without consumerGroup", { kind: "EventHub", properties: { eventHubResourceId: HUB1_ID } }, 400, "MissingRequiredProperty"],
    ["an invalid dataFormat", { kind: "EventHub", properties: { ...eventHubKey.properties, dataFormat: "XML" } }, 400, "InvalidPropertyValue"],
    ["AZMONSTREAM on an EventHub kind", { kind: "EventHub", properties: { ...eventHubKey.properties, dataFormat: "AZMONSTREAM" } }, 400, "InvalidPropertyValue"],
    ["an invalid compression", { kind: "EventHub", properties: { ...eventHubKey.properties, compression: "Zip" } }, 400, "InvalidPropertyValue"],
    ["an invalid databaseRouting", { kind: "EventHub", properties: { ...eventHubKey.properties, databaseRouting: "Many" } }, 400, "InvalidPropertyValue"],
    ["a non-date retrievalStartDate", { kind: "EventHub", properties: { ...eventHubKey.properties, retrievalStartDate: "yesterday" } }, 400, "InvalidPropertyValue"],
    ["an invalid blobStorageEventType", { kind: "EventGrid", properties: { ...eventGrid.properties, blobStorageEventType: "Microsoft.Storage.BlobDeleted" } }, 400, "InvalidPropertyValue"],
    ["EventGrid without storageAccountResourceId", { kind: "EventGrid", properties: { eventHubResourceId: HUB2_ID, consumerGroup: "$Default" } }, 400, "MissingRequiredProperty"],
    ["IotHub without sharedAccessPolicyName", { kind: "IotHub", properties: { iotHubResourceId: IOT_HUB_ID, consumerGroup: "kusto" } }, 400, "MissingRequiredProperty"],
    ["CosmosDb without managedIdentityResourceId", { kind: "CosmosDb", properties: { ...cosmosDb.properties, managedIdentityResourceId: undefined } }, 400, "MissingRequiredProperty"],
    ["an event hub ID that is a namespace", { kind: "EventHub", properties: { eventHubResourceId: NAMESPACE_ID, consumerGroup: "$Default" } }, 400, "InvalidResourceId"],
    ["a managed identity that is not an identity", { kind: "EventHub", properties: { ...eventHubMi.properties, managedIdentityResourceId: STORAGE_ID } }, 400, "InvalidResourceId"],
    ["a body that is not an object", "EventHub", 400, "InvalidRequestContent"],
  ];
  it.each(cases)("refuses %s", async (_label, body, status, code) => {
    const t = setup();
    const res = await t.put(body);
    expect(res.status).toBe(status);
    expect(errorOf(res).code).toBe(code);
    expect(t.world.getResource(`${DB8_ID}/DataConnections/dc1`)).toBeUndefined();
  });

  it("refuses a name outside the emulator's naming rule", async () => {
    const t = setup();
    const res = await t.put(eventHubKey, "bad name!");
    expect(errorOf(res).code).toBe("InvalidResourceName");
  });

  it("answers 404 ParentResourceNotFound for a missing cluster and ResourceNotFound for a missing database", async () => {
    const t = setup();
    const noCluster = await t.call("PUT", dcPath().replace("kustoCluster", "nope"), { body: eventHubKey, caller: t.creator });
    expect([noCluster.status, errorOf(noCluster).code]).toEqual([404, "ParentResourceNotFound"]);
    const noDb = await t.call("PUT", dcPath().replace("KustoDatabase8", "nope"), { body: eventHubKey, caller: t.creator });
    expect([noDb.status, errorOf(noDb).code]).toEqual([404, "ResourceNotFound"]);
  });
});

describe("Kusto data connections: sources must exist", () => {
  const cases: [string, unknown, string][] = [
    ["a missing event hub", { kind: "EventHub", properties: { eventHubResourceId: `${NAMESPACE_ID}/eventhubs/nope`, consumerGroup: "$Default" } }, "LinkedResourceNotFound"],
    ["a missing consumer group", { kind: "EventHub", properties: { eventHubResourceId: HUB1_ID, consumerGroup: "nope" } }, "ConsumerGroupNotFound"],
    ["a missing storage account", { kind: "EventGrid", properties: { ...eventGrid.properties, storageAccountResourceId: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/nope` } }, "LinkedResourceNotFound"],
    ["a missing IoT hub consumer group", { kind: "IotHub", properties: { ...iotHub.properties, consumerGroup: "nope" } }, "ConsumerGroupNotFound"],
    ["a missing IoT hub shared access policy", { kind: "IotHub", properties: { ...iotHub.properties, sharedAccessPolicyName: "nope" } }, "SharedAccessPolicyNotFound"],
    ["a missing Cosmos DB container", { kind: "CosmosDb", properties: { ...cosmosDb.properties, cosmosDbContainer: "nope" } }, "LinkedResourceNotFound"],
  ];
  it.each(cases)("refuses %s with 400", async (_label, body, code) => {
    const t = setup();
    const res = await t.put(body);
    expect([res.status, errorOf(res).code]).toEqual([400, code]);
  });

  it("treats $Default as a consumer group every event hub and IoT hub has", async () => {
    const t = setup();
    expect((await t.put({ kind: "EventHub", properties: { eventHubResourceId: HUB2_ID, consumerGroup: "$Default" } }, "a")).status).toBe(201);
    expect((await t.put({ kind: "IotHub", properties: { ...iotHub.properties, consumerGroup: "$Default" } }, "b")).status).toBe(201);
  });
});

describe("Kusto data connections: the principal's access to the source", () => {
  it("refuses key mode with 403 LinkedAuthorizationFailed when the caller cannot list the namespace's keys", async () => {
    const t = setup();
    const res = await t.put(eventHubKey, "dc1", t.kustoOnly);
    expect(res.status).toBe(403);
    expect(errorOf(res).code).toBe("LinkedAuthorizationFailed");
    expect(errorOf(res).message).toContain("Microsoft.EventHub/namespaces/authorizationRules/listKeys/action");
    expect(errorOf(res).message).toContain(NAMESPACE_ID);
  });

  it("always uses key mode for IotHub: the caller must be able to list the hub's keys", async () => {
    const t = setup();
    const refused = await t.put(iotHub, "dc1", t.kustoOnly);
    expect(errorOf(refused).message).toContain("Microsoft.Devices/IotHubs/listkeys/action");
    expect((await t.put(iotHub)).status).toBe(201);
  });

  it("requires both storage and event hub keys for a key-mode EventGrid connection", async () => {
    const t = setup();
    const keyMode = { kind: "EventGrid", properties: { ...eventGrid.properties, managedIdentityResourceId: undefined } };
    const refused = await t.put(keyMode, "dc1", t.kustoOnly);
    expect(errorOf(refused).message).toContain("Microsoft.Storage/storageAccounts/listkeys/action");
    expect((await t.put(keyMode)).status).toBe(201);
  });

  it("does not check the caller's source access in MI mode, only the identity's", async () => {
    const t = setup();
    expect((await t.put(eventHubMi, "dc1", t.kustoOnly)).status).toBe(201);
  });

  it("refuses MI mode when the identity lacks the receive data action on the event hub", async () => {
    const t = setup();
    // The cluster's system identity is a receiver on eventhubTest1 only.
    const onHub2 = await t.put({ kind: "EventHub", properties: { eventHubResourceId: HUB2_ID, consumerGroup: "$Default", managedIdentityResourceId: CLUSTER_ID } });
    expect([onHub2.status, errorOf(onHub2).code]).toEqual([400, "InsufficientManagedIdentityPermissions"]);
    expect(errorOf(onHub2).message).toContain("Microsoft.EventHub/namespaces/messages/receive/action");
    const onHub1 = await t.put({ kind: "EventHub", properties: { eventHubResourceId: HUB1_ID, consumerGroup: "$Default", managedIdentityResourceId: CLUSTER_ID } });
    expect(onHub1.status).toBe(201);
    expect((onHub1.body as { properties: Record<string, unknown> }).properties.managedIdentityObjectId).toBe(CLUSTER_MI_OBJECT_ID);
  });

  it("refuses a user-assigned identity that is not attached to the cluster", async () => {
    const t = setup();
    const res = await t.put({ ...eventHubMi, properties: { ...eventHubMi.properties, managedIdentityResourceId: DETACHED_UAI_ID } });
    expect([res.status, errorOf(res).code]).toEqual([400, "ManagedIdentityNotAssigned"]);
  });

  it("requires blob read for the identity of an MI-mode EventGrid connection", async () => {
    const t = setup();
    removeAssignments(t, UAI_OBJECT_ID, STORAGE_ID);
    const res = await t.put(eventGrid);
    expect(errorOf(res).code).toBe("InsufficientManagedIdentityPermissions");
    expect(errorOf(res).message).toContain("blobs/read");
  });

  it("requires a Cosmos DB data-plane reader role assignment for a CosmosDb connection", async () => {
    const t = setup();
    expect((await t.put(cosmosDb, "ok")).status).toBe(201);
    for (const r of t.world.listChildren(COSMOS_ID, "sqlRoleAssignments")) t.world.deleteResource(r.id);
    const res = await t.put(cosmosDb, "refused");
    expect(errorOf(res).code).toBe("InsufficientManagedIdentityPermissions");
    expect(errorOf(res).message).toContain("sqlRoleAssignments");
  });
});

describe("Kusto data connections: sources in another tenant", () => {
  const foreignKey = { kind: "EventHub", properties: { eventHubResourceId: FOREIGN_HUB_ID, consumerGroup: "$Default" } };

  it("refuses a key-mode source in another tenant without an auxiliary token for it", async () => {
    const t = setup();
    const res = await t.put(foreignKey);
    expect([res.status, errorOf(res).code]).toEqual([403, "LinkedAuthorizationFailed"]);
  });

  it("checks the auxiliary identity's access in the source tenant, and accepts when it has it", async () => {
    const t = setup();
    expect((await t.put(foreignKey, "dc1", t.creator, [t.aux])).status).toBe(201);
    const iot = { kind: "IotHub", properties: { iotHubResourceId: FOREIGN_IOT_HUB_ID, consumerGroup: "$Default", sharedAccessPolicyName: "service" } };
    expect((await t.put(iot, "dc2", t.creator, [t.aux])).status).toBe(201);
    removeAssignments(t, t.aux.objectId, "/subscriptions/23456789-2345-2345-2345-234567890987/resourceGroups/sourcerg");
    const refused = await t.put(foreignKey, "dc3", t.creator, [t.aux]);
    expect(errorOf(refused).message).toContain(t.aux.objectId);
  });

  it("refuses MI mode across tenants even when the identity holds the role there", async () => {
    const t = setup();
    const res = await t.put({ kind: "EventHub", properties: { ...foreignKey.properties, managedIdentityResourceId: CLUSTER_ID } }, "dc1", t.creator, [t.aux]);
    expect([res.status, errorOf(res).code]).toEqual([400, "CrossTenantManagedIdentityNotSupported"]);
  });
});

describe("Kusto data connections: after creation", () => {
  it("shows an MI-mode connection as Failed while its identity has lost access, in GET and list", async () => {
    const t = setup();
    await t.put(eventHubMi);
    await t.lro.drain();
    removeAssignments(t, UAI_OBJECT_ID, NAMESPACE_ID);
    expect((await t.get()).body.properties.provisioningState).toBe("Failed");
    const list = await t.call("GET", `${DB_PATH}/dataConnections`, { caller: t.creator });
    expect((list.body as { value: { properties: Record<string, unknown> }[] }).value[0]?.properties.provisioningState).toBe("Failed");
    t.world.createRoleAssignment({ scope: HUB1_ID, role: "Azure Event Hubs Data Receiver", principalId: UAI_OBJECT_ID });
    expect((await t.get()).body.properties.provisioningState).toBe("Succeeded");
  });

  it("shows an MI-mode connection as Failed when its identity is detached from the cluster", async () => {
    const t = setup();
    await t.put(eventHubMi);
    await t.lro.drain();
    const cluster = t.world.getResource(CLUSTER_ID);
    t.world.putResource({ ...cluster?.body, identity: { type: "SystemAssigned", principalId: CLUSTER_MI_OBJECT_ID } });
    expect((await t.get()).body.properties.provisioningState).toBe("Failed");
  });

  it("keeps a key-mode connection Succeeded after its creator loses access to the source", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    removeAssignments(t, CREATOR.objectId, RG_ID);
    expect(t.ctx.rbac.isAllowed(t.creator, "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", NAMESPACE_ID, "action")).toBe(false);
    expect((await t.get()).body.properties.provisioningState).toBe("Succeeded");
  });

  it("shows a connection as Failed once its source is deleted", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    t.world.deleteResource(NAMESPACE_ID);
    expect((await t.get()).body.properties.provisioningState).toBe("Failed");
  });
});

describe("Kusto data connections: update, delete and concurrency", () => {
  it("answers 409 AnotherOperationInProgress while an operation on the connection runs", async () => {
    const t = setup(1);
    setKustoSettings({ operationDurationInMs: 10_000 });
    expect((await t.put(eventHubKey)).status).toBe(201);
    const again = await t.put(eventHubKey);
    expect([again.status, errorOf(again).code]).toEqual([409, "AnotherOperationInProgress"]);
    const del = await t.call("DELETE", dcPath(), { caller: t.creator });
    expect(del.status).toBe(409);
    t.lro.reset();
  });

  it("updates with PATCH: 202, merged properties, Running then Succeeded", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    const res = await t.call("PATCH", dcPath(), { caller: t.creator, body: { kind: "EventHub", properties: { dataFormat: "CSV" } } });
    expect(res.status).toBe(202);
    expect((res.body as { properties: Record<string, unknown> }).properties).toMatchObject({ provisioningState: "Running", dataFormat: "CSV", consumerGroup: "$Default", tableName: "T" });
    expect(res.headers?.["Azure-AsyncOperation"]).toBeDefined();
    await t.lro.drain();
    expect((await t.get()).body.properties).toMatchObject({ provisioningState: "Succeeded", dataFormat: "CSV" });
  });

  it("re-checks access on update", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    const res = await t.call("PATCH", dcPath(), { caller: t.kustoOnly, body: { kind: "EventHub", properties: { dataFormat: "CSV" } } });
    expect(res.status).toBe(403);
  });

  it("answers PUT on an existing connection with 200 and refuses a kind change", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    expect((await t.put(eventHubKey)).status).toBe(200);
    await t.lro.drain();
    const res = await t.put(iotHub);
    expect([res.status, errorOf(res).code]).toEqual([400, "DataConnectionKindChangeNotAllowed"]);
  });

  it("answers PATCH of a missing connection with 404", async () => {
    const t = setup();
    const res = await t.call("PATCH", dcPath(), { caller: t.creator, body: eventHubKey });
    expect([res.status, errorOf(res).code]).toEqual([404, "ResourceNotFound"]);
  });

  it("deletes as an LRO (202, Deleting, then gone) and answers 204 for a missing connection", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    const res = await t.call("DELETE", dcPath(), { caller: t.creator });
    expect(res.status).toBe(202);
    expect(res.headers?.["Azure-AsyncOperation"]).toContain("/operationResults/");
    expect((await t.get()).body.properties.provisioningState).toBe("Deleting");
    await t.lro.drain();
    expect((await t.get()).status).toBe(404);
    expect((await t.call("DELETE", dcPath(), { caller: t.creator })).status).toBe(204);
  });

  it("removes a database's connections with the database (DELETE as an LRO)", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    const res = await t.call("DELETE", DB_PATH, { caller: t.creator });
    expect(res.status).toBe(202);
    await t.lro.drain();
    expect(t.world.getResource(DB8_ID)).toBeUndefined();
    expect(t.world.getResource(`${DB8_ID}/DataConnections/dc1`)).toBeUndefined();
  });

  it("removes every connection of a deleted cluster", async () => {
    const t = setup();
    await t.put(eventHubKey);
    await t.lro.drain();
    t.world.deleteResource(CLUSTER_ID);
    expect(t.world.listByType("Microsoft.Kusto/Clusters/Databases/DataConnections")).toHaveLength(0);
  });
});

describe("Kusto data connections: validation and name availability", () => {
  const validate = (t: ReturnType<typeof setup>, properties: unknown, db = "KustoDatabase8", caller = t.creator) =>
    t.call("POST", `${DB_PATH.replace("KustoDatabase8", db)}/dataConnectionValidation`, { caller, body: { dataConnectionName: "dc1", properties } });

  it("returns an empty value list for a connection that would be created", async () => {
    const t = setup();
    const res = await validate(t, eventHubMi);
    expect(res).toMatchObject({ status: 200, body: { value: [] }, event: false });
  });

  it("lists every problem as an errorMessage and creates nothing", async () => {
    const t = setup();
    const res = await validate(t, { kind: "EventHub", properties: { dataFormat: "XML" } });
    const messages = (res.body as { value: { errorMessage: string }[] }).value.map((v) => v.errorMessage);
    expect(messages).toHaveLength(3);
    expect(messages.join("\n")).toMatch(/eventHubResourceId[\s\S]*consumerGroup[\s\S]*dataFormat/);
    expect((await validate(t, eventHubKey, "KustoDatabase8", t.kustoOnly)).body).toMatchObject({ value: [{ errorMessage: expect.stringContaining("listKeys") }] });
    expect(t.world.listByType("Microsoft.Kusto/Clusters/Databases/DataConnections")).toHaveLength(0);
  });

  it("reports a missing database as the spec example does", async () => {
    const t = setup();
    expect((await validate(t, eventHubMi, "nope")).body).toEqual({ value: [{ errorMessage: "Database does not exist" }] });
  });

  it("answers checkNameAvailability: available, AlreadyExists and Invalid", async () => {
    const t = setup();
    const check = (name: string, type = "Microsoft.Kusto/clusters/databases/dataConnections") =>
      t.call("POST", `${DB_PATH}/checkNameAvailability`, { caller: t.creator, body: { name, type } });
    expect((await check("dc1")).body).toEqual({ name: "dc1", nameAvailable: true });
    await t.put(eventHubKey);
    expect((await check("dc1")).body).toEqual({ name: "dc1", nameAvailable: false, reason: "AlreadyExists", message: "Name 'dc1' is already taken. Please specify a different name." });
    expect((await check("no spaces")).body).toMatchObject({ nameAvailable: false, reason: "Invalid" });
    expect((await check("dc1", "Microsoft.Kusto/clusters")).status).toBe(400);
    expect((await check("dc1")).event).toBe(false);
  });
});

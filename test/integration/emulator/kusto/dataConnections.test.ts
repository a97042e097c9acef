// The four data-connection kinds created, read and deleted through the real @azure/arm-kusto client
// (its default api-version 2023-08-15) against the emulator, including the cross-tenant key-mode path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/core-auth";
import type { KustoManagementClient } from "@azure/arm-kusto";
import { startKustoHarness, type KustoHarness } from "./harness";
import {
  COSMOS_ID,
  CREATOR,
  CREATOR_IN_SOURCE_TENANT,
  FOREIGN_HUB_ID,
  HUB1_ID,
  HUB2_ID,
  IOT_HUB_ID,
  KUSTO_ONLY,
  KUSTO_TENANT,
  NAMESPACE_ID,
  SOURCE_TENANT,
  STORAGE_ID,
  UAI_ID,
  UAI_OBJECT_ID,
} from "../../../unit/emulator/providers/kustoWorld";

const RG = "kustorptest";
const CLUSTER = "kustoCluster";
const DB = "KustoDatabase8";
const POLL = { updateIntervalInMs: 20 };

let h: KustoHarness;
let creator: TokenCredential;
let client: KustoManagementClient;

beforeAll(async () => {
  h = await startKustoHarness();
  creator = h.credential(CREATOR, KUSTO_TENANT);
  client = h.client(creator);
});
afterAll(async () => h?.close());

describe("data connections through @azure/arm-kusto", () => {
  it("creates all four kinds, reads them back Succeeded, lists and deletes them", async () => {
    const created = await Promise.all([
      client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "eh", { kind: "EventHub", location: "westus", eventHubResourceId: HUB1_ID, consumerGroup: "testConsumerGroup1", managedIdentityResourceId: UAI_ID, tableName: "T", dataFormat: "MULTIJSON" }, POLL),
      client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "eg", { kind: "EventGrid", location: "westus", storageAccountResourceId: STORAGE_ID, eventHubResourceId: HUB2_ID, consumerGroup: "$Default", blobStorageEventType: "Microsoft.Storage.BlobCreated" }, POLL),
      client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "iot", { kind: "IotHub", location: "westus", iotHubResourceId: IOT_HUB_ID, consumerGroup: "kusto", sharedAccessPolicyName: "registryRead" }, POLL),
      client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "cosmos", { kind: "CosmosDb", location: "westus", tableName: "T", managedIdentityResourceId: UAI_ID, cosmosDbAccountResourceId: COSMOS_ID, cosmosDbDatabase: "cosmosDbDatabaseTest", cosmosDbContainer: "cosmosDbContainerTest" }, POLL),
    ]);
    expect(created.map((c) => [c.kind, (c as { provisioningState?: string }).provisioningState])).toEqual([
      ["EventHub", "Succeeded"],
      ["EventGrid", "Succeeded"],
      ["IotHub", "Succeeded"],
      ["CosmosDb", "Succeeded"],
    ]);
    expect((created[0] as { managedIdentityObjectId?: string }).managedIdentityObjectId).toBe(UAI_OBJECT_ID);
    const listed = [];
    for await (const dc of client.dataConnections.listByDatabase(RG, CLUSTER, DB)) listed.push(dc.name);
    expect(listed.sort()).toEqual(["cosmos", "eg", "eh", "iot"].map((n) => `${CLUSTER}/${DB}/${n}`));
    await Promise.all(["eh", "eg", "iot", "cosmos"].map((n) => client.dataConnections.beginDeleteAndWait(RG, CLUSTER, DB, n, POLL)));
    const after = [];
    for await (const dc of client.dataConnections.listByDatabase(RG, CLUSTER, DB)) after.push(dc);
    expect(after).toEqual([]);
  });

  it("surfaces Kusto's refusal of a caller without access to the source as a RestError", async () => {
    const kustoOnly = h.client(h.credential(KUSTO_ONLY, KUSTO_TENANT));
    await expect(
      kustoOnly.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "denied", { kind: "EventHub", eventHubResourceId: HUB1_ID, consumerGroup: "$Default" }, POLL),
    ).rejects.toMatchObject({ statusCode: 403, code: "LinkedAuthorizationFailed" });
  });

  it("creates a key-mode connection on another tenant's event hub only with an auxiliary token", async () => {
    const params = { kind: "EventHub" as const, eventHubResourceId: FOREIGN_HUB_ID, consumerGroup: "$Default" };
    await expect(client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "foreign", params, POLL)).rejects.toMatchObject({ statusCode: 403 });
    const withAux = h.client(creator, { auxiliary: [h.credential(CREATOR_IN_SOURCE_TENANT, SOURCE_TENANT)] });
    const dc = await withAux.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "foreign", params, POLL);
    expect((dc as { provisioningState?: string }).provisioningState).toBe("Succeeded");
  });

  it("reports an MI connection as Failed once its identity loses the receiver role", async () => {
    await client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, DB, "revoked", { kind: "EventHub", eventHubResourceId: HUB1_ID, consumerGroup: "$Default", managedIdentityResourceId: UAI_ID }, POLL);
    for (const a of h.emulator.world.roleAssignmentsOf(UAI_OBJECT_ID)) if (a.scope.toLowerCase() === NAMESPACE_ID.toLowerCase()) h.emulator.world.deleteResource(a.id);
    const dc = await client.dataConnections.get(RG, CLUSTER, DB, "revoked");
    expect((dc as { provisioningState?: string }).provisioningState).toBe("Failed");
  });

  it("answers checkNameAvailability and dataConnectionValidation with the swagger shapes", async () => {
    expect(await client.dataConnections.checkNameAvailability(RG, CLUSTER, DB, { name: "foreign", type: "Microsoft.Kusto/clusters/databases/dataConnections" })).toMatchObject({ nameAvailable: false, reason: "AlreadyExists" });
    const result = await client.dataConnections.beginDataConnectionValidationAndWait(RG, CLUSTER, DB, { dataConnectionName: "x", properties: { kind: "EventHub", eventHubResourceId: HUB1_ID, consumerGroup: "nope" } as never }, POLL);
    expect(result.value?.map((v) => v.errorMessage)).toEqual([expect.stringContaining("consumer group 'nope'")]);
  });
});

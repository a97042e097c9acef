// A world matching the Microsoft.Kusto spec examples (/work/shared/reference/kusto): the examples' cluster,
// databases, event hubs, storage account, Cosmos DB account and user-assigned identity, all in one tenant,
// plus a second tenant holding "foreign" sources for the cross-tenant cases. Shared by unit and
// integration tests.
import type { WorldSeed } from "../../../../emulator/world/types";

export const KUSTO_TENANT = "11111111-1111-1111-1111-111111111111";
export const SOURCE_TENANT = "22222222-2222-2222-2222-222222222222";
/** The examples' subscription. */
export const SUB = "12345678-1234-1234-1234-123456789098";
export const FOREIGN_SUB = "23456789-2345-2345-2345-234567890987";
export const RG = "kustorptest";
export const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;
export const FOREIGN_RG_ID = `/subscriptions/${FOREIGN_SUB}/resourceGroups/sourcerg`;

export const CLUSTER_ID = `${RG_ID}/providers/Microsoft.Kusto/Clusters/kustoCluster`;
export const DB8_ID = `${CLUSTER_ID}/Databases/KustoDatabase8`;
export const DB1_ID = `${CLUSTER_ID}/Databases/KustoDatabase1`;
export const UAI_ID = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/managedidentityTest1`;
export const UAI_OBJECT_ID = "87654321-1234-1234-1234-123456789123";
export const CLUSTER_MI_OBJECT_ID = "33333333-0000-0000-0000-000000000001";
/** A user-assigned identity that exists but is not attached to the cluster. */
export const DETACHED_UAI_ID = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/notAttached`;

export const NAMESPACE_ID = `${RG_ID}/providers/Microsoft.EventHub/namespaces/eventhubTestns1`;
export const HUB1_ID = `${NAMESPACE_ID}/eventhubs/eventhubTest1`;
export const HUB2_ID = `${NAMESPACE_ID}/eventhubs/eventhubTest2`;
export const STORAGE_ID = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/teststorageaccount`;
export const COSMOS_ID = `${RG_ID}/providers/Microsoft.DocumentDb/databaseAccounts/cosmosDbAccountTest1`;
export const IOT_HUB_ID = `${RG_ID}/providers/Microsoft.Devices/IotHubs/iothubTest1`;

export const FOREIGN_NAMESPACE_ID = `${FOREIGN_RG_ID}/providers/Microsoft.EventHub/namespaces/foreignns`;
export const FOREIGN_HUB_ID = `${FOREIGN_NAMESPACE_ID}/eventhubs/foreignhub`;
export const FOREIGN_IOT_HUB_ID = `${FOREIGN_RG_ID}/providers/Microsoft.Devices/IotHubs/foreigniot`;

/** The pipeline identity that creates connections (Contributor on the examples' resource group). */
export const CREATOR = { objectId: "44444444-0000-0000-0000-000000000001", appId: "55555555-0000-0000-0000-000000000001" };
/** The same multi-tenant app's service principal in the source tenant (Contributor on the foreign group). */
export const CREATOR_IN_SOURCE_TENANT = { objectId: "44444444-0000-0000-0000-000000000002", appId: CREATOR.appId };
/** A principal with Kusto rights only (no access to any source). */
export const KUSTO_ONLY = { objectId: "44444444-0000-0000-0000-000000000003", appId: "55555555-0000-0000-0000-000000000003" };

const hub = (id: string) => ({
  id,
  name: id.split("/").pop(),
  type: "Microsoft.EventHub/namespaces/eventhubs",
  properties: { partitionCount: 4, messageRetentionInDays: 1, status: "Active", provisioningState: "Succeeded" },
});
const namespace = (id: string) => ({
  id,
  name: id.split("/").pop(),
  type: "Microsoft.EventHub/Namespaces",
  location: "westus",
  sku: { name: "Standard", tier: "Standard", capacity: 1 },
  properties: { provisioningState: "Succeeded", status: "Active" },
});
const iotHub = (id: string) => ({
  id,
  name: id.split("/").pop(),
  type: "Microsoft.Devices/IotHubs",
  location: "westus",
  sku: { name: "S1", tier: "Standard", capacity: 1 },
  properties: { provisioningState: "Succeeded", state: "Active" },
});

export function kustoWorldSeed(): WorldSeed {
  return {
    tenants: [
      { id: KUSTO_TENANT, displayName: "Kusto tenant" },
      { id: SOURCE_TENANT, displayName: "Source tenant" },
    ],
    subscriptions: [
      { id: SUB, tenantId: KUSTO_TENANT, displayName: "kusto" },
      { id: FOREIGN_SUB, tenantId: SOURCE_TENANT, displayName: "sources" },
    ],
    resourceGroups: [
      { subscriptionId: SUB, name: RG, location: "westus" },
      { subscriptionId: FOREIGN_SUB, name: "sourcerg", location: "westus" },
    ],
    principals: [
      { objectId: CREATOR.objectId, tenantId: KUSTO_TENANT, type: "ServicePrincipal", displayName: "pipeline", appId: CREATOR.appId },
      { objectId: CREATOR_IN_SOURCE_TENANT.objectId, tenantId: SOURCE_TENANT, type: "ServicePrincipal", displayName: "pipeline (source tenant)", appId: CREATOR.appId },
      { objectId: KUSTO_ONLY.objectId, tenantId: KUSTO_TENANT, type: "ServicePrincipal", displayName: "kusto only", appId: KUSTO_ONLY.appId },
      {
        objectId: UAI_OBJECT_ID,
        tenantId: KUSTO_TENANT,
        type: "ServicePrincipal",
        displayName: "managedidentityTest1",
        appId: "66666666-0000-0000-0000-000000000001",
        managedIdentity: { kind: "UserAssigned", resourceId: UAI_ID },
      },
      {
        objectId: "66666666-0000-0000-0000-0000000000ff",
        tenantId: KUSTO_TENANT,
        type: "ServicePrincipal",
        displayName: "notAttached",
        appId: "66666666-0000-0000-0000-000000000002",
        managedIdentity: { kind: "UserAssigned", resourceId: DETACHED_UAI_ID },
      },
      {
        objectId: CLUSTER_MI_OBJECT_ID,
        tenantId: KUSTO_TENANT,
        type: "ServicePrincipal",
        displayName: "kustoCluster",
        appId: "66666666-0000-0000-0000-000000000003",
        managedIdentity: { kind: "SystemAssigned", resourceId: CLUSTER_ID },
      },
    ],
    customRoles: [
      {
        name: "77777777-0000-0000-0000-000000000001",
        roleName: "Kusto data connection operator",
        type: "CustomRole",
        permissions: [{ actions: ["Microsoft.Kusto/*"], notActions: [], dataActions: [], notDataActions: [] }],
        assignableScopes: ["/"],
      },
    ],
    resources: [
      {
        id: CLUSTER_ID,
        name: "kustoCluster",
        type: "Microsoft.Kusto/Clusters",
        location: "westus",
        sku: { name: "Standard_L16as_v3", tier: "Standard", capacity: 2 },
        identity: {
          type: "SystemAssigned, UserAssigned",
          principalId: CLUSTER_MI_OBJECT_ID,
          tenantId: KUSTO_TENANT,
          userAssignedIdentities: { [UAI_ID]: { principalId: UAI_OBJECT_ID, clientId: "66666666-0000-0000-0000-000000000001" } },
        },
        properties: { provisioningState: "Succeeded", state: "Running", uri: "https://kustocluster.westus.kusto.windows.net" },
      },
      ...[DB8_ID, DB1_ID].map((id) => ({
        id,
        name: `kustoCluster/${id.split("/").pop()}`,
        type: "Microsoft.Kusto/Clusters/Databases",
        location: "westus",
        kind: "ReadWrite",
        properties: { provisioningState: "Succeeded", softDeletePeriod: "P365D", hotCachePeriod: "P31D", isFollowed: false },
      })),
      namespace(NAMESPACE_ID),
      hub(HUB1_ID),
      hub(HUB2_ID),
      { id: `${HUB1_ID}/consumergroups/testConsumerGroup1`, name: "testConsumerGroup1", type: "Microsoft.EventHub/namespaces/eventhubs/consumergroups", properties: {} },
      {
        id: STORAGE_ID,
        name: "teststorageaccount",
        type: "Microsoft.Storage/storageAccounts",
        location: "westus",
        kind: "StorageV2",
        sku: { name: "Standard_LRS", tier: "Standard" },
        properties: { provisioningState: "Succeeded" },
      },
      {
        id: COSMOS_ID,
        name: "cosmosDbAccountTest1",
        type: "Microsoft.DocumentDB/databaseAccounts",
        location: "westus",
        kind: "GlobalDocumentDB",
        properties: { provisioningState: "Succeeded", documentEndpoint: "https://cosmosdbaccounttest1.documents.azure.com:443/" },
      },
      { id: `${COSMOS_ID}/sqlDatabases/cosmosDbDatabaseTest`, name: "cosmosDbDatabaseTest", type: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases", properties: { resource: { id: "cosmosDbDatabaseTest" } } },
      {
        id: `${COSMOS_ID}/sqlDatabases/cosmosDbDatabaseTest/containers/cosmosDbContainerTest`,
        name: "cosmosDbContainerTest",
        type: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
        properties: { resource: { id: "cosmosDbContainerTest", partitionKey: { paths: ["/id"], kind: "Hash" } } },
      },
      {
        id: `${COSMOS_ID}/sqlRoleAssignments/88888888-0000-0000-0000-000000000001`,
        name: "88888888-0000-0000-0000-000000000001",
        type: "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
        properties: {
          roleDefinitionId: `${COSMOS_ID}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000001`,
          scope: COSMOS_ID,
          principalId: UAI_OBJECT_ID,
        },
      },
      iotHub(IOT_HUB_ID),
      { id: `${IOT_HUB_ID}/eventHubEndpoints/events/ConsumerGroups/kusto`, name: "kusto", type: "Microsoft.Devices/IotHubs/EventHubEndpoints/ConsumerGroups", properties: {} },
      namespace(FOREIGN_NAMESPACE_ID),
      hub(FOREIGN_HUB_ID),
      iotHub(FOREIGN_IOT_HUB_ID),
    ],
    roleAssignments: [
      { scope: RG_ID, role: "Contributor", principalId: CREATOR.objectId },
      { scope: FOREIGN_RG_ID, role: "Contributor", principalId: CREATOR_IN_SOURCE_TENANT.objectId },
      { scope: CLUSTER_ID, role: "Kusto data connection operator", principalId: KUSTO_ONLY.objectId },
      { scope: NAMESPACE_ID, role: "Azure Event Hubs Data Receiver", principalId: UAI_OBJECT_ID },
      { scope: STORAGE_ID, role: "Storage Blob Data Reader", principalId: UAI_OBJECT_ID },
      { scope: COSMOS_ID, role: "Reader", principalId: UAI_OBJECT_ID },
      { scope: HUB1_ID, role: "Azure Event Hubs Data Receiver", principalId: CLUSTER_MI_OBJECT_ID },
      { scope: FOREIGN_HUB_ID, role: "Azure Event Hubs Data Receiver", principalId: CLUSTER_MI_OBJECT_ID },
    ],
  };
}

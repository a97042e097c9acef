// Well-known IDs and specs of the fake world, shaped like the demo world's (emulator/worlds/demo.json).
import type { Caller } from "../../../src/lib/auth/caller";
import type { ConnectionKey, DataConnectionSpec } from "../../../src/lib/connections/model";

export const ids = {
  tenantA: "11111111-1111-4111-8111-111111111111",
  tenantB: "22222222-1111-4111-8111-111111111111",
  subA: "11111111-2222-4222-8222-222222222222",
  subB: "22222222-2222-4222-8222-222222222222",
  appPrincipal: "11111111-3333-4333-8333-000000000002",
  clusterPrincipal: "11111111-3333-4333-8333-000000000001",
  uamiPrincipal: "11111111-3333-4333-8333-000000000009",
  crossTenantSp: "22222222-3333-4333-8333-000000000003",
  caller: "11111111-6666-4666-8666-000000000001",
};
export const clusterId = `/subscriptions/${ids.subA}/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/clusters/adxdemo`;
export const uamiId = `/subscriptions/${ids.subA}/resourceGroups/rg-adx-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ingest`;
const sources = `/subscriptions/${ids.subA}/resourceGroups/rg-sources-demo/providers`;
export const sourceIds = {
  namespace: `${sources}/Microsoft.EventHub/namespaces/evhns-adx-demo`,
  eventHub: `${sources}/Microsoft.EventHub/namespaces/evhns-adx-demo/eventhubs/telemetry`,
  storage: `${sources}/Microsoft.Storage/storageAccounts/stadxdemo`,
  iotHub: `${sources}/Microsoft.Devices/IotHubs/iot-adx-demo`,
  cosmos: `${sources}/Microsoft.DocumentDB/databaseAccounts/cosmos-adx-demo`,
  partnerNamespace: `/subscriptions/${ids.subB}/resourceGroups/rg-partner-demo/providers/Microsoft.EventHub/namespaces/evhns-partner-demo`,
  partnerEventHub: `/subscriptions/${ids.subB}/resourceGroups/rg-partner-demo/providers/Microsoft.EventHub/namespaces/evhns-partner-demo/eventhubs/partner-events`,
};

export function keyOf(name: string, database = "telemetry"): ConnectionKey {
  return { subscriptionId: ids.subA, resourceGroup: "rg-adx-demo", cluster: "adxdemo", database, name };
}

export function writer(roles: string[] = ["Connections.Read", "Connections.Write"]): Caller {
  return { tenantId: ids.tenantA, objectId: ids.caller, name: "alice@contoso.example", roles };
}

export const specs = {
  eventHub: (): DataConnectionSpec => ({
    kind: "EventHub",
    location: "westeurope",
    properties: { eventHubResourceId: sourceIds.eventHub, consumerGroup: "adx", tableName: "Events", dataFormat: "JSON" },
  }),
  eventGrid: (): DataConnectionSpec => ({
    kind: "EventGrid",
    location: "westeurope",
    properties: { storageAccountResourceId: sourceIds.storage, eventHubResourceId: sourceIds.eventHub, consumerGroup: "adx", tableName: "Blobs", dataFormat: "CSV" },
  }),
  iotHub: (): DataConnectionSpec => ({
    kind: "IotHub",
    location: "westeurope",
    properties: { iotHubResourceId: sourceIds.iotHub, consumerGroup: "adx", sharedAccessPolicyName: "iothubowner", tableName: "Devices", dataFormat: "JSON" },
  }),
  cosmosDb: (): DataConnectionSpec => ({
    kind: "CosmosDb",
    location: "westeurope",
    properties: {
      tableName: "Readings",
      managedIdentityResourceId: clusterId,
      cosmosDbAccountResourceId: sourceIds.cosmos,
      cosmosDbDatabase: "telemetrydb",
      cosmosDbContainer: "readings",
    },
  }),
  partnerEventHub: (): DataConnectionSpec => ({
    kind: "EventHub",
    location: "westeurope",
    properties: { eventHubResourceId: sourceIds.partnerEventHub, consumerGroup: "adx-partner", tableName: "Partner", dataFormat: "JSON" },
  }),
};


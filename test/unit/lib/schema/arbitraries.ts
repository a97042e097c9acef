// fast-check generators of valid resource IDs and request bodies, written from the naming rules
// independently of the grammar under test (the grammar is what they check).
import fc from "fast-check";

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
export const guid = fc
  .tuple(hex(8), hex(4), hex(4), hex(4), hex(12), fc.boolean())
  .map(([a, b, c, d, e, upper]) => {
    const g = `${a}-${b}-${c}-${d}-${e}`;
    return upper ? g.toUpperCase() : g;
  });

/** Randomly re-cases a literal: ARM matches namespaces and types case-insensitively. */
export const anyCase = (literal: string) =>
  fc.array(fc.boolean(), { minLength: literal.length, maxLength: literal.length }).map((flags) =>
    [...literal].map((ch, i) => (flags[i] ? ch.toUpperCase() : ch.toLowerCase())).join(""),
  );

export const resourceGroup = fc.stringMatching(/^[-A-Za-z0-9_.()]{0,20}[-A-Za-z0-9_()]$/);
export const names = {
  cluster: fc.stringMatching(/^[a-z][a-z0-9]{3,21}$/),
  eventHubNamespace: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{4,20}[a-zA-Z0-9]$/),
  eventHub: fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,20}[a-zA-Z0-9])?$/),
  storageAccount: fc.stringMatching(/^[a-z0-9]{3,24}$/),
  iotHub: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{1,20}[a-zA-Z0-9]$/),
  cosmosDbAccount: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/),
  identity: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,30}$/),
  eventGrid: fc.stringMatching(/^[a-zA-Z0-9-]{3,30}$/),
};

export interface IdParts {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  names: string[];
}

const idOf = (provider: string, types: string[], nameArbs: fc.Arbitrary<string>[]) =>
  fc
    .tuple(guid, resourceGroup, anyCase("subscriptions"), anyCase("resourceGroups"), anyCase("providers"), anyCase(provider),
      fc.tuple(...types.map(anyCase)), fc.tuple(...nameArbs))
    .map(([sub, rg, s, r, p, prov, ts, ns]): IdParts => ({
      id: `/${s}/${sub}/${r}/${rg}/${p}/${prov}/${ts.map((t, i) => `${t}/${ns[i]}`).join("/")}`,
      subscriptionId: sub,
      resourceGroup: rg,
      names: ns,
    }));

export const ids = {
  eventHub: idOf("Microsoft.EventHub", ["namespaces", "eventhubs"], [names.eventHubNamespace, names.eventHub]),
  storageAccount: idOf("Microsoft.Storage", ["storageAccounts"], [names.storageAccount]),
  iotHub: idOf("Microsoft.Devices", ["IotHubs"], [names.iotHub]),
  cosmosDbAccount: idOf("Microsoft.DocumentDB", ["databaseAccounts"], [names.cosmosDbAccount]),
  kustoCluster: idOf("Microsoft.Kusto", ["clusters"], [names.cluster]),
  userAssignedIdentity: idOf("Microsoft.ManagedIdentity", ["userAssignedIdentities"], [names.identity]),
};

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const tableName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/);
const consumerGroup = fc.oneof(fc.constant("$Default"), fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/));
const dataFormat = fc.constantFrom("MULTIJSON", "JSON", "CSV", "AVRO", "PARQUET", "APACHEAVRO", "W3CLOGFILE");
const date = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());
const managedIdentity = fc.oneof(ids.kustoCluster, ids.userAssignedIdentity).map((p) => p.id);

/** Drops undefined values so generated bodies look like JSON. */
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const common = {
  location: optional(fc.constantFrom("westeurope", "West Europe", "eastus2")),
};

export const eventHubBody = fc
  .record({
    location: common.location,
    eh: ids.eventHub,
    consumerGroup,
    tableName: optional(tableName),
    mappingRuleName: optional(tableName),
    dataFormat: optional(dataFormat),
    eventSystemProperties: optional(fc.subarray(["x-opt-enqueued-time", "x-opt-sequence-number", "message-id"])),
    compression: optional(fc.constantFrom("None", "GZip")),
    databaseRouting: optional(fc.constantFrom("Single", "Multi")),
    retrievalStartDate: optional(date),
    mi: optional(managedIdentity),
  })
  .map((r) =>
    compact({
      kind: "EventHub",
      location: r.location,
      properties: compact({
        eventHubResourceId: r.eh.id,
        consumerGroup: r.consumerGroup,
        tableName: r.tableName,
        mappingRuleName: r.mappingRuleName,
        dataFormat: r.dataFormat,
        eventSystemProperties: r.eventSystemProperties,
        compression: r.compression,
        databaseRouting: r.databaseRouting,
        retrievalStartDate: r.retrievalStartDate,
        managedIdentityResourceId: r.mi,
      }),
    }),
  );

export const eventGridBody = fc
  .record({
    location: common.location,
    sa: ids.storageAccount,
    eh: ids.eventHub,
    consumerGroup,
    tableName: optional(tableName),
    dataFormat: optional(fc.constantFrom("JSON", "CSV", "AZMONSTREAM")),
    ignoreFirstRecord: optional(fc.boolean()),
    blobStorageEventType: optional(fc.constantFrom("Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobRenamed")),
    eventSubscription: optional(names.eventGrid),
    mi: optional(managedIdentity),
  })
  .map((r) =>
    compact({
      kind: "EventGrid",
      location: r.location,
      properties: compact({
        storageAccountResourceId: r.sa.id,
        eventHubResourceId: r.eh.id,
        consumerGroup: r.consumerGroup,
        tableName: r.tableName,
        dataFormat: r.dataFormat,
        ignoreFirstRecord: r.ignoreFirstRecord,
        blobStorageEventType: r.blobStorageEventType,
        eventGridResourceId: r.eventSubscription ? `${r.sa.id}/providers/Microsoft.EventGrid/eventSubscriptions/${r.eventSubscription}` : undefined,
        managedIdentityResourceId: r.mi,
      }),
    }),
  );

export const iotHubBody = fc
  .record({
    location: common.location,
    hub: ids.iotHub,
    consumerGroup,
    policy: fc.constantFrom("iothubowner", "service", "registryRead"),
    tableName: optional(tableName),
    dataFormat: optional(dataFormat),
    retrievalStartDate: optional(date),
    tenant: optional(guid),
  })
  .map((r) =>
    compact({
      kind: "IotHub",
      location: r.location,
      properties: compact({
        iotHubResourceId: r.hub.id,
        consumerGroup: r.consumerGroup,
        sharedAccessPolicyName: r.policy,
        tableName: r.tableName,
        dataFormat: r.dataFormat,
        retrievalStartDate: r.retrievalStartDate,
      }),
      access: r.tenant ? { mode: "key", sourceTenantId: r.tenant } : undefined,
    }),
  );

export const cosmosDbBody = fc
  .record({
    location: common.location,
    account: ids.cosmosDbAccount,
    mi: managedIdentity,
    tableName,
    database: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _-]{0,20}[A-Za-z0-9]$/),
    container: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
    retrievalStartDate: optional(date),
  })
  .map((r) =>
    compact({
      kind: "CosmosDb",
      location: r.location,
      properties: compact({
        tableName: r.tableName,
        managedIdentityResourceId: r.mi,
        cosmosDbAccountResourceId: r.account.id,
        cosmosDbDatabase: r.database,
        cosmosDbContainer: r.container,
        retrievalStartDate: r.retrievalStartDate,
      }),
    }),
  );

export const validBody = fc.oneof(eventHubBody, eventGridBody, iotHubBody, cosmosDbBody) as fc.Arbitrary<Record<string, unknown>>;

/** Well-known IDs of the demo world, for example-based tests. */
export const demo = {
  subscriptionId: "11111111-2222-4222-8222-222222222222",
  eventHubResourceId:
    "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-sources-demo/providers/Microsoft.EventHub/namespaces/evhns-adx-demo/eventhubs/telemetry",
  storageAccountResourceId: "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-sources-demo/providers/Microsoft.Storage/storageAccounts/stadxdemo",
  iotHubResourceId: "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-sources-demo/providers/Microsoft.Devices/IotHubs/iot-adx-demo",
  cosmosDbAccountResourceId:
    "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-sources-demo/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-adx-demo",
  clusterResourceId: "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/Clusters/adxdemo",
  identityResourceId:
    "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-adx-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-adx-lifecycle",
};

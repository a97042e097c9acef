// Microsoft.EventHub resource provider: namespaces, event hubs, consumer groups, namespace and hub
// authorization rules and their listKeys action; enough for Kusto data connections to have real sources.
import type { ArmRequest, EmulatorContext, ResourceProvider, RouteDefinition } from "../arm/contract";
import type { World } from "../world/world";
import { resourceNotFound } from "./common/errors";
import { generatedKey } from "./common/keys";
import { isRecord, resourceIdFrom, resourcePaths, resourceRoutes, type ResourceLevel } from "./common/resourceRoutes";

/** Stable Microsoft.EventHub api-versions (2024-01-01 is the newest stable) plus the previews SDKs still send. */
export const EVENT_HUB_API_VERSIONS = ["2017-04-01", "2021-11-01", "2022-01-01-preview", "2022-10-01-preview", "2024-01-01", "2024-05-01-preview"] as const;

const NAMESPACE = "Microsoft.EventHub";
/** Every namespace has this rule; hubs and consumer groups get `$Default` implicitly, as in Azure. */
export const ROOT_RULE = "RootManageSharedAccessKey";
export const DEFAULT_CONSUMER_GROUP = "$Default";

const namespaces: ResourceLevel = { collection: "namespaces", param: "namespaceName" };
const eventhubs: ResourceLevel = { collection: "eventhubs", param: "eventHubName" };
const consumergroups: ResourceLevel = { collection: "consumergroups", param: "consumerGroupName" };
const authorizationRules: ResourceLevel = { collection: "authorizationRules", param: "authorizationRuleName" };

function timestamps(existing: Record<string, unknown> | undefined): { createdAt: string; updatedAt: string } {
  const now = new Date().toISOString();
  const created = isRecord(existing?.properties) ? existing.properties.createdAt : undefined;
  return { createdAt: typeof created === "string" ? created : now, updatedAt: now };
}

function ruleProperties(input: Record<string, unknown>): Record<string, unknown> {
  return { rights: Array.isArray(input.rights) ? input.rights : ["Listen"] };
}

/** Creates the namespace's root rule and an event hub's `$Default` consumer group, as Azure does. */
function ensureChild(world: World, parentId: string, collection: string, name: string, type: string, properties: Record<string, unknown>): void {
  const id = `${parentId}/${collection}/${name}`;
  if (!world.getResource(id)) world.putResource({ id, name, type, properties });
}

const namespaceRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [namespaces],
  type: "Microsoft.EventHub/Namespaces",
  actionPrefix: "Microsoft.EventHub/namespaces",
  apiVersions: EVENT_HUB_API_VERSIONS,
  tracked: true,
  passThrough: ["sku", "identity"],
  toProperties: (input, { id, name, existing }) => ({
    minimumTlsVersion: "1.2",
    publicNetworkAccess: "Enabled",
    disableLocalAuth: false,
    zoneRedundant: false,
    isAutoInflateEnabled: false,
    maximumThroughputUnits: 0,
    kafkaEnabled: true,
    ...input,
    serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/`,
    metricId: `${id.split("/")[2] ?? ""}:${name.toLowerCase()}`,
    status: "Active",
    ...timestamps(existing),
  }),
  afterWrite: (world, body) =>
    ensureChild(world, String(body.id), "authorizationRules", ROOT_RULE, "Microsoft.EventHub/Namespaces/AuthorizationRules", {
      rights: ["Listen", "Manage", "Send"],
    }),
});

const eventHubRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [namespaces, eventhubs],
  type: "Microsoft.EventHub/namespaces/eventhubs",
  actionPrefix: "Microsoft.EventHub/namespaces/eventhubs",
  apiVersions: EVENT_HUB_API_VERSIONS,
  tracked: false,
  passThrough: ["location"],
  toProperties: (input, { existing }) => {
    const partitionCount = typeof input.partitionCount === "number" ? input.partitionCount : 4;
    return {
      messageRetentionInDays: 1,
      ...input,
      partitionCount,
      partitionIds: Array.from({ length: partitionCount }, (_, i) => String(i)),
      status: "Active",
      ...timestamps(existing),
    };
  },
  afterWrite: (world, body) =>
    ensureChild(world, String(body.id), "consumergroups", DEFAULT_CONSUMER_GROUP, "Microsoft.EventHub/namespaces/eventhubs/consumergroups", {}),
});

const consumerGroupRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [namespaces, eventhubs, consumergroups],
  type: "Microsoft.EventHub/namespaces/eventhubs/consumergroups",
  actionPrefix: "Microsoft.EventHub/namespaces/eventhubs/consumergroups",
  apiVersions: EVENT_HUB_API_VERSIONS,
  tracked: false,
  toProperties: (input, { existing }) => ({ ...input, ...timestamps(existing) }),
});

const namespaceRuleRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [namespaces, authorizationRules],
  type: "Microsoft.EventHub/Namespaces/AuthorizationRules",
  actionPrefix: "Microsoft.EventHub/namespaces/authorizationRules",
  apiVersions: EVENT_HUB_API_VERSIONS,
  tracked: false,
  toProperties: ruleProperties,
});

const hubRuleRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [namespaces, eventhubs, authorizationRules],
  type: "Microsoft.EventHub/Namespaces/EventHubs/AuthorizationRules",
  actionPrefix: "Microsoft.EventHub/namespaces/eventhubs/authorizationRules",
  apiVersions: EVENT_HUB_API_VERSIONS,
  tracked: false,
  toProperties: ruleProperties,
});

/** POST .../authorizationRules/{rule}/listKeys: the rule's keys and connection strings (AccessKeys). */
function listKeysRoute(levels: ResourceLevel[], action: string): RouteDefinition {
  return {
    method: "POST",
    path: `${resourcePaths({ namespace: NAMESPACE, levels }).item}/listKeys`,
    apiVersions: EVENT_HUB_API_VERSIONS,
    action,
    handler(req: ArmRequest, ctx: EmulatorContext) {
      const ruleId = resourceIdFrom(req, { namespace: NAMESPACE, levels });
      const ruleName = req.params.authorizationRuleName ?? "";
      const namespaceName = req.params.namespaceName ?? "";
      const implicitRoot =
        levels.length === 2 && ruleName.toLowerCase() === ROOT_RULE.toLowerCase() && ctx.world.getResource(resourceIdFrom(req, { namespace: NAMESPACE, levels }, 1));
      if (!ctx.world.getResource(ruleId) && !implicitRoot) {
        throw resourceNotFound("Microsoft.EventHub/namespaces/authorizationRules", ruleName, req.params.resourceGroupName);
      }
      const entityPath = levels.length === 3 ? `;EntityPath=${req.params.eventHubName ?? ""}` : "";
      const primaryKey = generatedKey(ruleId, ruleName, "primary");
      const secondaryKey = generatedKey(ruleId, ruleName, "secondary");
      const connectionString = (key: string): string =>
        `Endpoint=sb://${namespaceName}.servicebus.windows.net/;SharedAccessKeyName=${ruleName};SharedAccessKey=${key}${entityPath}`;
      return {
        status: 200,
        body: {
          primaryConnectionString: connectionString(primaryKey),
          secondaryConnectionString: connectionString(secondaryKey),
          primaryKey,
          secondaryKey,
          keyName: ruleName,
        },
      };
    },
  };
}

export const eventHubProvider: ResourceProvider = {
  namespace: NAMESPACE,
  routes: [
    ...namespaceRoutes,
    ...eventHubRoutes,
    ...consumerGroupRoutes,
    ...namespaceRuleRoutes,
    ...hubRuleRoutes,
    listKeysRoute([namespaces, authorizationRules], "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action"),
    listKeysRoute([namespaces, eventhubs, authorizationRules], "Microsoft.EventHub/namespaces/eventhubs/authorizationRules/listKeys/action"),
  ],
};

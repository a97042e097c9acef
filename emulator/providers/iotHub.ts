// Microsoft.Devices resource provider: IoT hubs (GET/PUT/DELETE/list), listkeys, and the built-in events
// endpoint's consumer groups; enough for Kusto IotHub data connections to have real sources.
import type { ResourceProvider, RouteDefinition } from "../arm/contract";
import { ArmError } from "../arm/contract";
import { parentResourceNotFound, resourceNotFound } from "./common/errors";
import { generatedKey } from "./common/keys";
import { isRecord, resourceRoutes, type ResourceLevel } from "./common/resourceRoutes";

/** Microsoft.Devices (IotHubs) api-versions: 2023-06-30 is the newest stable. */
export const IOT_HUB_API_VERSIONS = ["2021-07-02", "2022-04-30-preview", "2023-06-30"] as const;

const NAMESPACE = "Microsoft.Devices";
const iotHubs: ResourceLevel = { collection: "IotHubs", param: "resourceName" };
const HUB_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/{resourceName}";
const CONSUMER_GROUPS = `${HUB_PATH}/eventHubEndpoints/{eventHubEndpointName}/ConsumerGroups`;
const CONSUMER_GROUP_TYPE = "Microsoft.Devices/IotHubs/EventHubEndpoints/ConsumerGroups";

/** The shared access policies every IoT hub is created with (keys come only from listkeys). */
export const DEFAULT_IOT_HUB_POLICIES = [
  { keyName: "iothubowner", rights: "RegistryWrite, ServiceConnect, DeviceConnect" },
  { keyName: "service", rights: "ServiceConnect" },
  { keyName: "device", rights: "DeviceConnect" },
  { keyName: "registryRead", rights: "RegistryRead" },
  { keyName: "registryReadWrite", rights: "RegistryWrite" },
];

/** Names and rights of a hub's shared access policies (the defaults when its body lists none). */
export function iotHubPolicies(body: Record<string, unknown>): { keyName: string; rights: string }[] {
  const policies = isRecord(body.properties) ? body.properties.authorizationPolicies : undefined;
  if (!Array.isArray(policies) || policies.length === 0) return DEFAULT_IOT_HUB_POLICIES;
  return policies.filter(isRecord).map((p) => ({ keyName: String(p.keyName), rights: String(p.rights ?? "") }));
}

const hubRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [iotHubs],
  type: "Microsoft.Devices/IotHubs",
  actionPrefix: "Microsoft.Devices/IotHubs",
  apiVersions: IOT_HUB_API_VERSIONS,
  tracked: true,
  passThrough: ["sku", "identity", "etag"],
  toProperties: (input, { name }) => {
    const policies = Array.isArray(input.authorizationPolicies)
      ? input.authorizationPolicies.filter(isRecord).map((p) => ({ keyName: p.keyName, rights: p.rights }))
      : DEFAULT_IOT_HUB_POLICIES;
    return {
      ...input,
      authorizationPolicies: policies,
      hostName: `${name}.azure-devices.net`,
      state: "Active",
      eventHubEndpoints: {
        events: {
          retentionTimeInDays: 1,
          partitionCount: 4,
          partitionIds: ["0", "1", "2", "3"],
          path: name.toLowerCase(),
          endpoint: `sb://iothub-ns-${name.toLowerCase()}.servicebus.windows.net/`,
        },
      },
    };
  },
});

function hubId(params: Record<string, string>): string {
  return `/subscriptions/${params.subscriptionId}/resourceGroups/${params.resourceGroupName}/providers/Microsoft.Devices/IotHubs/${params.resourceName}`;
}

function endpointOf(params: Record<string, string>): string {
  const endpoint = params.eventHubEndpointName ?? "";
  if (endpoint.toLowerCase() !== "events") {
    throw new ArmError(400, "InvalidEventHubEndpoint", `The event hub endpoint '${endpoint}' does not exist; IoT hubs have the 'events' endpoint.`);
  }
  return "events";
}

const consumerGroupRoutes: RouteDefinition[] = [
  {
    method: "GET",
    path: CONSUMER_GROUPS,
    apiVersions: IOT_HUB_API_VERSIONS,
    action: "Microsoft.Devices/IotHubs/eventHubEndpoints/consumerGroups/read",
    handler(req, ctx) {
      const hub = hubId(req.params);
      if (!ctx.world.getResource(hub)) throw parentResourceNotFound(hub);
      const parent = `${hub}/eventHubEndpoints/${endpointOf(req.params)}`;
      return { status: 200, body: { value: ctx.world.listChildren(parent, "ConsumerGroups").map((r) => r.body) } };
    },
  },
  {
    method: "GET",
    path: `${CONSUMER_GROUPS}/{name}`,
    apiVersions: IOT_HUB_API_VERSIONS,
    action: "Microsoft.Devices/IotHubs/eventHubEndpoints/consumerGroups/read",
    handler(req, ctx) {
      const id = `${hubId(req.params)}/eventHubEndpoints/${endpointOf(req.params)}/ConsumerGroups/${req.params.name}`;
      const record = ctx.world.getResource(id);
      if (!record) throw resourceNotFound(CONSUMER_GROUP_TYPE, req.params.name ?? "", req.params.resourceGroupName);
      return { status: 200, body: record.body };
    },
  },
  {
    method: "PUT",
    path: `${CONSUMER_GROUPS}/{name}`,
    apiVersions: IOT_HUB_API_VERSIONS,
    action: "Microsoft.Devices/IotHubs/eventHubEndpoints/consumerGroups/write",
    handler(req, ctx) {
      const hub = hubId(req.params);
      if (!ctx.world.getResource(hub)) throw parentResourceNotFound(hub);
      const name = req.params.name ?? "";
      const id = `${hub}/eventHubEndpoints/${endpointOf(req.params)}/ConsumerGroups/${name}`;
      const existing = ctx.world.getResource(id);
      const body = { id, name, type: CONSUMER_GROUP_TYPE, etag: null, properties: { created: new Date().toUTCString(), properties: { name } } };
      ctx.world.putResource(body);
      return { status: existing ? 200 : 201, body };
    },
  },
  {
    method: "DELETE",
    path: `${CONSUMER_GROUPS}/{name}`,
    apiVersions: IOT_HUB_API_VERSIONS,
    action: "Microsoft.Devices/IotHubs/eventHubEndpoints/consumerGroups/delete",
    handler(req, ctx) {
      const id = `${hubId(req.params)}/eventHubEndpoints/${endpointOf(req.params)}/ConsumerGroups/${req.params.name}`;
      return { status: ctx.world.deleteResource(id).length > 0 ? 200 : 204 };
    },
  },
];

const listKeysRoute: RouteDefinition = {
  method: "POST",
  path: `${HUB_PATH}/listkeys`,
  apiVersions: IOT_HUB_API_VERSIONS,
  action: "Microsoft.Devices/IotHubs/listkeys/action",
  handler(req, ctx) {
    const id = hubId(req.params);
    const record = ctx.world.getResource(id);
    if (!record) throw resourceNotFound("Microsoft.Devices/IotHubs", req.params.resourceName ?? "", req.params.resourceGroupName);
    const value = iotHubPolicies(record.body).map((p) => ({
      keyName: p.keyName,
      primaryKey: generatedKey(id, p.keyName, "primary"),
      secondaryKey: generatedKey(id, p.keyName, "secondary"),
      rights: p.rights,
    }));
    return { status: 200, body: { value } };
  },
};

export const iotHubProvider: ResourceProvider = { namespace: NAMESPACE, routes: [...hubRoutes, ...consumerGroupRoutes, listKeysRoute] };

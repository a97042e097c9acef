// ARM's own routes the providers do not serve: subscriptions, resource groups, and the generic
// operationResults endpoints of LROs started through the LroManager.
import { ArmError, type ArmResponse, type ResourceProvider, type RouteDefinition } from "./contract";
import type { EmulatorLroManager } from "./lroManager";

const RESOURCES_VERSIONS = ["2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01", "2024-07-01"];
const SUBSCRIPTIONS_VERSIONS = ["2016-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01"];

export function builtInProvider(lro: EmulatorLroManager): ResourceProvider {
  const operationResult = (segment: string): RouteDefinition => ({
    method: "GET",
    path: `/subscriptions/{subscriptionId}/providers/{providerNamespace}/locations/{location}/${segment}/{operationId}`,
    // The provider's own versions; ARM forwards whatever the Azure-AsyncOperation URL carries.
    apiVersions: ["*"],
    action: (req) => `${req.params.providerNamespace}/locations/${segment}/read`,
    // Whoever started an operation can poll it, even with a role only on a resource group.
    authorization: "authenticated",
    handler(req): ArmResponse {
      const record = lro.get(req.params.operationId ?? "");
      if (!record || record.options.namespace.toLowerCase() !== (req.params.providerNamespace ?? "").toLowerCase()) {
        throw new ArmError(404, "ResourceNotFound", `The operation '${req.params.operationId}' could not be found.`);
      }
      if (req.query.get("operationResultResponseType")?.toLowerCase() === "location") return lro.locationResponse(record);
      return { status: 200, body: lro.toOperationResult(record, req.path), event: false };
    },
  });

  return {
    namespace: "Microsoft.Resources",
    routes: [
      operationResult("operationResults"),
      operationResult("operationStatuses"),
      {
        method: "GET",
        path: "/subscriptions/{subscriptionId}",
        apiVersions: SUBSCRIPTIONS_VERSIONS,
        action: "Microsoft.Resources/subscriptions/read",
        handler(req, ctx) {
          const s = ctx.world.subscriptions.get((req.params.subscriptionId ?? "").toLowerCase());
          if (!s) throw new ArmError(404, "SubscriptionNotFound", `The subscription '${req.params.subscriptionId}' could not be found.`);
          return {
            status: 200,
            body: {
              id: `/subscriptions/${s.id}`,
              authorizationSource: "RoleBased",
              managedByTenants: [],
              subscriptionId: s.id,
              tenantId: s.tenantId,
              displayName: s.displayName,
              state: "Enabled",
              subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
            },
          };
        },
      },
      {
        method: "GET",
        path: "/subscriptions/{subscriptionId}/resourcegroups",
        apiVersions: RESOURCES_VERSIONS,
        action: "Microsoft.Resources/subscriptions/resourceGroups/read",
        handler(req, ctx) {
          const groups = ctx.world.listByType("Microsoft.Resources/resourceGroups", `/subscriptions/${req.params.subscriptionId}`);
          return { status: 200, body: { value: groups.map((g) => g.body) } };
        },
      },
      {
        method: "GET",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
        apiVersions: RESOURCES_VERSIONS,
        action: "Microsoft.Resources/subscriptions/resourceGroups/read",
        handler(req, ctx) {
          const g = ctx.world.getResource(req.path);
          if (!g) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${req.params.resourceGroupName}' could not be found.`);
          return { status: 200, body: g.body };
        },
      },
      {
        method: "PUT",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
        apiVersions: RESOURCES_VERSIONS,
        action: "Microsoft.Resources/subscriptions/resourceGroups/write",
        handler(req, ctx) {
          const body = (req.body ?? {}) as { location?: unknown; tags?: unknown };
          if (typeof body.location !== "string") throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
          const existing = ctx.world.getResource(req.path);
          const name = existing ? String(existing.body.name) : (req.params.resourceGroupName ?? "");
          const record = ctx.world.putResource({
            id: `/subscriptions/${req.params.subscriptionId}/resourceGroups/${name}`,
            name,
            type: "Microsoft.Resources/resourceGroups",
            location: existing ? existing.body.location : body.location,
            ...(body.tags ? { tags: body.tags } : {}),
            properties: { provisioningState: "Succeeded" },
          });
          return { status: existing ? 200 : 201, body: record.body };
        },
      },
    ],
  };
}

// Microsoft.Kusto operations list, clusters (GET, list by resource group and subscription) and databases
// (GET, list, DELETE as an LRO that takes the database's data connections with it).
import type { ArmRequest, EmulatorContext, LroStartOptions, RouteDefinition } from "../../arm/contract";
import { ArmError } from "../../arm/contract";
import type { ResourceRecord } from "../../world/types";
import { resourceNotFound } from "../common/errors";
import { isRecord } from "../common/resourceRoutes";
import { CLUSTER_PATH, clusterIdOf, DATABASE_PATH, databaseIdOf, KUSTO_API_VERSIONS, kustoOperation, propertiesOf, requireCluster } from "./parents";

const CLUSTER_TYPE = "Microsoft.Kusto/Clusters";

/** A small, real subset of `GET /providers/Microsoft.Kusto/operations` (the app's health probe reads it). */
export const KUSTO_OPERATIONS = [
  ["Microsoft.Kusto/Clusters/read", "Clusters", "Read cluster", "Reads a cluster resource."],
  ["Microsoft.Kusto/Clusters/Databases/read", "Databases", "Read database", "Reads a database resource."],
  ["Microsoft.Kusto/Clusters/Databases/DataConnections/read", "Data Connections", "Read data connections", "Reads a data connections resource."],
  ["Microsoft.Kusto/Clusters/Databases/DataConnections/write", "Data Connections", "Write data connections", "Writes a data connections resource."],
  ["Microsoft.Kusto/Clusters/Databases/DataConnections/delete", "Data Connections", "Delete data connections", "Deletes a data connections resource."],
  ["Microsoft.Kusto/Clusters/Databases/DataConnectionValidation/action", "Databases", "Validates database data connection", "Validates database data connection."],
  ["Microsoft.Kusto/Clusters/Databases/CheckNameAvailability/action", "Databases", "Database check name availability", "Checks name availability for a given type."],
  ["Microsoft.Kusto/Operations/read", "Operations", "Read operations", "Reads operations resources."],
].map(([name, resource, operation, description]) => ({
  name,
  display: { provider: "Microsoft Kusto", resource, operation, description },
  origin: "user,system",
  properties: {},
}));

/** The cluster as GET returns it: identity.tenantId and the system identity's principalId filled from the world. */
export function clusterView(ctx: EmulatorContext, record: ResourceRecord): Record<string, unknown> {
  const body = structuredClone(record.body);
  if (isRecord(body.identity)) {
    const identity = body.identity;
    const type = typeof identity.type === "string" ? identity.type : "";
    if (/systemassigned/i.test(type)) {
      identity.tenantId ??= ctx.world.tenantOfResource(record.id);
      identity.principalId ??= ctx.world.findManagedIdentity({ resourceId: record.id })?.objectId;
    }
  }
  return body;
}

function deleteWithOperation(req: ArmRequest, ctx: EmulatorContext, record: ResourceRecord, cluster: ResourceRecord, kind: string) {
  const state = propertiesOf(record.body).provisioningState;
  if (state === "Deleting" || state === "Creating") {
    throw new ArmError(409, "AnotherOperationInProgress", `'${String(record.body.name)}' is in state '${String(state)}': another operation is in progress.`);
  }
  ctx.world.putResource({ ...record.body, properties: { ...propertiesOf(record.body), provisioningState: "Deleting" } });
  const start: LroStartOptions & { path: string } = {
    ...kustoOperation(req, cluster, kind),
    complete: () => void ctx.world.deleteResource(record.id),
    fail: () => {
      const current = ctx.world.getResource(record.id);
      if (current) ctx.world.putResource({ ...current.body, properties: { ...propertiesOf(current.body), provisioningState: "Failed" } });
    },
  };
  return { status: 202, headers: ctx.lro.start(start).headers };
}

export const clusterRoutes: RouteDefinition[] = [
  {
    method: "GET",
    path: "/providers/Microsoft.Kusto/operations",
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/operations/read",
    // ARM serves provider operation lists to any authenticated caller; no role can be assigned at "/".
    authorization: "authenticated",
    scope: () => "/",
    handler: () => ({ status: 200, body: { value: KUSTO_OPERATIONS } }),
  },
  {
    method: "GET",
    path: "/subscriptions/{subscriptionId}/providers/Microsoft.Kusto/clusters",
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/read",
    handler(req, ctx) {
      const records = ctx.world.listByType(CLUSTER_TYPE, `/subscriptions/${req.params.subscriptionId}`);
      return { status: 200, body: { value: records.map((r) => clusterView(ctx, r)) } };
    },
  },
  {
    method: "GET",
    path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters",
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/read",
    handler(req, ctx) {
      const records = ctx.world.listByType(CLUSTER_TYPE, `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}`);
      return { status: 200, body: { value: records.map((r) => clusterView(ctx, r)) } };
    },
  },
  {
    method: "GET",
    path: CLUSTER_PATH,
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/read",
    handler(req, ctx) {
      const record = ctx.world.getResource(clusterIdOf(req));
      if (!record) throw resourceNotFound(CLUSTER_TYPE, req.params.clusterName ?? "", req.params.resourceGroupName);
      return { status: 200, body: clusterView(ctx, record) };
    },
  },
  {
    method: "DELETE",
    path: CLUSTER_PATH,
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/delete",
    handler(req, ctx) {
      const record = ctx.world.getResource(clusterIdOf(req));
      if (!record) return { status: 204 };
      return deleteWithOperation(req, ctx, record, record, "ClusterDelete");
    },
  },
  {
    method: "GET",
    path: `${CLUSTER_PATH}/databases`,
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/databases/read",
    handler(req, ctx) {
      const cluster = requireCluster(ctx, req);
      return { status: 200, body: { value: ctx.world.listChildren(cluster.id, "databases").map((r) => r.body) } };
    },
  },
  {
    method: "GET",
    path: DATABASE_PATH,
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/databases/read",
    handler(req, ctx) {
      requireCluster(ctx, req);
      const record = ctx.world.getResource(databaseIdOf(req));
      if (!record) throw resourceNotFound("Microsoft.Kusto/Clusters/Databases", `${req.params.clusterName}/${req.params.databaseName}`, req.params.resourceGroupName);
      return { status: 200, body: record.body };
    },
  },
  {
    method: "DELETE",
    path: DATABASE_PATH,
    apiVersions: KUSTO_API_VERSIONS,
    action: "Microsoft.Kusto/clusters/databases/delete",
    handler(req, ctx) {
      const cluster = requireCluster(ctx, req);
      const record = ctx.world.getResource(databaseIdOf(req));
      if (!record) return { status: 204 };
      return deleteWithOperation(req, ctx, record, cluster, "DatabaseDelete");
    },
  },
];

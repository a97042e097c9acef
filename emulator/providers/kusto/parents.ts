// Finding a request's Kusto cluster and database, and building IDs in the casing Kusto returns.
import type { ArmRequest, EmulatorContext, LroStartOptions } from "../../arm/contract";
import type { ResourceRecord } from "../../world/types";
import { parentResourceNotFound } from "../common/errors";
import { isRecord } from "../common/resourceRoutes";
import { kustoSettings } from "./settings";

export const KUSTO_API_VERSIONS = ["2023-08-15", "2024-04-13", "2025-02-14"] as const;

const BASE = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto";
export const CLUSTER_PATH = `${BASE}/clusters/{clusterName}`;
export const DATABASE_PATH = `${CLUSTER_PATH}/databases/{databaseName}`;
export const DATA_CONNECTION_PATH = `${DATABASE_PATH}/dataConnections/{dataConnectionName}`;

export function clusterIdOf(req: ArmRequest): string {
  return `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}/providers/Microsoft.Kusto/Clusters/${req.params.clusterName}`;
}

export function databaseIdOf(req: ArmRequest): string {
  return `${clusterIdOf(req)}/Databases/${req.params.databaseName}`;
}

export function lastSegment(id: string): string {
  return id.replace(/\/+$/, "").split("/").pop() ?? "";
}

/** The cluster of the request; 404 ParentResourceNotFound when it does not exist. */
export function requireCluster(ctx: EmulatorContext, req: ArmRequest): ResourceRecord {
  const cluster = ctx.world.getResource(clusterIdOf(req));
  if (!cluster) throw parentResourceNotFound(clusterIdOf(req));
  return cluster;
}

/** The cluster record that owns a nested Kusto resource ID. */
export function clusterOfId(ctx: EmulatorContext, id: string): ResourceRecord | undefined {
  return ctx.world.getResource(id.split("/").slice(0, 9).join("/"));
}

/** ARM location names in operation URLs are the normalized form ("West US" → "westus"). */
export function normalizedLocation(record: ResourceRecord): string {
  const location = typeof record.body.location === "string" ? record.body.location : "westus";
  return location.replace(/\s+/g, "").toLowerCase();
}

/**
 * What every Kusto long-running operation on `cluster` starts with (its outcome hooks are the caller's). `path`
 * lets the front door's LroManager apply the admin API's failLro faults to the request.
 */
export function kustoOperation(req: ArmRequest, cluster: ResourceRecord, operationKind: string): Omit<LroStartOptions, "complete"> & { path: string } {
  return {
    path: req.path,
    namespace: "Microsoft.Kusto",
    subscriptionId: req.params.subscriptionId ?? "",
    location: normalizedLocation(cluster),
    apiVersion: req.apiVersion,
    origin: req.url.origin,
    operationKind,
    durationInMs: kustoSettings.operationDurationInMs,
  };
}

export function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  return isRecord(body.properties) ? body.properties : {};
}

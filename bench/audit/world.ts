// The bench's big world, generated: the demo world plus 20 clusters (each with a system identity) over 4
// subscriptions, 10 databases each, 25 event hubs per cluster (500 hubs) each granted to its cluster's identity
// (Event Hubs Data Receiver), and 50 identity-based data connections per database (10,000 connections,
// 500 distinct principal/scope pairs). A few connections are left out of the registry (unmanaged findings).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { WorldSeed } from "../../emulator/world/types";
import { requirementsFor } from "../../src/lib/access/requirementsFor";
import { toConnectionId, type DataConnectionSpec, type ManagedConnection } from "../../src/lib/connections/model";

export const shape = { clusters: 20, databasesPerCluster: 10, connectionsPerDatabase: 50, hubsPerCluster: 25, subscriptions: 4, unmanaged: 10 };
const RECEIVER = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";

const guid = (prefix: string, n: number) => `${prefix}-aaaa-4aaa-8aaa-${n.toString(16).padStart(12, "0")}`;

export interface BenchWorld {
  seed: WorldSeed;
  managed: ManagedConnection[];
  connections: number;
  distinctScopes: number;
}

export function buildWorld(repoRoot: string): BenchWorld {
  const demo = JSON.parse(readFileSync(join(repoRoot, "emulator", "worlds", "demo.json"), "utf8")) as WorldSeed;
  const meta = demo.meta ?? {};
  const tenantId = meta.kustoTenantId as string;
  const appPrincipal = meta.appIdentityObjectId as string;
  const seed: WorldSeed = structuredClone(demo);
  const subscriptions = Array.from({ length: shape.subscriptions }, (_, i) => guid("b0000000", i + 1));
  for (const [i, id] of subscriptions.entries()) {
    seed.subscriptions.push({ id, tenantId, displayName: `bench-${i}` });
    seed.resourceGroups!.push({ subscriptionId: id, name: "rg-bench", location: "westeurope" });
    // The app reads clusters, databases, connections and role assignments: Reader is enough.
    seed.roleAssignments!.push({ name: guid("b1000000", i + 1), scope: `/subscriptions/${id}`, role: "Reader", principalId: appPrincipal });
  }
  const resources = (seed.resources ??= []);
  const managed: ManagedConnection[] = [];
  const at = "2025-01-01T00:00:00.000Z";
  const caller = { tenantId, objectId: meta.pipelineObjectId as string };
  let unmanagedLeft = shape.unmanaged;
  for (let c = 0; c < shape.clusters; c++) {
    const sub = subscriptions[c % subscriptions.length] as string;
    const rg = `/subscriptions/${sub}/resourceGroups/rg-bench`;
    const cluster = `bench${c}`;
    const clusterId = `${rg}/providers/Microsoft.Kusto/Clusters/${cluster}`;
    const principalId = guid("b2000000", c + 1);
    seed.principals.push({ objectId: principalId, tenantId, type: "ServicePrincipal", displayName: cluster, appId: guid("b3000000", c + 1), managedIdentity: { kind: "SystemAssigned", resourceId: clusterId } });
    resources.push({
      id: clusterId,
      name: cluster,
      type: "Microsoft.Kusto/Clusters",
      location: "westeurope",
      sku: { name: "Dev(No SLA)_Standard_E2a_v4", tier: "Basic", capacity: 1 },
      identity: { type: "SystemAssigned", principalId, tenantId },
      properties: { state: "Running", provisioningState: "Succeeded", uri: `https://${cluster}.westeurope.kusto.windows.net` },
    });
    const namespace = `${rg}/providers/Microsoft.EventHub/namespaces/evhns-bench${c}`;
    resources.push({ id: namespace, name: `evhns-bench${c}`, type: "Microsoft.EventHub/namespaces", location: "westeurope", sku: { name: "Standard", tier: "Standard", capacity: 1 }, properties: { provisioningState: "Succeeded", status: "Active" } });
    const hubs: { id: string; assignment: string }[] = [];
    for (let h = 0; h < shape.hubsPerCluster; h++) {
      const hub = `${namespace}/eventhubs/hub${h}`;
      resources.push({ id: hub, name: `hub${h}`, type: "Microsoft.EventHub/namespaces/eventhubs", location: "westeurope", properties: { partitionCount: 2, status: "Active" } });
      resources.push({ id: `${hub}/consumergroups/adx`, name: "adx", type: "Microsoft.EventHub/namespaces/eventhubs/consumergroups", location: "westeurope", properties: {} });
      const name = guid("b4000000", c * 1000 + h + 1);
      seed.roleAssignments!.push({ name, scope: hub, role: RECEIVER, principalId });
      hubs.push({ id: hub, assignment: `${hub}/providers/Microsoft.Authorization/roleAssignments/${name}` });
    }
    for (let d = 0; d < shape.databasesPerCluster; d++) {
      const database = `db${d}`;
      const databaseId = `${clusterId}/Databases/${database}`;
      resources.push({ id: databaseId, name: `${cluster}/${database}`, type: "Microsoft.Kusto/Clusters/Databases", location: "westeurope", kind: "ReadWrite", properties: { provisioningState: "Succeeded" } });
      for (let n = 0; n < shape.connectionsPerDatabase; n++) {
        const hub = hubs[(d * shape.connectionsPerDatabase + n) % hubs.length] as { id: string; assignment: string };
        const name = `dc${n}`;
        const spec: DataConnectionSpec = {
          kind: "EventHub",
          location: "westeurope",
          properties: { eventHubResourceId: hub.id, consumerGroup: "adx", tableName: `T${n}`, dataFormat: "JSON", managedIdentityResourceId: clusterId },
        };
        resources.push({
          id: `${databaseId}/DataConnections/${name}`,
          name: `${cluster}/${database}/${name}`,
          type: "Microsoft.Kusto/Clusters/Databases/DataConnections",
          location: "westeurope",
          kind: "EventHub",
          properties: { ...spec.properties, provisioningState: "Succeeded" },
        });
        if (unmanagedLeft > 0 && d === 0 && n === 0 && c < shape.unmanaged) {
          unmanagedLeft--;
          continue;
        }
        const key = { subscriptionId: sub, resourceGroup: "rg-bench", cluster, database, name };
        const requirements = requirementsFor(spec, "managedIdentity").map((requirement) => ({
          requirement,
          granted: true,
          grants: [{ roleAssignmentId: hub.assignment, roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${RECEIVER}`, scope: hub.id, assigneeObjectId: principalId }],
        }));
        managed.push({
          id: toConnectionId(key),
          key,
          kind: "EventHub",
          authMode: "managedIdentity",
          spec,
          binding: { principal: { tenantId, objectId: principalId, kind: "clusterIdentity", resourceId: clusterId }, requirements, verifiedAt: at },
          sourceResourceIds: [hub.id],
          status: "Succeeded",
          createdBy: caller,
          createdAt: at,
          updatedBy: caller,
          updatedAt: at,
        });
      }
    }
  }
  return { seed, managed, connections: shape.clusters * shape.databasesPerCluster * shape.connectionsPerDatabase, distinctScopes: shape.clusters * shape.hubsPerCluster };
}

// KustoInventory over @azure/arm-kusto: the clusters of a subscription and the databases of a cluster, each
// one paged ARM list. RestErrors become AppErrors (kustoErrors.ts).
import type { KustoManagementClient } from "@azure/arm-kusto";
import { withCorrelationPolicy } from "./telemetryPolicy";
import type { ClusterRef } from "../audit/model";
import { parseClusterId } from "../audit/model";
import type { KustoInventory } from "../audit/ports";
import { toKustoAppError } from "./kustoErrors";

export function createClusterLister(options: { clientFor(subscriptionId: string): KustoManagementClient }): KustoInventory {
  return {
    async listClusters(subscriptionId) {
      const out: ClusterRef[] = [];
      try {
        for await (const c of withCorrelationPolicy(options.clientFor(subscriptionId)).clusters.list()) {
          const ref = c.id ? parseClusterId(c.id) : undefined;
          if (ref) out.push(ref);
        }
      } catch (error) {
        throw toKustoAppError(error, `listing the clusters of subscription ${subscriptionId}`);
      }
      return out;
    },
    async listDatabases(cluster) {
      const out: string[] = [];
      try {
        for await (const d of withCorrelationPolicy(options.clientFor(cluster.subscriptionId)).databases.listByCluster(cluster.resourceGroup, cluster.cluster)) {
          // ARM names children `cluster/database`.
          const name = (d.name ?? "").split("/").pop();
          if (name) out.push(name);
        }
      } catch (error) {
        throw toKustoAppError(error, `listing the databases of cluster ${cluster.cluster}`);
      }
      return out;
    },
  };
}

// Ports of the audit: the cluster inventory (ARM), the shard queue, run and shard records, report blobs and
// the source probe. Tiny interfaces; adapters live in src/lib/azure/audit*.ts and clusterLister.ts.
import type { AuditReport, AuditRun, ClusterRef, ShardMessage, ShardResult, ShardStatus } from "./model";

export interface KustoInventory {
  /** The Kusto clusters of a subscription (ARM `Microsoft.Kusto/clusters` list, paged through). */
  listClusters(subscriptionId: string): Promise<ClusterRef[]>;
  /** The database names of a cluster (one paged list). */
  listDatabases(cluster: ClusterRef): Promise<string[]>;
}

export interface AuditQueue {
  /** One message per shard (the host decodes base64, its default). */
  enqueue(messages: readonly ShardMessage[]): Promise<void>;
}

/** The small row a shard leaves in the runs table (its findings are in the shard's report blob). */
export interface ShardStatusRecord {
  runId: string;
  clusterId: string;
  status: ShardStatus;
  attempt: number;
  endedAt: string;
  findings: number;
}

export interface AuditRunStore {
  /** Inserts a new run (its ETag set on the returned copy). */
  createRun(run: AuditRun): Promise<AuditRun>;
  getRun(runId: string): Promise<AuditRun | undefined>;
  /** The most recently started run. */
  latestRun(): Promise<AuditRun | undefined>;
  /** Replaces the run if its ETag still matches; false when another writer changed it first. */
  updateRun(run: AuditRun): Promise<boolean>;
  /** Upserts a shard's status (a retried shard overwrites its earlier attempt). */
  recordShard(record: ShardStatusRecord): Promise<void>;
  listShards(runId: string): Promise<ShardStatusRecord[]>;
}

export interface AuditReportStore {
  putShardResult(result: ShardResult): Promise<void>;
  listShardResults(runId: string): Promise<ShardResult[]>;
  /** `{runId}.json` in the reports container. */
  putReport(report: AuditReport): Promise<void>;
  getReport(runId: string): Promise<AuditReport | undefined>;
}

/**
 * Does a source resource still exist (ARM GET; 404 = no)? Asked only of sources behind a broken-looking binding.
 * The same shape as revocation's SourceReader, so the root passes that one.
 */
export interface SourceProbe {
  exists(tenantId: string, resourceId: string): Promise<boolean>;
}

// AuditRunStore over Table Storage, in `{prefix}AuditRuns`:
//   PK "run"            RK runId                the run (JSON), ETag-guarded updates
//   PK "recent"         RK {inverted ms}!runId  newest first: latestRun is the first row
//   PK "shard!{runId}"  RK sub!rg!cluster       each shard's status row (findings are in the report blobs)
import { odata } from "@azure/data-tables";
import type { AuditRun } from "../audit/model";
import type { AuditRunStore, ShardStatusRecord } from "../audit/ports";
import { fromJsonProperties, toJsonProperties } from "../registry/jsonProperties";
import { tableStatus, toRegistryError } from "./tableErrors";
import { createTableSet, type TableSetOptions } from "./tableSet";

const RUN = "run";
const RECENT = "recent";
const MAX_MS = 9_999_999_999_999;
const shardPartition = (runId: string) => `shard!${runId}`;
const shardRow = (clusterId: string) =>
  clusterId
    .toLowerCase()
    .replace(/^\/subscriptions\//, "")
    .replace(/\/resourcegroups\//, "!")
    .replace(/\/providers\/microsoft\.kusto\/clusters\//, "!")
    .replace(/[/\\#?]/g, "_");

export function createAuditRunStore(options: TableSetOptions): AuditRunStore {
  const tables = createTableSet(options);
  const table = () => tables.get("AuditRuns");

  const toEntity = (run: AuditRun) => {
    const { etag: _etag, ...rest } = run;
    return { partitionKey: RUN, rowKey: run.runId, status: run.status, startedAt: run.startedAt, ...toJsonProperties("run", rest) };
  };
  const fromEntity = (entity: Record<string, unknown> & { etag?: string }): AuditRun => ({
    ...(fromJsonProperties("run", entity) as AuditRun),
    ...(entity.etag ? { etag: entity.etag } : {}),
  });

  async function getRun(runId: string): Promise<AuditRun | undefined> {
    const client = await table();
    try {
      return fromEntity(await client.getEntity(RUN, runId));
    } catch (error) {
      if (tableStatus(error) === 404) return undefined;
      throw toRegistryError(error, `reading audit run ${runId}`);
    }
  }

  return {
    async createRun(run) {
      const client = await table();
      try {
        const created = await client.createEntity(toEntity(run));
        const inverted = String(MAX_MS - Date.parse(run.startedAt)).padStart(13, "0");
        await client.upsertEntity({ partitionKey: RECENT, rowKey: `${inverted}!${run.runId}`, runId: run.runId }, "Replace");
        return { ...run, ...(created.etag ? { etag: created.etag } : {}) };
      } catch (error) {
        throw toRegistryError(error, `creating audit run ${run.runId}`);
      }
    },
    getRun,
    async latestRun() {
      const client = await table();
      try {
        const pages = client.listEntities<{ runId: string }>({ queryOptions: { filter: odata`PartitionKey eq ${RECENT}`, select: ["runId"] } }).byPage({ maxPageSize: 1 });
        for await (const page of pages) {
          const first = page[0];
          return first ? getRun(first.runId) : undefined;
        }
        return undefined;
      } catch (error) {
        throw toRegistryError(error, "reading the latest audit run");
      }
    },
    async updateRun(run) {
      const client = await table();
      try {
        await client.updateEntity(toEntity(run), "Replace", { etag: run.etag ?? "*" });
        return true;
      } catch (error) {
        const status = tableStatus(error);
        if (status === 412 || status === 404) return false;
        throw toRegistryError(error, `updating audit run ${run.runId}`);
      }
    },
    async recordShard(record) {
      const client = await table();
      try {
        await client.upsertEntity({ partitionKey: shardPartition(record.runId), rowKey: shardRow(record.clusterId), ...record }, "Replace");
      } catch (error) {
        throw toRegistryError(error, `recording the shard ${record.clusterId} of run ${record.runId}`);
      }
    },
    async listShards(runId) {
      const client = await table();
      const out: ShardStatusRecord[] = [];
      try {
        for await (const e of client.listEntities<ShardStatusRecord>({ queryOptions: { filter: odata`PartitionKey eq ${shardPartition(runId)}` } })) {
          out.push({ runId: e.runId, clusterId: e.clusterId, status: e.status, attempt: e.attempt, endedAt: e.endedAt, findings: e.findings });
        }
      } catch (error) {
        throw toRegistryError(error, `listing the shards of run ${runId}`);
      }
      return out;
    },
  };
}

// AuditReportStore over Blob Storage (@azure/storage-blob): `{runId}.json` per run (the report auditors get)
// and `{runId}/shards/{cluster}.json` per shard (findings can be far larger than a table row holds).
import type { ContainerClient } from "@azure/storage-blob";
import { clusterKeyOf, type AuditReport, type ShardResult } from "../audit/model";
import type { AuditReportStore } from "../audit/ports";
import { mapLimit } from "../audit/mapLimit";
import { AppError } from "../errors";

const shardPrefix = (runId: string) => `${runId}/shards/`;
const shardBlob = (result: ShardResult) => `${shardPrefix(result.runId)}${clusterKeyOf(result.cluster).replace(/\//g, "!")}.json`;

function storageError(error: unknown, what: string): AppError {
  const status = (error as { statusCode?: number }).statusCode;
  return new AppError("upstream", "AuditReportsUnavailable", `Blob Storage failed ${what} (HTTP ${status ?? "error"}).`, { cause: error });
}

export function createAuditReportStore(options: { container: ContainerClient }): AuditReportStore {
  const { container } = options;
  let ready: Promise<unknown> | undefined;
  const ensure = () => {
    ready ??= container.createIfNotExists().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  const put = async (name: string, value: unknown) => {
    const body = JSON.stringify(value);
    await container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "application/json" } });
  };
  const read = async <T>(name: string): Promise<T | undefined> => {
    try {
      const buffer = await container.getBlockBlobClient(name).downloadToBuffer();
      return JSON.parse(buffer.toString("utf8")) as T;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  };
  return {
    async putShardResult(result) {
      try {
        await ensure();
        await put(shardBlob(result), result);
      } catch (error) {
        throw storageError(error, `writing the shard result of ${result.clusterId}`);
      }
    },
    async listShardResults(runId) {
      try {
        await ensure();
        const names: string[] = [];
        for await (const blob of container.listBlobsFlat({ prefix: shardPrefix(runId) })) names.push(blob.name);
        const results = await mapLimit(names, 8, (name) => read<ShardResult>(name));
        return results.filter((r): r is ShardResult => r !== undefined);
      } catch (error) {
        throw storageError(error, `reading the shard results of run ${runId}`);
      }
    },
    async putReport(report) {
      try {
        await ensure();
        await put(`${report.runId}.json`, report);
      } catch (error) {
        throw storageError(error, `writing the report of run ${report.runId}`);
      }
    },
    async getReport(runId) {
      try {
        await ensure();
        return await read<AuditReport>(`${runId}.json`);
      } catch (error) {
        throw storageError(error, `reading the report of run ${runId}`);
      }
    },
  };
}

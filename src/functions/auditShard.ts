// Queue trigger: audits one cluster (a shard of a run). Failures rethrow: the host retries and, after
// maxDequeueCount (host.json: 5), moves the message to the poison queue; the last attempt records the shard
// as failed first, so the run closes as incomplete instead of waiting for it.
import { app, type InvocationContext } from "@azure/functions";
import { parseShardMessage } from "../lib/audit/runShard";
import { getRoot } from "./root";

export async function auditShard(message: unknown, context: InvocationContext): Promise<void> {
  const shard = parseShardMessage(message);
  const attempt = Number(context.triggerMetadata?.dequeueCount ?? 1);
  const result = await getRoot().audit.runShard(shard, Number.isFinite(attempt) ? attempt : 1);
  context.log("audit shard done", JSON.stringify({ runId: shard.runId, clusterId: result.clusterId, status: result.status, findings: result.findings.length }));
}

app.storageQueue("auditShard", { queueName: "%AUDIT_QUEUE%", connection: "AzureWebJobsStorage", handler: auditShard });

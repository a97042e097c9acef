// The queue trigger's use case: audit one cluster, keep its result (blob + status row), close the run if it was
// the last shard. A failure rethrows (the host retries, then poisons); on the last attempt the shard first
// records itself as failed, so the run learns of the poisoned shard and can close as incomplete.
import { isAppError } from "../errors";
import { auditCluster } from "./auditCluster";
import type { AuditDeps } from "./deps";
import { finalizeIfDone } from "./finalizeRun";
import { clusterIdOf, findingTypes, parseClusterId, type ShardMessage, type ShardResult } from "./model";
import { shardFailedFinding } from "./summarize";
import { AppError } from "../errors";
import { withCorrelation } from "../telemetry/correlation";

/** Parses a queue message (the host already base64-decoded it); AppError validation when it is not a shard. */
export function parseShardMessage(text: unknown): ShardMessage {
  const value: unknown = typeof text === "string" ? safeJson(text) : text;
  const m = value as Partial<ShardMessage> | undefined;
  const c = m?.cluster;
  const valid =
    m?.v === 1 &&
    typeof m.runId === "string" &&
    /^[A-Za-z0-9-]{1,80}$/.test(m.runId) &&
    (m.mode === "report" || m.mode === "enforce") &&
    Array.isArray(m.enforce) &&
    m.enforce.every((t) => findingTypes.includes(t)) &&
    !!c &&
    typeof c.subscriptionId === "string" &&
    typeof c.resourceGroup === "string" &&
    typeof c.cluster === "string" &&
    parseClusterId(clusterIdOf(c)) !== undefined;
  if (!valid) throw new AppError("validation", "InvalidShardMessage", "The queue message is not an audit shard.");
  return m as ShardMessage;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Audits one cluster under the run's ID as correlation, so every ARM call of the run can be found by it. */
export function runShard(deps: AuditDeps, message: ShardMessage, attempt: number): Promise<ShardResult> {
  return withCorrelation(message.runId, () => runShardNow(deps, message, attempt));
}

async function runShardNow(deps: AuditDeps, message: ShardMessage, attempt: number): Promise<ShardResult> {
  try {
    const result = await auditCluster(deps, message, attempt);
    await keep(deps, result);
    await finalizeIfDone(deps, message.runId);
    return result;
  } catch (error) {
    if (attempt >= deps.settings.maxShardAttempts) await recordFailure(deps, message, attempt, error);
    throw error;
  }
}

async function keep(deps: AuditDeps, result: ShardResult): Promise<void> {
  await deps.reports.putShardResult(result);
  await deps.runs.recordShard({ runId: result.runId, clusterId: result.clusterId, status: result.status, attempt: result.attempt, endedAt: result.endedAt, findings: result.findings.length });
}

async function recordFailure(deps: AuditDeps, message: ShardMessage, attempt: number, error: unknown): Promise<void> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const why = `attempt ${attempt} of ${deps.settings.maxShardAttempts} failed (${isAppError(error) ? error.code : error instanceof Error ? error.message : String(error)})`;
  const clusterId = clusterIdOf(message.cluster);
  try {
    await keep(deps, {
      runId: message.runId,
      clusterId,
      cluster: message.cluster,
      status: "failed",
      attempt,
      startedAt: now,
      endedAt: now,
      databases: [],
      findings: [shardFailedFinding(clusterId, why)],
      problems: [why],
      armCalls: {},
      connections: 0,
      managed: 0,
    });
    await finalizeIfDone(deps, message.runId);
  } catch (recordError) {
    // Storage is down too: the run's timeout closes it as incomplete instead.
    deps.logger?.error("audit: could not record a failed shard", { runId: message.runId, clusterId, error: String(recordError) });
  }
}

// Closing a run: when every shard has reported (or the run timed out), the report goes to its blob, the run row
// gets its summary (ETag-guarded: of two shards finishing together, one closes the run), and one
// adx.audit.completed CloudEvent is published.
import { silentLogger } from "../logging/logger";
import type { FailedEvent } from "../revocation/ports";
import type { AuditDeps } from "./deps";
import { clusterKeyOf, parseClusterId, type AuditReport, type AuditRun } from "./model";
import { buildReport } from "./summarize";

const nowOf = (deps: AuditDeps) => (deps.now ?? (() => new Date()))();

/** Closes the run when all its shards have reported; undefined when some are still to come. */
export async function finalizeIfDone(deps: AuditDeps, runId: string): Promise<AuditReport | undefined> {
  const run = await deps.runs.getRun(runId);
  if (!run || run.status !== "running") return undefined;
  const reported = new Set((await deps.runs.listShards(runId)).map((s) => s.clusterId.toLowerCase()));
  const pending = run.clusterIds.filter((id) => !reported.has(id.toLowerCase()));
  if (pending.length > 0) return undefined;
  return finalizeRun(deps, run);
}

/** Has the run outlived its timeout with shards still missing? */
export function isStale(deps: AuditDeps, run: AuditRun): boolean {
  return run.status === "running" && nowOf(deps).getTime() - Date.parse(run.startedAt) > deps.settings.runTimeoutInMs;
}

export async function finalizeRun(deps: AuditDeps, run: AuditRun): Promise<AuditReport | undefined> {
  const logger = deps.logger ?? silentLogger;
  const wanted = new Set(run.clusterIds.map((id) => {
    const ref = parseClusterId(id);
    return ref ? clusterKeyOf(ref) : id.toLowerCase();
  }));
  const shards = (await deps.reports.listShardResults(run.runId)).filter((s) => wanted.has(clusterKeyOf(s.cluster)));
  let deadLettered: FailedEvent[] = [];
  const planningProblems = [...run.planningProblems];
  if (deps.failedEvents) {
    try {
      deadLettered = await deps.failedEvents.listDeadLettered({ limit: 100 });
    } catch (error) {
      planningProblems.push(`dead-lettered revocation events could not be read (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const completedAt = nowOf(deps).toISOString();
  const report = buildReport({ run: { ...run, planningProblems }, shards, deadLettered, completedAt });
  await deps.reports.putReport(report);
  const closed = await deps.runs.updateRun({ ...run, planningProblems, status: report.status, completedAt, summary: report.summary });
  if (!closed) return undefined; // another shard closed it first (and publishes)
  logger.info("audit run completed", { runId: run.runId, status: report.status, findings: report.summary.findings });
  await deps.notifier
    .publish({
      id: `audit-${run.runId}`,
      type: "adx.audit.completed",
      subject: `/audits/${run.runId}`,
      time: completedAt,
      data: { runId: run.runId, status: report.status, mode: run.mode, trigger: run.trigger, summary: report.summary, report: `${run.runId}.json` },
    })
    .catch(() => undefined);
  return report;
}

// What the audit's functions call: start a run, run a shard, read runs and reports. Reads close a run that
// outlived its timeout (its missing shards become shardFailed findings).
import { AppError, fail, ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import type { AuditDeps } from "./deps";
import { finalizeRun, isStale } from "./finalizeRun";
import type { AuditReport, AuditRun, ShardMessage, ShardResult } from "./model";
import { runShard } from "./runShard";
import { startAuditRun } from "./startAuditRun";

export const AUDIT_ROLE = "Audit.Run";

export interface AuditRunView {
  run: AuditRun;
  /** Shards that have reported, by status. */
  shards: { completed: number; incomplete: number; failed: number; pending: number };
}

export interface AuditService {
  /** The timer's entry: no caller. */
  startScheduled(): Promise<AuditRun>;
  start(caller: Caller): Promise<Result<AuditRun>>;
  runShard(message: ShardMessage, attempt: number): Promise<ShardResult>;
  getRun(caller: Caller, runId: string): Promise<Result<AuditRunView>>;
  getLatest(caller: Caller): Promise<Result<AuditRunView>>;
  getReport(caller: Caller, runId: string): Promise<Result<AuditReport>>;
}

function authorize(caller: Caller): Result<void> {
  if (caller.roles.includes(AUDIT_ROLE)) return ok(undefined);
  return fail(new AppError("forbidden", "MissingAppRole", `The caller needs the app role ${AUDIT_ROLE} to run or read audits.`));
}

const notFound = (runId: string) => new AppError("notFound", "AuditRunNotFound", `No audit run '${runId}'.`);

export function createAuditService(deps: AuditDeps): AuditService {
  async function view(run: AuditRun): Promise<AuditRunView> {
    let current = run;
    if (isStale(deps, run)) {
      await finalizeRun(deps, run);
      current = (await deps.runs.getRun(run.runId)) ?? run;
    }
    const shards = await deps.runs.listShards(current.runId);
    const count = (s: string) => shards.filter((x) => x.status === s).length;
    return { run: current, shards: { completed: count("completed"), incomplete: count("incomplete"), failed: count("failed"), pending: Math.max(0, current.clusterIds.length - shards.length) } };
  }

  return {
    startScheduled: () => startAuditRun(deps, { trigger: "timer", requestedBy: "timer" }),
    async start(caller) {
      const allowed = authorize(caller);
      if (!allowed.ok) return allowed;
      return ok(await startAuditRun(deps, { trigger: "api", requestedBy: caller.name ?? caller.objectId }));
    },
    runShard: (message, attempt) => runShard(deps, message, attempt),
    async getRun(caller, runId) {
      const allowed = authorize(caller);
      if (!allowed.ok) return allowed;
      const run = await deps.runs.getRun(runId);
      return run ? ok(await view(run)) : fail(notFound(runId));
    },
    async getLatest(caller) {
      const allowed = authorize(caller);
      if (!allowed.ok) return allowed;
      const run = await deps.runs.latestRun();
      return run ? ok(await view(run)) : fail(new AppError("notFound", "AuditRunNotFound", "No audit has run yet."));
    },
    async getReport(caller, runId) {
      const allowed = authorize(caller);
      if (!allowed.ok) return allowed;
      const run = await deps.runs.getRun(runId);
      if (!run) return fail(notFound(runId));
      if (isStale(deps, run)) await finalizeRun(deps, run);
      const report = await deps.reports.getReport(runId);
      return report ? ok(report) : fail(new AppError("conflict", "AuditRunNotFinished", `Audit run '${runId}' has not finished yet; its report is written when every shard has reported.`));
    },
  };
}

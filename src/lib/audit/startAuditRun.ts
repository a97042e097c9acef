// Starting a run (timer or API): the clusters in scope are the registry's ∪ those ARM lists in the configured
// subscriptions; the run row is written first, then one queue message per cluster. A previous run left open
// past its timeout is closed as incomplete on the way.
import { randomBytes } from "node:crypto";
import { isAppError } from "../errors";
import type { AuditDeps } from "./deps";
import { finalizeRun, isStale } from "./finalizeRun";
import { clusterIdOf, clusterKeyOf, toClusterRef, type AuditRun, type ClusterRef, type ShardMessage } from "./model";
import { retryThrottled } from "./retryThrottled";

export interface StartAuditInput {
  trigger: AuditRun["trigger"];
  /** The caller (API) or "timer". */
  requestedBy?: string;
}

/** Sortable and readable: `20250601T120000Z-3f9a1c2b`. */
export function newRunId(now: Date, random: () => string = () => randomBytes(4).toString("hex")): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}-${random()}`;
}

async function registryClusters(deps: AuditDeps): Promise<ClusterRef[]> {
  const found = new Map<string, ClusterRef>();
  let continuationToken: string | undefined;
  do {
    const page = await deps.registry.list({}, { pageSize: 1000, ...(continuationToken ? { continuationToken } : {}) });
    for (const r of page.items) {
      if (r.status === "Deleted") continue;
      const ref = toClusterRef(r.key);
      found.set(clusterKeyOf(ref), ref);
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return [...found.values()];
}

export async function startAuditRun(deps: AuditDeps, input: StartAuditInput): Promise<AuditRun> {
  const now = (deps.now ?? (() => new Date()))();
  const latest = await deps.runs.latestRun();
  if (latest && isStale(deps, latest)) await finalizeRun(deps, latest);

  const clusters = new Map<string, ClusterRef>();
  for (const c of await registryClusters(deps)) clusters.set(clusterKeyOf(c), c);
  const planningProblems: string[] = [];
  for (const subscriptionId of deps.settings.subscriptions) {
    try {
      for (const c of await retryThrottled(() => deps.inventory.listClusters(subscriptionId))) {
        if (!clusters.has(clusterKeyOf(c))) clusters.set(clusterKeyOf(c), c);
      }
    } catch (error) {
      planningProblems.push(`the clusters of subscription ${subscriptionId} could not be listed (${isAppError(error) ? error.code : String(error)})`);
    }
  }
  const ordered = [...clusters.values()].sort((a, b) => clusterKeyOf(a).localeCompare(clusterKeyOf(b)));
  const enforce = deps.settings.mode === "enforce" ? [...deps.settings.enforce] : [];
  const run = await deps.runs.createRun({
    runId: newRunId(now),
    trigger: input.trigger,
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    mode: deps.settings.mode,
    enforce,
    startedAt: now.toISOString(),
    clusterIds: ordered.map(clusterIdOf),
    status: "running",
    planningProblems,
  });
  const messages: ShardMessage[] = ordered.map((cluster) => ({ v: 1, runId: run.runId, cluster, mode: run.mode, enforce }));
  if (messages.length === 0) {
    await finalizeRun(deps, run);
    return (await deps.runs.getRun(run.runId)) ?? run;
  }
  await deps.queue.enqueue(messages);
  return run;
}

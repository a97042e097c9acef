// Timer: starts a scheduled audit run (NCRONTAB from AUDIT_SCHEDULE): one queue message per cluster in scope.
// A failure rethrows so the host's own handling applies.
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { getRoot } from "./root";

export async function startScheduledAudit(_timer: Timer, context: InvocationContext): Promise<void> {
  const run = await getRoot().audit.startScheduled();
  context.log("audit run started", JSON.stringify({ runId: run.runId, clusters: run.clusterIds.length, mode: run.mode }));
}

app.timer("auditTimer", { schedule: "%AUDIT_SCHEDULE%", handler: startScheduledAudit });

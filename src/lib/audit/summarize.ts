// The run's report (pure): shard results and run-level findings in, summary counts and status out.
import type { FailedEvent } from "../revocation/ports";
import { clusterKeyOf, findingTypes, parseClusterId, severities, type AuditFinding, type AuditReport, type AuditRun, type AuditSummary, type FindingType, type Severity, type ShardResult } from "./model";

/** A dead-lettered revocation event: the connection it was about may still ingest. */
export function deadLetterFinding(event: FailedEvent): AuditFinding {
  return {
    type: "deadLetteredEvent",
    severity: "high",
    clusterId: "",
    message: `Revocation event ${event.eventId} (${event.eventType}) failed ${event.attempts} time(s) and was dead-lettered: a revocation may have been missed.`,
    evidence: { eventId: event.eventId, eventType: event.eventType, subject: event.subject, topic: event.topic, attempts: event.attempts, lastFailedAt: event.lastFailedAt, lastError: event.lastError },
  };
}

export function shardFailedFinding(clusterId: string, why: string): AuditFinding {
  return { type: "shardFailed", severity: "high", clusterId, message: `The cluster was not audited: ${why}.`, evidence: { reason: why } };
}

export interface BuildReportInput {
  run: AuditRun;
  shards: readonly ShardResult[];
  deadLettered: readonly FailedEvent[];
  completedAt: string;
}

export function buildReport({ run, shards, deadLettered, completedAt }: BuildReportInput): AuditReport {
  const byCluster = new Map(shards.map((s) => [clusterKeyOf(s.cluster), s]));
  const findings: AuditFinding[] = deadLettered.map(deadLetterFinding);
  const missing: string[] = [];
  for (const id of run.clusterIds) {
    const ref = parseClusterId(id);
    if (!ref || !byCluster.has(clusterKeyOf(ref))) {
      missing.push(id);
      findings.push(shardFailedFinding(id, "its shard never reported (still queued, lost, or the run timed out)"));
    }
  }
  const ordered = [...shards].sort((a, b) => a.clusterId.localeCompare(b.clusterId));
  const all = [...findings, ...ordered.flatMap((s) => s.findings)];
  const bySeverity = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  const byType = Object.fromEntries(findingTypes.map((t) => [t, 0])) as Record<FindingType, number>;
  for (const f of all) {
    bySeverity[f.severity]++;
    byType[f.type]++;
  }
  const databases = ordered.flatMap((s) => s.databases);
  const summary: AuditSummary = {
    clusters: run.clusterIds.length,
    clustersAudited: ordered.filter((s) => s.status !== "failed").length,
    clustersFailed: ordered.filter((s) => s.status === "failed").length,
    clustersMissing: missing.length,
    databases: databases.length,
    databasesUnlisted: databases.filter((d) => !d.listed).length,
    connections: ordered.reduce((n, s) => n + s.connections, 0),
    managed: ordered.reduce((n, s) => n + s.managed, 0),
    findings: all.length,
    bySeverity,
    byType,
    remediated: all.filter((f) => f.remediation?.status === "done").length,
    remediationsFailed: all.filter((f) => f.remediation?.status === "failed").length,
    incomplete: missing.length > 0 || run.planningProblems.length > 0 || ordered.some((s) => s.status !== "completed"),
  };
  return {
    runId: run.runId,
    trigger: run.trigger,
    mode: run.mode,
    status: summary.incomplete ? "incomplete" : "completed",
    startedAt: run.startedAt,
    completedAt,
    summary,
    planningProblems: run.planningProblems,
    findings,
    clusters: ordered,
  };
}

// The audit's domain (DESIGN §4 Audit): typed findings with severity and evidence, shard messages, shard results,
// runs and their report. Pure types and small helpers; no I/O.
import type { ConnectionKey } from "../connections/model";

export type FindingType =
  /** The binding principal lost effective access to its source. */
  | "accessRevoked"
  /** A source the spec references no longer exists (the connection is orphaned). */
  | "sourceMissing"
  /** Kusto's connection differs from the desired spec (field-level diff in the evidence). */
  | "specDrift"
  /** The registry manages it; Kusto does not have it. */
  | "connectionMissing"
  /** Kusto has it; the registry does not manage it. */
  | "unmanagedConnection"
  /** Kusto reports it Failed (an MI-based connection whose identity lost access reads Failed). */
  | "provisioningFailed"
  /** Access still holds, through other role assignments than the binding recorded (refresh the binding). */
  | "grantsChanged"
  /** A revocation event that failed repeatedly: a revocation may have been missed. */
  | "deadLetteredEvent"
  /** A cluster shard that failed every attempt: that cluster was not audited. */
  | "shardFailed";

export const findingTypes: readonly FindingType[] = [
  "accessRevoked",
  "sourceMissing",
  "specDrift",
  "connectionMissing",
  "unmanagedConnection",
  "provisioningFailed",
  "grantsChanged",
  "deadLetteredEvent",
  "shardFailed",
];

/** The finding types enforce mode may remediate (unmanaged connections are only ever reported). */
export const remediableTypes: readonly FindingType[] = ["accessRevoked", "sourceMissing", "connectionMissing", "specDrift", "grantsChanged"];

export type Severity = "high" | "medium" | "low";
export const severities: readonly Severity[] = ["high", "medium", "low"];

export type AuditMode = "report" | "enforce";

export interface ClusterRef {
  subscriptionId: string;
  resourceGroup: string;
  cluster: string;
}

export interface Remediation {
  action: "delete" | "restore" | "reapply" | "refreshBinding";
  status: "done" | "failed" | "skipped";
  /** Why skipped or failed. */
  reason?: string;
}

export interface AuditFinding {
  type: FindingType;
  severity: Severity;
  /** The cluster's ARM ID (empty for run-level findings such as dead-lettered events). */
  clusterId: string;
  database?: string;
  /** The data connection's ARM ID, when the finding is about one. */
  connectionId?: string;
  connectionName?: string;
  message: string;
  /** What the finding rests on: diffs, grants, provisioning states, event IDs. */
  evidence: Record<string, unknown>;
  /** Enforce mode: what was done about it. */
  remediation?: Remediation;
}

/** One queue message: audit one cluster for one run. */
export interface ShardMessage {
  v: 1;
  runId: string;
  cluster: ClusterRef;
  mode: AuditMode;
  /** Enforce mode: the finding types to remediate. */
  enforce: FindingType[];
}

export interface DatabaseCoverage {
  name: string;
  /** False when listing its data connections failed: no "missing" finding is raised for it. */
  listed: boolean;
  connections: number;
  managed: number;
  error?: string;
}

export type ShardStatus = "completed" | "incomplete" | "failed";

export interface ShardResult {
  runId: string;
  clusterId: string;
  cluster: ClusterRef;
  status: ShardStatus;
  /** Queue dequeue count of the attempt that wrote this result. */
  attempt: number;
  startedAt: string;
  endedAt: string;
  databases: DatabaseCoverage[];
  findings: AuditFinding[];
  /** Why the shard is incomplete or failed (listing errors, access that could not be read). */
  problems: string[];
  /** ARM reads this shard made, by operation (listDatabases, listByDatabase, listAssignments, getRoleDefinition, ...). */
  armCalls: Record<string, number>;
  connections: number;
  managed: number;
}

export type RunStatus = "running" | "completed" | "incomplete";

export interface AuditRun {
  runId: string;
  trigger: "timer" | "api";
  requestedBy?: string;
  mode: AuditMode;
  enforce: FindingType[];
  startedAt: string;
  /** The clusters the run audits (one shard each), by ARM ID. */
  clusterIds: string[];
  status: RunStatus;
  /** Problems found while planning (a subscription whose clusters could not be listed). */
  planningProblems: string[];
  completedAt?: string;
  summary?: AuditSummary;
  /** Registry's concurrency token. */
  etag?: string;
}

export interface AuditSummary {
  clusters: number;
  clustersAudited: number;
  clustersFailed: number;
  clustersMissing: number;
  databases: number;
  databasesUnlisted: number;
  connections: number;
  managed: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byType: Record<FindingType, number>;
  remediated: number;
  remediationsFailed: number;
  /** True when any part was not audited: a listing failed, a shard failed or never reported, planning failed. */
  incomplete: boolean;
}

export interface AuditReport {
  runId: string;
  trigger: AuditRun["trigger"];
  mode: AuditMode;
  status: RunStatus;
  startedAt: string;
  completedAt: string;
  summary: AuditSummary;
  planningProblems: string[];
  /** Run-level findings (dead-lettered events, failed shards). */
  findings: AuditFinding[];
  clusters: ShardResult[];
}

export function toClusterRef(key: Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster">): ClusterRef {
  return { subscriptionId: key.subscriptionId, resourceGroup: key.resourceGroup, cluster: key.cluster };
}

export function clusterIdOf(c: ClusterRef): string {
  return `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.Kusto/clusters/${c.cluster}`;
}

/** The form clusters compare and key by (ARM IDs are case-insensitive). */
export function clusterKeyOf(c: ClusterRef): string {
  return `${c.subscriptionId}/${c.resourceGroup}/${c.cluster}`.toLowerCase();
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Kusto/clusters/{name}` (any casing). */
export function parseClusterId(id: string): ClusterRef | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Kusto\/clusters\/([^/]+)\/?$/i.exec(id.trim());
  return m ? { subscriptionId: m[1] as string, resourceGroup: m[2] as string, cluster: m[3] as string } : undefined;
}

/** The enforce list of the settings, known types only (an unknown name remediates nothing rather than failing). */
export function toEnforceList(names: readonly string[]): FindingType[] {
  return names.filter((n): n is FindingType => (remediableTypes as readonly string[]).includes(n));
}

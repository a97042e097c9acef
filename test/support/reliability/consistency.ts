// Do the registry and ARM agree? A real audit run (report mode, auditHarness.ts) judges the cluster; its
// findings about the connections a test owns, of the kinds that mean registry and Kusto disagree, are the
// inconsistencies. Two things the audit does not look at are checked here besides: the journal (the audit does
// not read it, so an intent without an outcome is found by reading the journal), and records left in flight
// (Provisioning/Deleting: the audit leaves them to the operation that owns them, so it never judges them).
import type { AuditFinding, FindingType } from "../../../src/lib/audit/model";
import { clusterKeyOf } from "../../../src/lib/audit/model";
import type { ConnectionKey, JournalEntry, ManagedConnection } from "../../../src/lib/connections/model";
import { normalizeResourceId, toConnectionId } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, JournalStore } from "../../../src/lib/connections/ports";
import type { AuditHarness } from "./auditHarness";

export type DatabaseKey = Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster" | "database">;

/**
 * The finding kinds that mean registry and Kusto disagree, or that a managed connection lives on with its access
 * or source gone:
 * - connectionMissing: recorded as managed, absent from Kusto (an orphan in the registry);
 * - unmanagedConnection: in Kusto with no live record, a tombstone included (an orphan in Kusto, or deleted but present);
 * - specDrift: Kusto's connection differs from the desired spec;
 * - provisioningFailed: Kusto reports it Failed while the registry manages it;
 * - accessRevoked, sourceMissing: a revocation or source deletion that was not enforced.
 * Not counted: grantsChanged (access holds through other assignments than the binding records: revocation
 * refreshes the binding when the event about it comes), and the run-level kinds (deadLetteredEvent, shardFailed:
 * a run with a failed shard is not a verdict, see below).
 */
export const inconsistencyTypes: readonly FindingType[] = ["connectionMissing", "unmanagedConnection", "specDrift", "provisioningFailed", "accessRevoked", "sourceMissing"];

export interface FindingBrief extends Pick<AuditFinding, "type" | "connectionName" | "message"> {
  /** unmanagedConnection of a name whose record is a tombstone: deleted by the app, yet still in Kusto. */
  tombstoned?: true;
}

export interface ConsistencyReport {
  /** The audit run that judged the database. */
  runId: string;
  /** The audit's findings of the inconsistency kinds about the connections the test owns. */
  inconsistencies: FindingBrief[];
  /** Its other findings about them (grantsChanged). */
  otherFindings: FindingBrief[];
  /** More than one record for one connection ID (the registry's keys are lower-cased, so never expected). */
  duplicateRecords: string[];
  /** Owned records still Provisioning or Deleting: the audit does not judge them, and nothing should be in flight. */
  inFlight: string[];
  /** Intents with no completed/failed/skipped entry naming them (read from the journal: the audit does not). */
  openIntents: Pick<JournalEntry, "connectionId" | "id" | "action" | "correlationId">[];
  /** Owned connections judged: the registry's records and Kusto's unmanaged ones. */
  checked: number;
  /** The audit run's wall time (ms), from the timer's start to its report read back. */
  auditTimeInMs: number;
}

export const inconsistencyCount = (r: ConsistencyReport, ignoreOpenIntents = false) =>
  r.inconsistencies.length + r.duplicateRecords.length + r.inFlight.length + (ignoreOpenIntents ? 0 : r.openIntents.length);

export interface ConsistencyPorts {
  /** A report-mode audit over the stores the test writes. */
  audit: AuditHarness;
  registry: ConnectionRegistry;
  journal: JournalStore;
}

async function allRecords(registry: ConnectionRegistry, db: DatabaseKey): Promise<ManagedConnection[]> {
  const records: ManagedConnection[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await registry.list({ ...db }, { pageSize: 200, ...(continuationToken ? { continuationToken } : {}) });
    records.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return records;
}

export async function journalOf(journal: JournalStore, connectionId: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await journal.list(connectionId, { pageSize: 200, ...(continuationToken ? { continuationToken } : {}) });
    entries.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return entries;
}

export function openIntentsOf(entries: readonly JournalEntry[]): JournalEntry[] {
  const ended = new Set(entries.filter((e) => e.phase !== "intent" && e.intentId).map((e) => e.intentId));
  return entries.filter((e) => e.phase === "intent" && !ended.has(e.id));
}

export interface ConsistencyOptions {
  /** Limits the verdict to the connections a test owns (other tests share the database). */
  owns?: (name: string) => boolean;
  /** Names whose journals are checked even when neither side has them (an intent whose PUT never happened). */
  names?: readonly string[];
}

/**
 * Runs an audit and returns its verdict on the database's owned connections. Throws when the audit could not
 * judge the database (its shard failed, its listing failed, access unreadable): a partial run proves nothing.
 */
export async function auditConsistency(ports: ConsistencyPorts, db: DatabaseKey, options: ConsistencyOptions = {}): Promise<ConsistencyReport> {
  const owned = (name: string | undefined) => name !== undefined && (!options.owns || options.owns(name));
  const outcome = await ports.audit.run();
  const shard = outcome.report?.clusters.find((c) => clusterKeyOf(c.cluster) === clusterKeyOf(db));
  const coverage = shard?.databases.find((d) => d.name.toLowerCase() === db.database.toLowerCase());
  if (!outcome.report || !shard || shard.status !== "completed" || !coverage?.listed) {
    const why = [...(outcome.report?.planningProblems ?? []), ...(shard?.problems ?? []), ...(outcome.report?.findings.map((f) => f.message) ?? [])];
    throw new Error(`audit run ${outcome.run.runId} could not judge ${db.cluster}/${db.database} (run ${outcome.run.status}, shard ${shard?.status ?? "missing"}): ${why.join("; ") || "no report"}`);
  }
  const about = shard.findings.filter((f) => f.database?.toLowerCase() === db.database.toLowerCase() && owned(f.connectionName));
  const records = (await allRecords(ports.registry, db)).filter((r) => owned(r.key.name));
  const tombstones = new Set(records.filter((r) => r.status === "Deleted").map((r) => r.key.name.toLowerCase()));
  const brief = (f: AuditFinding): FindingBrief => ({
    type: f.type,
    ...(f.connectionName ? { connectionName: f.connectionName } : {}),
    message: f.message,
    ...(f.type === "unmanagedConnection" && tombstones.has((f.connectionName ?? "").toLowerCase()) ? { tombstoned: true as const } : {}),
  });
  const byId = new Map<string, number>();
  for (const r of records) byId.set(normalizeResourceId(r.id), (byId.get(normalizeResourceId(r.id)) ?? 0) + 1);

  // Journals by connection ID: the records' own, then those of names only the test or Kusto knows.
  const ids = new Map<string, string>();
  for (const name of [...(options.names ?? []), ...about.map((f) => f.connectionName ?? "")].filter(owned)) ids.set(name.toLowerCase(), toConnectionId({ ...db, name }));
  for (const r of records) ids.set(r.key.name.toLowerCase(), r.id);
  const openIntents: ConsistencyReport["openIntents"] = [];
  for (const id of ids.values()) {
    const entries = await journalOf(ports.journal, id);
    openIntents.push(...openIntentsOf(entries).map(({ connectionId, id, action, correlationId }) => ({ connectionId, id, action, correlationId })));
  }
  return {
    runId: outcome.run.runId,
    inconsistencies: about.filter((f) => inconsistencyTypes.includes(f.type)).map(brief),
    otherFindings: about.filter((f) => !inconsistencyTypes.includes(f.type)).map(brief),
    duplicateRecords: [...byId].filter(([, n]) => n > 1).map(([id]) => id),
    inFlight: records.filter((r) => r.status === "Provisioning" || r.status === "Deleting").map((r) => `${r.key.name} (${r.status})`),
    openIntents,
    checked: records.length + about.filter((f) => f.type === "unmanagedConnection").length,
    auditTimeInMs: outcome.timeInMs,
  };
}

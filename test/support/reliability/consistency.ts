// Do the registry and ARM agree? Compares the registry's records of a database with Kusto's list of its data
// connections, and the journal's intents with their outcomes. A small stand-in for the audit (issue 6): when
// the audit exists, replace compareRegistryWithKusto by "run an audit, count findings of the inconsistency kind".
import type { ConnectionKey, JournalEntry, ManagedConnection } from "../../../src/lib/connections/model";
import { normalizeResourceId, toConnectionId } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, JournalStore, KustoGateway } from "../../../src/lib/connections/ports";

export type DatabaseKey = Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster" | "database">;

export interface ConsistencyReport {
  /** In Kusto, with no live record (the app created it and forgot it, or never managed it). */
  orphansInKusto: string[];
  /** Recorded as existing (Succeeded or Provisioning) but absent from Kusto. */
  orphansInRegistry: string[];
  /** Recorded as Deleted (tombstone) but still in Kusto. */
  deletedButPresent: string[];
  /** More than one record for one connection ID. */
  duplicateRecords: string[];
  /** Intents with no completed/failed/skipped entry naming them. */
  openIntents: Pick<JournalEntry, "connectionId" | "id" | "action" | "correlationId">[];
  /** Connections looked at (the union of both sides). */
  checked: number;
}

export const inconsistencyCount = (r: ConsistencyReport, ignoreOpenIntents = false) =>
  r.orphansInKusto.length + r.orphansInRegistry.length + r.deletedButPresent.length + r.duplicateRecords.length + (ignoreOpenIntents ? 0 : r.openIntents.length);

export interface ConsistencyPorts {
  registry: ConnectionRegistry;
  journal: JournalStore;
  kusto: KustoGateway;
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

export interface CompareOptions {
  /** Limits the comparison to the connections a test owns (other tests share the database). */
  owns?: (name: string) => boolean;
  /** Names whose journals are checked even when neither side has them (an intent whose PUT never happened). */
  names?: readonly string[];
}

/** Records are matched to Kusto's connections by normalized ARM ID. */
export async function compareRegistryWithKusto(ports: ConsistencyPorts, db: DatabaseKey, options: CompareOptions = {}): Promise<ConsistencyReport> {
  const owned = (name: string) => !options.owns || options.owns(name);
  const records = (await allRecords(ports.registry, db)).filter((r) => owned(r.key.name));
  const inKusto = new Map<string, string>();
  for await (const c of ports.kusto.listByDatabase(db)) {
    const name = c.name.split("/").pop() ?? c.name;
    if (owned(name)) inKusto.set(normalizeResourceId(toConnectionId({ ...db, name })), name);
  }
  const byId = new Map<string, ManagedConnection[]>();
  for (const r of records) byId.set(normalizeResourceId(r.id), [...(byId.get(normalizeResourceId(r.id)) ?? []), r]);

  const report: ConsistencyReport = { orphansInKusto: [], orphansInRegistry: [], deletedButPresent: [], duplicateRecords: [], openIntents: [], checked: 0 };
  const extra = new Map((options.names ?? []).map((name) => [normalizeResourceId(toConnectionId({ ...db, name })), name]));
  const ids = new Set([...inKusto.keys(), ...byId.keys(), ...extra.keys()]);
  report.checked = ids.size;
  for (const id of ids) {
    const recs = byId.get(id) ?? [];
    if (recs.length > 1) report.duplicateRecords.push(id);
    const record = recs[0];
    const present = inKusto.has(id);
    if (present && (!record || record.status === "Deleted")) (record ? report.deletedButPresent : report.orphansInKusto).push(id);
    if (!present && record && (record.status === "Succeeded" || record.status === "Provisioning")) report.orphansInRegistry.push(id);
    const name = record?.key.name ?? inKusto.get(id) ?? extra.get(id) ?? "";
    const entries = await journalOf(ports.journal, record?.id ?? toConnectionId({ ...db, name }));
    report.openIntents.push(...openIntentsOf(entries).map(({ connectionId, id: intentId, action, correlationId }) => ({ connectionId, id: intentId, action, correlationId })));
  }
  return report;
}

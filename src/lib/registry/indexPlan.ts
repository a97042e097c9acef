// What a save must write to the grant and source indexes: the pure half of the reconciliation in
// tableRegistry.ts. The ledger (one partition per connection) lists every index row the connection may own.
import type { ConnectionKey, ManagedConnection } from "../connections/model";
import { normalizeResourceId } from "../connections/model";
import { fromLedgerRowKey, grantIndexKeys, ledgerRowKey, sourceIndexKeys, type IndexName } from "./registryKeys";

export interface IndexEntry {
  index: IndexName;
  /** The role assignment or source resource ID, normalized. */
  id: string;
  ledgerRowKey: string;
  /** The row in the grant or source index. */
  partitionKey: string;
  rowKey: string;
}

export function toIndexEntry(index: IndexName, id: string, key: ConnectionKey): IndexEntry {
  const normalized = normalizeResourceId(id);
  const keys = index === "grant" ? grantIndexKeys(normalized, key) : sourceIndexKeys(normalized, key);
  return { index, id: normalized, ledgerRowKey: ledgerRowKey(index, normalized), ...keys };
}

/** Every grant (role assignment) of the binding and every source: what the indexes should hold. */
export function indexEntriesOf(connection: Pick<ManagedConnection, "key" | "binding" | "sourceResourceIds">): IndexEntry[] {
  const entries = new Map<string, IndexEntry>();
  for (const requirement of connection.binding.requirements) {
    for (const grant of requirement.grants) {
      const entry = toIndexEntry("grant", grant.roleAssignmentId, connection.key);
      entries.set(entry.ledgerRowKey, entry);
    }
  }
  for (const source of connection.sourceResourceIds) {
    const entry = toIndexEntry("source", source, connection.key);
    entries.set(entry.ledgerRowKey, entry);
  }
  return [...entries.values()];
}

export interface LedgerRow {
  rowKey: string;
  /** False between the ledger write and the index write (a crash there is finished by the next save). */
  indexed: boolean;
}

export interface IndexPlan {
  /** New ledger rows (indexed: false), written before the index rows they announce. */
  ledgerAdds: IndexEntry[];
  /** Index rows to upsert: the new ones and those a crash left unwritten. */
  indexWrites: IndexEntry[];
  /** Index rows (then their ledger rows) to delete: the grants and sources the connection no longer has. */
  removals: IndexEntry[];
}

export function planIndexes(key: ConnectionKey, desired: readonly IndexEntry[], ledger: readonly LedgerRow[]): IndexPlan {
  const ledgerByKey = new Map(ledger.map((row) => [row.rowKey, row]));
  const desiredKeys = new Set(desired.map((e) => e.ledgerRowKey));
  const ledgerAdds = desired.filter((e) => !ledgerByKey.has(e.ledgerRowKey));
  const indexWrites = desired.filter((e) => ledgerByKey.get(e.ledgerRowKey)?.indexed !== true);
  const removals = ledger
    .filter((row) => !desiredKeys.has(row.rowKey))
    .map((row) => {
      const { index, id } = fromLedgerRowKey(row.rowKey);
      return toIndexEntry(index, id, key);
    });
  return { ledgerAdds, indexWrites, removals };
}

export function isEmptyPlan(plan: IndexPlan): boolean {
  return plan.ledgerAdds.length === 0 && plan.indexWrites.length === 0 && plan.removals.length === 0;
}

// ConnectionRegistry over Azure Table Storage (@azure/data-tables; Azurite locally). Keys are designed so
// the revocation path is O(1) lookups:
//
//   {prefix}Connections  PK sub!rg!cluster!database   RK name            the record (JSON) + filter columns
//   {prefix}GrantIndex   PK role assignment ID         RK connection      findByRoleAssignment = one partition
//   {prefix}SourceIndex  PK source's subscription      RK sourceId!conn.  findBySourceScope = one RowKey range
// (Revocation finds candidates by source scope alone, which holds every grant-index hit: see findCandidates.ts.
// findByRoleAssignment answers "who depends on this assignment" directly.)
//   {prefix}IndexLedger  PK connection                 RK g!id | s!id     index rows the connection may own
//
// IDs are lower-cased and encoded with src/lib/registry/keyEncoding ("!" joins parts; "conn." above is
// sub!rg!cluster!database!name). save writes the record first (insert, or replace If-Match), then reconciles
// the indexes: ledger rows before index rows, index rows deleted before their ledger rows, every write an
// idempotent upsert or delete. A crash between the record and the indexes therefore leaves the ledger
// listing every index row that might exist, and the next save (or repairIndexes) finishes the job.
// A reconciliation that ran concurrently with a later save re-checks the record's ETag and converges on
// the latest record. Index failures after the record is written are logged, not thrown: the record is
// the truth, and throwing would tell the caller a written record was not saved.
import type { TableClient, TableEntityResult, TransactionAction } from "@azure/data-tables";
import { odata } from "@azure/data-tables";
import type { ConnectionKey, ManagedConnection } from "../connections/model";
import type { ConnectionRegistry, ListConnectionsFilter } from "../connections/ports";
import { AppError } from "../errors";
import { silentLogger, type Logger } from "../logging/logger";
import type { Page } from "../paging";
import { fromConnectionEntity, toConnectionEntity, type ConnectionEntity } from "../registry/connectionEntity";
import { indexEntriesOf, isEmptyPlan, planIndexes, type IndexEntry, type LedgerRow } from "../registry/indexPlan";
import { JsonTooLargeError } from "../registry/jsonProperties";
import {
  connectionKeyString,
  connectionPartitionKey,
  connectionPartitionPrefix,
  connectionRowKey,
  grantPartitionKey,
  type KeyRange,
  MAX_KEY_LENGTH,
  sourceScopeQuery,
} from "../registry/registryKeys";
import { prefixUpperBound } from "../registry/keyEncoding";
import { createRangeCoalescer } from "../registry/rangeCoalescer";
import { tableStatus, toRegistryError } from "./tableErrors";
import { createTableSet, type TableSet, type TableSetOptions } from "./tableSet";
import { readContinuationToken, readPage } from "./tablePaging";

export interface TableRegistryOptions extends TableSetOptions {
  logger?: Logger;
}

export interface TableRegistry extends ConnectionRegistry {
  /** Re-runs the index reconciliation of a stored connection (for an audit to repair what a crash left). */
  repairIndexes(key: ConnectionKey): Promise<void>;
}

const MAX_RECONCILE_ROUNDS = 3;
const TRANSACTION_LIMIT = 100;

export function createTableRegistry(options: TableRegistryOptions): TableRegistry {
  const tables: TableSet = createTableSet(options);
  const logger = options.logger ?? silentLogger;
  const sourceRanges = createRangeCoalescer<SourceRow>((partitionKey, span) => readSourceSpan(partitionKey, span));

  async function get(key: ConnectionKey): Promise<ManagedConnection | undefined> {
    const client = await tables.get("Connections");
    try {
      const entity = await client.getEntity(connectionPartitionKey(key), connectionRowKey(key));
      return fromConnectionEntity(entity, entity.etag);
    } catch (error) {
      if (tableStatus(error) === 404) return undefined;
      throw toRegistryError(error, `reading connection ${key.name}`);
    }
  }

  async function save(connection: ManagedConnection): Promise<ManagedConnection> {
    const { entity, desired } = prepare(connection);
    const client = await tables.get("Connections");
    let etag: string | undefined;
    try {
      if (connection.etag === undefined) {
        etag = (await client.createEntity(entity)).etag;
      } else {
        etag = (await client.updateEntity(entity, "Replace", { etag: connection.etag })).etag;
      }
    } catch (error) {
      const status = tableStatus(error);
      if (connection.etag === undefined && status === 409) {
        throw new AppError("conflict", "ConnectionExists", `The registry already holds connection ${connection.id}.`, { cause: error });
      }
      if (connection.etag !== undefined && (status === 412 || status === 404)) {
        throw new AppError(
          "preconditionFailed",
          "ConcurrentUpdate",
          `Connection ${connection.id} changed in the registry since it was read${status === 404 ? " (it is gone)" : ""}.`,
          { cause: error },
        );
      }
      throw toRegistryError(error, `saving connection ${connection.id}`);
    }
    if (!etag) throw new AppError("internal", "RegistryNoEtag", `Table Storage returned no ETag saving ${connection.id}.`);
    try {
      // A fresh insert has no ledger yet (ledger rows follow a record, and records are never deleted).
      await reconcile(connection.key, desired, etag, connection.etag === undefined);
    } catch (error) {
      logger.warn("registry indexes not reconciled; the next save repairs them", {
        connectionId: connection.id,
        error: error instanceof AppError ? error.code : String(error),
      });
    }
    return { ...connection, etag };
  }

  /** Reconciles until the record this round reconciled for is still the stored one. */
  async function reconcile(key: ConnectionKey, desired: IndexEntry[], etag: string, ledgerKnownEmpty = false): Promise<void> {
    for (let round = 1; ; round++) {
      const changed = await reconcileOnce(key, desired, ledgerKnownEmpty && round === 1);
      if (!changed) return;
      const current = await get(key);
      if (!current || current.etag === etag || round >= MAX_RECONCILE_ROUNDS) return;
      // A later save landed while this one reconciled: make sure its grants and sources win.
      desired = indexEntriesOf(current);
      etag = current.etag ?? "";
    }
  }

  async function reconcileOnce(key: ConnectionKey, desired: IndexEntry[], ledgerKnownEmpty: boolean): Promise<boolean> {
    const ledgerClient = await tables.get("IndexLedger");
    const partitionKey = connectionKeyString(key);
    const ledger: LedgerRow[] = [];
    try {
      if (!ledgerKnownEmpty) {
        const rows = ledgerClient.listEntities<{ indexed?: boolean }>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } });
        for await (const row of rows) ledger.push({ rowKey: row.rowKey ?? "", indexed: row.indexed === true });
      }
    } catch (error) {
      throw toRegistryError(error, "reading the index ledger");
    }
    const plan = planIndexes(key, desired, ledger);
    if (isEmptyPlan(plan)) return false;
    const [grants, sources] = await Promise.all([tables.get("GrantIndex"), tables.get("SourceIndex")]);
    const indexOf = (entry: IndexEntry): TableClient => (entry.index === "grant" ? grants : sources);
    try {
      // 1. announce new index rows in the ledger (one transaction per 100: the ledger is one partition)
      for (let at = 0; at < plan.ledgerAdds.length; at += TRANSACTION_LIMIT) {
        const actions: TransactionAction[] = plan.ledgerAdds
          .slice(at, at + TRANSACTION_LIMIT)
          .map((e) => ["upsert", { partitionKey, rowKey: e.ledgerRowKey, indexed: false }, "Replace"]);
        await ledgerClient.submitTransaction(actions);
      }
      // 2. write and delete index rows
      await Promise.all([
        ...plan.indexWrites.map((e) => indexOf(e).upsertEntity(toIndexRow(e, key), "Replace")),
        ...plan.removals.map((e) => deleteIfExists(indexOf(e), e.partitionKey, e.rowKey)),
      ]);
      // 3. settle the ledger
      await Promise.all([
        ...plan.indexWrites.map((e) => ledgerClient.upsertEntity({ partitionKey, rowKey: e.ledgerRowKey, indexed: true }, "Replace")),
        ...plan.removals.map((e) => deleteIfExists(ledgerClient, partitionKey, e.ledgerRowKey)),
      ]);
    } catch (error) {
      throw toRegistryError(error, "writing the registry indexes");
    }
    return true;
  }

  async function list(filter: ListConnectionsFilter, page: { pageSize: number; continuationToken?: string }): Promise<Page<ManagedConnection>> {
    const client = await tables.get("Connections");
    const continuationToken = readContinuationToken(page.continuationToken);
    const result = await readPage(client, listFilter(filter), page.pageSize, continuationToken, "listing connections");
    return { items: result.items.map((e) => fromConnectionEntity(e, e.etag)), ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}) };
  }

  async function findByRoleAssignment(roleAssignmentId: string): Promise<ConnectionKey[]> {
    const client = await tables.get("GrantIndex");
    return collectKeys(client, odata`PartitionKey eq ${grantPartitionKey(roleAssignmentId)}`, "reading the grant index");
  }

  async function findBySourceScope(scope: string): Promise<ConnectionKey[]> {
    const client = await tables.get("SourceIndex");
    const query = sourceScopeQuery(scope);
    // Above a subscription the registry cannot tell which subscriptions a management group holds: every
    // indexed connection is a candidate (callers re-verify access live, so a superset is safe; missing one is not).
    if (query.kind !== "ranges") {
      const filter = query.kind === "subscription" ? odata`PartitionKey eq ${query.partitionKey}` : undefined;
      return collectKeys(client, filter, "reading the source index");
    }
    // One contiguous RowKey range (a range scan, not a partition scan), shared by concurrent lookups in the
    // partition (rangeCoalescer.ts) and narrowed to each scope's ranges.
    const rows = await sourceRanges.lookup(query.partitionKey, query);
    return distinctKeys(rows.map((r) => r.key));
  }

  async function readSourceSpan(partitionKey: string, span: KeyRange): Promise<SourceRow[]> {
    const client = await tables.get("SourceIndex");
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${span.from} and RowKey lt ${span.to}`;
    const rows: SourceRow[] = [];
    try {
      for await (const row of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        const key = toConnectionKey(row);
        if (key && row.rowKey) rows.push({ rowKey: row.rowKey, key });
      }
    } catch (error) {
      throw toRegistryError(error, "reading the source index");
    }
    return rows;
  }

  async function repairIndexes(key: ConnectionKey): Promise<void> {
    const current = await get(key);
    if (!current?.etag) return;
    await reconcile(current.key, indexEntriesOf(current), current.etag);
  }

  return { get, save, list, findByRoleAssignment, findBySourceScope, repairIndexes };
}

/** Validates everything a save will write before writing anything. */
function prepare(connection: ManagedConnection): { entity: ConnectionEntity; desired: IndexEntry[] } {
  let entity: ConnectionEntity;
  try {
    entity = toConnectionEntity(connection);
  } catch (error) {
    if (error instanceof JsonTooLargeError) {
      throw new AppError("tooLarge", "ConnectionRecordTooLarge", `Connection ${connection.id} is too large for the registry (${error.length} characters).`);
    }
    throw error;
  }
  let desired: IndexEntry[];
  try {
    desired = indexEntriesOf(connection);
  } catch (error) {
    throw new AppError("validation", "InvalidSourceResourceId", `Connection ${connection.id} has a source that is not a subscription-scoped resource ID.`, { cause: error });
  }
  const keys = [entity.partitionKey, entity.rowKey, ...desired.flatMap((e) => [e.partitionKey, e.rowKey, e.ledgerRowKey])];
  if (keys.some((k) => k.length > MAX_KEY_LENGTH)) {
    throw new AppError("validation", "RegistryKeyTooLong", `Connection ${connection.id} has IDs too long for the registry's keys (${MAX_KEY_LENGTH} characters).`);
  }
  return { entity, desired };
}

function toIndexRow(entry: IndexEntry, key: ConnectionKey): { partitionKey: string; rowKey: string } & Record<string, string> {
  return {
    partitionKey: entry.partitionKey,
    rowKey: entry.rowKey,
    [entry.index === "grant" ? "roleAssignmentId" : "sourceResourceId"]: entry.id,
    subscriptionId: key.subscriptionId,
    resourceGroup: key.resourceGroup,
    cluster: key.cluster,
    database: key.database,
    name: key.name,
  };
}

async function deleteIfExists(client: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await client.deleteEntity(partitionKey, rowKey);
  } catch (error) {
    if (tableStatus(error) !== 404) throw error;
  }
}

/** Index rows back to connection keys (in the casing saved), once per connection. */
interface SourceRow {
  rowKey: string;
  key: ConnectionKey;
}

function distinctKeys(keys: readonly ConnectionKey[]): ConnectionKey[] {
  return [...new Map(keys.map((k) => [connectionKeyString(k), k])).values()];
}

async function collectKeys(client: TableClient, filter: string | undefined, what: string): Promise<ConnectionKey[]> {
  const found = new Map<string, ConnectionKey>();
  try {
    const rows = client.listEntities<Record<string, unknown>>(filter === undefined ? {} : { queryOptions: { filter } });
    for await (const row of rows) {
      const key = toConnectionKey(row);
      if (key) found.set(connectionKeyString(key), key);
    }
  } catch (error) {
    throw toRegistryError(error, what);
  }
  return [...found.values()];
}

function toConnectionKey(row: TableEntityResult<Record<string, unknown>>): ConnectionKey | undefined {
  const { subscriptionId, resourceGroup, cluster, database, name } = row;
  if ([subscriptionId, resourceGroup, cluster, database, name].every((v) => typeof v === "string")) {
    return { subscriptionId, resourceGroup, cluster, database, name } as ConnectionKey;
  }
  return undefined;
}

/** Server-side filter: a PartitionKey range for the leading fields, columns for the rest. */
function listFilter(filter: ListConnectionsFilter): string | undefined {
  const clauses: string[] = [];
  const partition = connectionPartitionPrefix(filter);
  if (partition.exact !== undefined) clauses.push(odata`PartitionKey eq ${partition.exact}`);
  if (partition.prefix !== undefined) {
    clauses.push(odata`PartitionKey ge ${partition.prefix} and PartitionKey lt ${prefixUpperBound(partition.prefix)}`);
  }
  const columns: [keyof ListConnectionsFilter, string | undefined][] = [
    ["subscriptionId", filter.subscriptionId],
    ["resourceGroup", filter.resourceGroup],
    ["cluster", filter.cluster],
    ["database", filter.database],
  ];
  columns.slice(partition.used).forEach(([column, value]) => {
    if (value !== undefined && value !== "") clauses.push(columnEquals(column, value.toLowerCase()));
  });
  if (filter.status !== undefined) clauses.push(odata`status eq ${filter.status}`);
  return clauses.length === 0 ? undefined : clauses.join(" and ");
}

function columnEquals(column: keyof ListConnectionsFilter, value: string): string {
  // Column names come from this list, never from input; the value goes through odata``.
  switch (column) {
    case "subscriptionId":
      return odata`subscriptionId eq ${value}`;
    case "resourceGroup":
      return odata`resourceGroup eq ${value}`;
    case "cluster":
      return odata`cluster eq ${value}`;
    case "database":
      return odata`database eq ${value}`;
    default:
      throw new Error(`not a filter column: ${column}`);
  }
}

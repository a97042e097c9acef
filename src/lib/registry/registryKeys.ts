// The registry's table keys (see tableRegistry.ts for the layout): every ID is lower-cased (ARM IDs are
// case-insensitive) and encoded with keyEncoding, so lookups by any casing land on the same row.
import type { ConnectionKey } from "../connections/model";
import { normalizeResourceId } from "../connections/model";
import { encodeKey, joinKey, KEY_SEPARATOR, prefixUpperBound, splitKey } from "./keyEncoding";

/** Table Storage's limit for PartitionKey and RowKey (1 KiB; the encodings are ASCII). */
export const MAX_KEY_LENGTH = 1024;

const lower = (s: string): string => s.toLowerCase();

/** `sub!rg!cluster!database`: the partition of a database's connections. */
export function connectionPartitionKey(key: Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster" | "database">): string {
  return joinKey([key.subscriptionId, key.resourceGroup, key.cluster, key.database].map(lower));
}

export function connectionRowKey(key: Pick<ConnectionKey, "name">): string {
  return encodeKey(lower(key.name));
}

/** `sub!rg!cluster!database!name`: a connection inside index and ledger keys. */
export function connectionKeyString(key: ConnectionKey): string {
  return `${connectionPartitionKey(key)}${KEY_SEPARATOR}${connectionRowKey(key)}`;
}

/** The (lower-cased) connection key back from connectionKeyString. */
export function fromConnectionKeyString(value: string): ConnectionKey {
  const parts = splitKey(value);
  if (parts.length !== 5) throw new Error("not a connection key");
  const [subscriptionId, resourceGroup, cluster, database, name] = parts as [string, string, string, string, string];
  return { subscriptionId, resourceGroup, cluster, database, name };
}

/** The leading filter fields as a PartitionKey prefix (`sub!`, `sub!rg!`, ...), or the whole key when all four are set. */
export function connectionPartitionPrefix(filter: {
  subscriptionId?: string;
  resourceGroup?: string;
  cluster?: string;
  database?: string;
}): { exact?: string; prefix?: string; used: number } {
  const ordered = [filter.subscriptionId, filter.resourceGroup, filter.cluster, filter.database];
  const leading: string[] = [];
  for (const part of ordered) {
    if (part === undefined || part === "") break;
    leading.push(lower(part));
  }
  if (leading.length === 0) return { used: 0 };
  if (leading.length === 4) return { exact: joinKey(leading), used: 4 };
  return { prefix: joinKey(leading) + KEY_SEPARATOR, used: leading.length };
}

// ---- grant index: PartitionKey = role assignment ID, RowKey = connection -------------------------

export function grantIndexKeys(roleAssignmentId: string, key: ConnectionKey): { partitionKey: string; rowKey: string } {
  return { partitionKey: grantPartitionKey(roleAssignmentId), rowKey: connectionKeyString(key) };
}

export function grantPartitionKey(roleAssignmentId: string): string {
  return encodeKey(normalizeResourceId(roleAssignmentId));
}

// ---- source index: PartitionKey = the source's subscription, RowKey = source ID ! connection ----------

const SUBSCRIPTION_SCOPE = /^\/subscriptions\/([^/]+)(\/.*)?$/;

export function sourceIndexKeys(sourceResourceId: string, key: ConnectionKey): { partitionKey: string; rowKey: string } {
  const source = normalizeResourceId(sourceResourceId);
  const match = SUBSCRIPTION_SCOPE.exec(source);
  if (!match) throw new Error(`not a subscription-scoped resource ID: ${sourceResourceId}`);
  return { partitionKey: encodeKey(match[1] as string), rowKey: `${encodeKey(source)}${KEY_SEPARATOR}${connectionKeyString(key)}` };
}

/** The source resource ID and connection of a source-index RowKey. */
export function fromSourceRowKey(rowKey: string): { sourceResourceId: string; key: ConnectionKey } {
  const at = rowKey.indexOf(KEY_SEPARATOR);
  if (at < 0) throw new Error("not a source index key");
  return { sourceResourceId: splitKey(rowKey.slice(0, at))[0] as string, key: fromConnectionKeyString(rowKey.slice(at + 1)) };
}

/** A [from, to) RowKey range. */
export interface KeyRange {
  from: string;
  to: string;
}

export type SourceScopeQuery =
  /** The whole partition of a subscription. */
  | { kind: "subscription"; partitionKey: string }
  /**
   * Inside one subscription's partition: the scope itself, and everything under `scope/` (`ranges`). Table
   * Storage serves RowKey ranges joined by `or` as a scan of the whole partition, so the query reads `span`, the
   * one contiguous range from the first to the end of the second (both share the encoded scope as a prefix;
   * between them lie only siblings whose names extend the scope's, e.g. `rg-a-b` beside `rg-a`), and the
   * caller keeps the rows inside `ranges` (see inKeyRanges).
   */
  | { kind: "ranges"; partitionKey: string; ranges: [KeyRange, KeyRange]; span: KeyRange }
  /**
   * Above a subscription (a management group, the tenant root "/", "/providers/..."): the registry does not
   * know which subscriptions a management group holds, so the scope cannot be resolved by prefix.
   */
  | { kind: "unresolvable" };

export function sourceScopeQuery(scope: string): SourceScopeQuery {
  const normalized = normalizeResourceId(scope);
  const match = SUBSCRIPTION_SCOPE.exec(normalized);
  if (!match) return { kind: "unresolvable" };
  const partitionKey = encodeKey(match[1] as string);
  if (match[2] === undefined) return { kind: "subscription", partitionKey };
  const self = encodeKey(normalized) + KEY_SEPARATOR;
  const under = encodeKey(`${normalized}/`);
  const ranges: [KeyRange, KeyRange] = [
    { from: self, to: prefixUpperBound(self) },
    { from: under, to: prefixUpperBound(under) },
  ];
  return { kind: "ranges", partitionKey, ranges, span: { from: ranges[0].from, to: ranges[1].to } };
}

/** Is `rowKey` inside one of `ranges` ([from, to), ordinal as Table Storage compares)? */
export function inKeyRanges(rowKey: string, ranges: readonly KeyRange[]): boolean {
  return ranges.some((r) => rowKey >= r.from && rowKey < r.to);
}

// ---- ledger: which index rows a connection may own --------------------------------------------------

export type IndexName = "grant" | "source";

/** RowKey of a ledger row (partition = connectionKeyString): `g!{id}` or `s!{id}`. */
export function ledgerRowKey(index: IndexName, id: string): string {
  return `${index === "grant" ? "g" : "s"}${KEY_SEPARATOR}${encodeKey(normalizeResourceId(id))}`;
}

export function fromLedgerRowKey(rowKey: string): { index: IndexName; id: string } {
  const [tag, encoded] = rowKey.split(KEY_SEPARATOR);
  if ((tag !== "g" && tag !== "s") || encoded === undefined) throw new Error("not a ledger key");
  return { index: tag === "g" ? "grant" : "source", id: splitKey(encoded)[0] as string };
}

// Candidates of an event, from the registry alone (no ARM call): grant-index hits and connections whose
// sources lie at or under the deleted assignment's scope; connections on a deleted source; a deleted
// cluster's or database's records.
// The union of the first two is read with ONE source-index lookup: a grant is recorded only where its scope
// covers a requirement's scope, and a requirement's scope is a source of the connection or an ancestor of
// one, so every grant-index hit has a source under the assignment's scope (candidatesSuperset.test.ts).
// One query per event instead of two, and concurrent lookups share their reads (rangeCoalescer.ts).
import type { ConnectionKey, ManagedConnection } from "../connections/model";
import type { ConnectionRegistry } from "../connections/ports";
import type { OperationEffect } from "./eventFilter";
import { assignmentScopeOf, kustoScopeOf, sourceDeletionOf } from "./scopes";

export interface Candidates {
  keys: ConnectionKey[];
  /** Applied to the records once read (consumer group, Cosmos database/container). */
  matches(connection: ManagedConnection): boolean;
}

const none: Candidates = { keys: [], matches: () => false };
const keyString = (k: ConnectionKey) => [k.subscriptionId, k.resourceGroup, k.cluster, k.database, k.name].join("/").toLowerCase();

export async function findCandidates(registry: ConnectionRegistry, effect: OperationEffect, resourceUri: string): Promise<Candidates> {
  if (effect === "grant") {
    const scope = assignmentScopeOf(resourceUri);
    if (!scope) return none;
    return { keys: distinct(await registry.findBySourceScope(scope)), matches: () => true };
  }
  if (effect === "source") {
    const deletion = sourceDeletionOf(resourceUri);
    return { keys: distinct(await registry.findBySourceScope(deletion.scope)), matches: (c) => deletion.matches(c) };
  }
  const kusto = kustoScopeOf(resourceUri);
  if (!kusto) return none;
  const keys: ConnectionKey[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await registry.list({ ...kusto }, { pageSize: 500, ...(continuationToken ? { continuationToken } : {}) });
    keys.push(...page.items.filter((c) => c.status !== "Deleted").map((c) => c.key));
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return { keys, matches: () => true };
}

function distinct(keys: ConnectionKey[]): ConnectionKey[] {
  return [...new Map(keys.map((k) => [keyString(k), k])).values()];
}

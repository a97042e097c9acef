// Scope math of revocation (pure): where a deleted role assignment applied, and which connections a deleted
// source, consumer group, Cosmos database or container, cluster or database concerns.
import { normalizeResourceId, type ConnectionKey, type ManagedConnection } from "../connections/model";

const ASSIGNMENT_SUFFIX = /\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+\/?$/i;

/** Is this the ID of a role assignment (any scope)? */
export function isRoleAssignmentId(resourceUri: string): boolean {
  return ASSIGNMENT_SUFFIX.test(resourceUri);
}

/**
 * The scope of a role assignment from its ID: the ID minus `/providers/Microsoft.Authorization/roleAssignments/{id}`
 * ("/" for a root-level assignment). Undefined when it is not a role-assignment ID.
 */
export function assignmentScopeOf(roleAssignmentId: string): string | undefined {
  const trimmed = roleAssignmentId.trim();
  if (!ASSIGNMENT_SUFFIX.test(trimmed)) return undefined;
  const scope = trimmed.replace(ASSIGNMENT_SUFFIX, "");
  return scope === "" ? "/" : scope;
}

/** Is `id` the same as `scope` or under it (segment boundary, case-insensitive)? */
export function isAtOrUnder(id: string, scope: string): boolean {
  const s = normalizeResourceId(scope);
  const i = normalizeResourceId(id);
  return s === "" || i === s || i.startsWith(`${s}/`);
}

/** What a source deletion concerns: connections with a source at or under `scope` that also satisfy `matches`. */
export interface SourceDeletion {
  /** Where to look in the source index. */
  scope: string;
  /** Finer match on the spec (consumer group, Cosmos database or container); default every candidate. */
  matches(connection: Pick<ManagedConnection, "spec">): boolean;
}

const eq = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

interface ChildRule {
  pattern: RegExp;
  /** m[1]: the source resource; the rest: child names. */
  matches(m: RegExpMatchArray, properties: Record<string, unknown>): boolean;
}

// Children of sources that are not in sourceResourceIds themselves: their connections name them in properties.
const childRules: ChildRule[] = [
  {
    pattern: /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.EventHub\/namespaces\/[^/]+\/eventhubs\/[^/]+)\/consumergroups\/([^/]+)$/i,
    matches: (m, p) => eq(p.eventHubResourceId, m[1] ?? "") && eq(p.consumerGroup, m[2] ?? ""),
  },
  {
    pattern: /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Devices\/IotHubs\/[^/]+)\/eventHubEndpoints\/[^/]+\/ConsumerGroups\/([^/]+)$/i,
    matches: (m, p) => eq(p.iotHubResourceId, m[1] ?? "") && eq(p.consumerGroup, m[2] ?? ""),
  },
  {
    pattern: /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DocumentDB\/databaseAccounts\/[^/]+)\/sqlDatabases\/([^/]+)\/containers\/([^/]+)$/i,
    matches: (m, p) => eq(p.cosmosDbAccountResourceId, m[1] ?? "") && eq(p.cosmosDbDatabase, m[2] ?? "") && eq(p.cosmosDbContainer, m[3] ?? ""),
  },
  {
    pattern: /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.DocumentDB\/databaseAccounts\/[^/]+)\/sqlDatabases\/([^/]+)$/i,
    matches: (m, p) => eq(p.cosmosDbAccountResourceId, m[1] ?? "") && eq(p.cosmosDbDatabase, m[2] ?? ""),
  },
];

/** The connections a deleted source resource concerns (namespace, hub, consumer group, account, database, ...). */
export function sourceDeletionOf(resourceUri: string): SourceDeletion {
  const id = resourceUri.trim().replace(/\/+$/, "");
  for (const rule of childRules) {
    const m = id.match(rule.pattern);
    if (m) return { scope: m[1] ?? id, matches: (c) => rule.matches(m, c.spec.properties) };
  }
  return { scope: id, matches: () => true };
}

const KUSTO = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Kusto\/clusters\/([^/]+)(?:\/databases\/([^/]+))?$/i;

/** The cluster (and database) a deleted Kusto resource ID names; undefined when it is not one. */
export function kustoScopeOf(resourceUri: string): (Omit<ConnectionKey, "database" | "name"> & { database?: string }) | undefined {
  const m = resourceUri.trim().replace(/\/+$/, "").match(KUSTO);
  if (!m) return undefined;
  const [, subscriptionId = "", resourceGroup = "", cluster = "", database] = m;
  return { subscriptionId, resourceGroup, cluster, ...(database ? { database } : {}) };
}

// In-memory ConnectionRegistry with the real one's contract: insert-if-absent, ETag replace, grant and
// source indexes kept in step, paged lists. Records are cloned in and out, as a store would.
import { AppError } from "../../../src/lib/errors";
import { normalizeResourceId, type ConnectionKey, type ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, ListConnectionsFilter } from "../../../src/lib/connections/ports";
import type { Page } from "../../../src/lib/paging";

const keyOf = (k: ConnectionKey) => [k.subscriptionId, k.resourceGroup, k.cluster, k.database, k.name].join("|").toLowerCase();

export interface FakeRegistry extends ConnectionRegistry {
  readonly records: Map<string, ManagedConnection>;
  /** Calls per method. */
  readonly calls: Record<"get" | "save" | "list" | "findByRoleAssignment" | "findBySourceScope", number>;
  /** Runs before the next save is applied (e.g. to make a concurrent writer win). */
  beforeNextSave?: () => Promise<void> | void;
  all(): ManagedConnection[];
}

export function createFakeRegistry(): FakeRegistry {
  const records = new Map<string, ManagedConnection>();
  let etagCounter = 0;
  const calls = { get: 0, save: 0, list: 0, findByRoleAssignment: 0, findBySourceScope: 0 };
  const registry: FakeRegistry = {
    records,
    calls,
    all: () => [...records.values()].map((r) => structuredClone(r)),
    async get(key) {
      calls.get++;
      const found = records.get(keyOf(key));
      return found ? structuredClone(found) : undefined;
    },
    async save(connection) {
      calls.save++;
      const hook = registry.beforeNextSave;
      registry.beforeNextSave = undefined;
      await hook?.();
      const k = keyOf(connection.key);
      const current = records.get(k);
      if (connection.etag === undefined && current) throw new AppError("conflict", "ConnectionExists", `${connection.id} exists`);
      if (connection.etag !== undefined && current?.etag !== connection.etag) {
        throw new AppError("preconditionFailed", "ConcurrentUpdate", `${connection.id} changed`);
      }
      const saved = { ...structuredClone(connection), etag: `W/"${++etagCounter}"` };
      records.set(k, saved);
      return structuredClone(saved);
    },
    async list(filter: ListConnectionsFilter, page): Promise<Page<ManagedConnection>> {
      calls.list++;
      const eq = (a: string | undefined, b: string) => a === undefined || a.toLowerCase() === b.toLowerCase();
      const matching = [...records.values()]
        .filter((r) => eq(filter.subscriptionId, r.key.subscriptionId) && eq(filter.resourceGroup, r.key.resourceGroup))
        .filter((r) => eq(filter.cluster, r.key.cluster) && eq(filter.database, r.key.database))
        .filter((r) => filter.status === undefined || r.status === filter.status)
        .sort((a, b) => (keyOf(a.key) < keyOf(b.key) ? -1 : 1));
      const start = page.continuationToken ? Number(page.continuationToken) : 0;
      const items = matching.slice(start, start + page.pageSize).map((r) => structuredClone(r));
      const next = start + page.pageSize;
      return { items, ...(next < matching.length ? { continuationToken: String(next) } : {}) };
    },
    async findByRoleAssignment(roleAssignmentId) {
      calls.findByRoleAssignment++;
      const id = normalizeResourceId(roleAssignmentId);
      return [...records.values()]
        .filter((r) => r.binding.requirements.some((s) => s.grants.some((g) => normalizeResourceId(g.roleAssignmentId) === id)))
        .map((r) => ({ ...r.key }));
    },
    async findBySourceScope(scope) {
      calls.findBySourceScope++;
      const prefix = normalizeResourceId(scope);
      return [...records.values()]
        .filter((r) => r.sourceResourceIds.some((s) => normalizeResourceId(s) === prefix || normalizeResourceId(s).startsWith(`${prefix}/`)))
        .map((r) => ({ ...r.key }));
    },
  };
  return registry;
}

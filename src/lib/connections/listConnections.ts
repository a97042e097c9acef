// GET /api/connections: the registry's page, keeping only what the policy lets the caller read.
// Tombstones (Deleted) are left out unless asked for with status=Deleted.
import { ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import type { Page } from "../paging";
import { authorizeCaller, hasReadRole } from "./authorizeCaller";
import { attempt } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { toClusterId, type ManagedConnection } from "./model";
import type { ListConnectionsFilter } from "./ports";

export async function listConnections(
  deps: ConnectionsDeps,
  caller: Caller,
  filter: ListConnectionsFilter,
  page: { pageSize: number; continuationToken?: string },
): Promise<Result<Page<ManagedConnection>>> {
  return attempt(async () => {
    const role = hasReadRole(caller);
    if (!role.ok) return role;
    const result = await deps.registry.list(filter, page);
    const items = result.items.filter(
      (c) =>
        (c.status !== "Deleted" || filter.status === "Deleted") &&
        authorizeCaller(deps, caller, { action: "read", clusterId: toClusterId(c.key), database: c.key.database }).ok,
    );
    return ok({ items, ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}) });
  });
}

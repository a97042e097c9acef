// GET .../journal: a connection's journal, newest first (tombstoned connections keep theirs).
import { fail, ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import type { Page } from "../paging";
import { authorizeCaller, hasReadRole } from "./authorizeCaller";
import { attempt } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { connectionNotFound } from "./getConnection";
import { toClusterId, type ConnectionKey, type JournalEntry } from "./model";

export async function listJournal(
  deps: ConnectionsDeps,
  caller: Caller,
  key: ConnectionKey,
  page: { pageSize: number; continuationToken?: string },
): Promise<Result<Page<JournalEntry>>> {
  return attempt(async () => {
    const role = hasReadRole(caller);
    if (!role.ok) return role;
    const authorized = authorizeCaller(deps, caller, { action: "read", clusterId: toClusterId(key), database: key.database });
    if (!authorized.ok) return authorized;
    const record = await deps.registry.get(key);
    if (!record) return fail(connectionNotFound(key));
    return ok(await deps.journal.list(record.id, page));
  });
}

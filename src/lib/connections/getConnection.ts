// GET one connection: the record, with a running Kusto operation polled once so the status is current.
import { AppError, fail, ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import { authorizeCaller } from "./authorizeCaller";
import { attempt } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { toClusterId, type ConnectionKey, type ManagedConnection } from "./model";
import { refreshOperation } from "./refreshOperation";
import { runtimeOf } from "./runtime";

export function connectionNotFound(key: ConnectionKey): AppError {
  return new AppError("notFound", "ConnectionNotFound", `No managed data connection '${key.name}' in ${key.cluster}/${key.database}.`);
}

export async function getConnection(deps: ConnectionsDeps, caller: Caller, key: ConnectionKey, correlationId = "get"): Promise<Result<ManagedConnection>> {
  return attempt(async () => {
    const authorized = authorizeCaller(deps, caller, { action: "read", clusterId: toClusterId(key), database: key.database });
    if (!authorized.ok) return authorized;
    const record = await deps.registry.get(key);
    if (!record || record.status === "Deleted") return fail(connectionNotFound(key));
    return ok(await refreshOperation(deps, runtimeOf(deps), record, { waitInMs: 0, correlationId }));
  });
}

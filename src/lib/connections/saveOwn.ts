// Saves the record a claimer ends its operation with. Its claim's ETag guards it: if the save is refused, either
// a poll of the same operation recorded its end first (then that record stands: `byFollower`), or the claim was
// taken over after its lease ran out (409 ConcurrentUpdate: the newer request owns the connection now).
import { AppError, fail, isAppError, ok, type Result } from "../errors";
import type { ConnectionsDeps } from "./deps";
import type { ManagedConnection } from "./model";

export type OwnSave = Result<ManagedConnection> & { byFollower?: boolean };

export async function saveOwn(deps: ConnectionsDeps, connection: ManagedConnection): Promise<OwnSave> {
  try {
    return ok(await deps.registry.save(connection));
  } catch (error) {
    if (!isAppError(error) || (error.kind !== "conflict" && error.kind !== "preconditionFailed")) throw error;
    const now = await deps.registry.get(connection.key);
    if (now?.operation && now.operation.id === connection.operation?.id && now.operation.endedAt) return { ...ok(now), byFollower: true };
    return fail(new AppError("conflict", "ConcurrentUpdate", "Another request took over this connection while its operation ran; read it and retry.", { cause: error }));
  }
}

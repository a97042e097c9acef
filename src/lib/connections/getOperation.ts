// GET /api/operations/{id}: the connection's long-running operation, polled once from its stored state;
// when it has ended, the record, journal and notification are brought up to date (refreshOperation).
import { AppError, fail, ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import { authorizeCaller } from "./authorizeCaller";
import { attempt } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { toClusterId } from "./model";
import { fromOperationId } from "./operationId";
import { isOperationRunning, refreshOperation } from "./refreshOperation";
import { runtimeOf } from "./runtime";
import type { OperationView } from "./service";

const notFound = (id: string) => new AppError("notFound", "OperationNotFound", `No operation '${id}'.`);

export async function getOperation(deps: ConnectionsDeps, caller: Caller, operationId: string, correlationId = "operation"): Promise<Result<OperationView>> {
  return attempt(async () => {
    const key = fromOperationId(operationId);
    if (!key) return fail(notFound(operationId));
    const authorized = authorizeCaller(deps, caller, { action: "read", clusterId: toClusterId(key), database: key.database });
    if (!authorized.ok) return authorized;
    const record = await deps.registry.get(key);
    if (!record || record.operation?.id !== operationId) return fail(notFound(operationId));
    const current = await refreshOperation(deps, runtimeOf(deps), record, { waitInMs: 0, correlationId });
    const op = current.operation!;
    const status = isOperationRunning(current) ? "Running" : op.error || current.status === "Failed" ? "Failed" : "Succeeded";
    return ok({
      id: op.id,
      kind: op.kind,
      status,
      connectionId: current.id,
      startedAt: op.startedAt,
      ...(op.error ? { error: op.error } : {}),
    });
  });
}

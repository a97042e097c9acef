// DELETE: journal intent → Kusto delete (404 counts as done) → tombstone record → journal completion →
// notification; 202 with an operation when Kusto's delete outlives the bounded wait. Only connections the
// registry manages are deleted; deleting a deleted one is a no-op (204).
import { AppError, fail, isAppError, ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import { authorizeCaller, toCallerRef } from "./authorizeCaller";
import { attempt } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { connectionNotFound } from "./getConnection";
import { toClusterId, type ConnectionKey, type ManagedConnection } from "./model";
import { notifyChange } from "./notifyChange";
import { toOperationId } from "./operationId";
import type { KustoOperationState } from "./ports";
import { applyOperationEnd, isOperationRunning } from "./refreshOperation";
import { runtimeOf } from "./runtime";
import type { DeleteOutcome } from "./service";

export async function deleteConnection(deps: ConnectionsDeps, caller: Caller, key: ConnectionKey, correlationId: string): Promise<Result<DeleteOutcome>> {
  const rt = runtimeOf(deps);
  return attempt<DeleteOutcome>(async () => {
    if (!caller.roles.includes("Connections.Write")) {
      return fail(new AppError("forbidden", "MissingAppRole", "The caller needs the app role Connections.Write to delete connections."));
    }
    const record = await deps.registry.get(key);
    const authorized = authorizeCaller(deps, caller, {
      action: "write",
      clusterId: toClusterId(key),
      database: key.database,
      ...(record ? { sourceResourceIds: record.sourceResourceIds } : {}),
      ...(record?.binding.principal.kind === "crossTenantApp" ? { sourceTenantId: record.binding.principal.tenantId } : {}),
    });
    if (!authorized.ok) return authorized;
    if (!record) return fail(connectionNotFound(key));
    if (record.status === "Deleted") return ok({ status: "deleted" });
    if (isOperationRunning(record)) {
      if (record.operation?.kind === "delete") return ok({ status: "accepted", operationId: record.operation.id });
      return fail(new AppError("conflict", "OperationInProgress", `Operation ${record.operation?.id ?? ""} on this connection is still running; retry when it has ended.`));
    }

    const actor = toCallerRef(caller);
    const intent = await deps.journal.append({ connectionId: record.id, action: "delete", phase: "intent", actor, correlationId, before: record });
    let state: KustoOperationState;
    try {
      state = await deps.kusto.delete(key, { waitInMs: deps.settings.kustoWaitInMs });
    } catch (error) {
      const appError = isAppError(error) ? error : undefined;
      await deps.journal.append({
        connectionId: record.id,
        action: "delete",
        phase: "failed",
        intentId: intent.id,
        actor,
        correlationId,
        error: { code: appError?.code ?? "KustoDeleteFailed", message: appError?.message ?? String(error) },
      });
      throw error;
    }
    const operation = { id: toOperationId(key, rt.newId()), kind: "delete" as const, startedAt: rt.now(), intentId: intent.id };
    const changed: ManagedConnection = { ...record, updatedBy: actor, updatedAt: rt.now(), operation };
    if (!state.done) {
      const saved = await deps.registry.save({ ...changed, status: "Deleting", operation: { ...operation, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) } });
      return ok({ status: "accepted", operationId: saved.operation?.id ?? operation.id });
    }
    const saved = await deps.registry.save(applyOperationEnd(changed, state, rt.now()));
    await deps.journal.append({
      connectionId: record.id,
      action: "delete",
      phase: state.succeeded ? "completed" : "failed",
      intentId: intent.id,
      actor,
      correlationId,
      after: { status: saved.status },
      ...(saved.operation?.error ? { error: saved.operation.error } : {}),
    });
    if (!state.succeeded) {
      return fail(new AppError("upstream", "KustoOperationFailed", `Kusto's delete failed: ${saved.operation?.error?.message ?? "unknown error"}`));
    }
    rt.metrics.connectionDeleted({ kind: saved.kind, reason: "request" });
    await notifyChange(deps, rt, "adx.connection.deleted", saved, correlationId);
    return ok({ status: "deleted" });
  });
}

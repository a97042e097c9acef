// DELETE: journal intent → claim the record (Deleting, ETag) → Kusto delete (404 counts as done) → tombstone
// → journal completion → notification; 202 with an operation when Kusto's delete outlives the bounded wait, or
// when another DELETE holds the claim (its operation). Only connections the registry manages are deleted;
// deleting a deleted one is a no-op (204).
import { AppError, fail, isAppError, ok, type Result } from "../errors";
import type { Caller } from "../auth/caller";
import { authorizeCaller, toCallerRef } from "./authorizeCaller";
import { attempt } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { connectionNotFound } from "./getConnection";
import { toClusterId, type ConnectionKey, type JournalEntry, type ManagedConnection } from "./model";
import { notifyChange } from "./notifyChange";
import { toOperationId } from "./operationId";
import type { KustoOperationState } from "./ports";
import { applyOperationEnd, isOperationRunning } from "./refreshOperation";
import { claimUntil, isExpiredClaim, operationInProgress, releaseClaim, trySaveClaim, withoutClaim } from "./claim";
import { saveOwn } from "./saveOwn";
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

    // 1. Claim (ETag): exactly one DELETE reaches ARM; the others follow its operation.
    const actor = toCallerRef(caller);
    let current: ManagedConnection | undefined = record;
    let claimed: ManagedConnection | undefined;
    let intent: JournalEntry | undefined;
    for (let round = 0; !claimed; round++) {
      if (!current) return fail(connectionNotFound(key));
      if (current.status === "Deleted") return ok({ status: "deleted" });
      if (isOperationRunning(current) && !isExpiredClaim(current, rt.now())) {
        if (current.operation?.kind === "delete") return ok({ status: "accepted", operationId: current.operation.id });
        return fail(operationInProgress(current, rt.now()));
      }
      const before: ManagedConnection = current;
      intent ??= await deps.journal.append({ connectionId: before.id, action: "delete", phase: "intent", actor, correlationId, before });
      const operation = { id: toOperationId(key, rt.newId()), kind: "delete" as const, startedAt: rt.now(), intentId: intent.id, claimedUntil: claimUntil(deps, rt) };
      claimed = await trySaveClaim(deps, { ...before, status: "Deleting", updatedBy: actor, updatedAt: rt.now(), operation });
      if (claimed) break;
      current = await deps.registry.get(key);
      if (round >= 2 || !current || current.status === "Deleted" || isOperationRunning(current)) {
        // Another request claimed it first: this attempt's intent ends here, unexecuted.
        await deps.journal.append({ connectionId: record.id, action: "delete", phase: "skipped", intentId: intent.id, actor, correlationId, reason: "another request claimed the connection first" });
        intent = undefined;
      }
      if (round >= 2) return fail(new AppError("conflict", "ConcurrentUpdate", "The connection keeps changing concurrently; read it and retry."));
    }
    const claim = claimed;
    const journalIntent = intent!;

    // 2. ARM (only the claimer gets here); a refused or failed DELETE gives the claim back.
    let state: KustoOperationState;
    try {
      state = await deps.kusto.delete(key, { waitInMs: deps.settings.kustoWaitInMs });
    } catch (error) {
      const appError = isAppError(error) ? error : undefined;
      const failure = { code: appError?.code ?? "KustoDeleteFailed", message: appError?.message ?? String(error) };
      await deps.journal.append({ connectionId: record.id, action: "delete", phase: "failed", intentId: journalIntent.id, actor, correlationId, error: failure });
      await releaseClaim(deps, claim, current, failure, rt.now());
      throw error;
    }
    const operation = withoutClaim(claim.operation!);
    const changed: ManagedConnection = { ...claim, operation };
    if (!state.done) {
      const saved = await saveOwn(deps, { ...changed, status: "Deleting", operation: { ...operation, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) } });
      if (!saved.ok) return saved;
      return ok({ status: "accepted", operationId: operation.id });
    }
    const recorded = await saveOwn(deps, applyOperationEnd(changed, state, rt.now()));
    if (!recorded.ok) return recorded;
    const saved = recorded.value;
    if (recorded.byFollower) {
      // A poll of this very operation saw Kusto's delete done and recorded, journalled and notified it first.
      await deps.journal.append({ connectionId: record.id, action: "delete", phase: "completed", intentId: journalIntent.id, actor, correlationId, reason: "the operation's end was recorded by a poll", after: { status: saved.status } });
      return ok({ status: "deleted" });
    }
    await deps.journal.append({
      connectionId: record.id,
      action: "delete",
      phase: state.succeeded ? "completed" : "failed",
      intentId: journalIntent.id,
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

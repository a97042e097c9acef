// Removes one connection whose access (or source) is gone: claim it in the registry (ETag: one DELETE even
// when two events race for it) → journal intent → Kusto DELETE (404 counts as done) → tombstone → journal
// completed → notify adx.connection.revoked → metrics. In report mode: journal and notify, delete nothing.
// A failure rethrows (the event is redelivered); the redelivery recognises its own claim and carries on.
import { isAppError } from "../errors";
import { toOperationId } from "../connections/operationId";
import { applyOperationEnd } from "../connections/refreshOperation";
import type { ManagedConnection } from "../connections/model";
import type { KustoOperationState } from "../connections/ports";
import { revocationActor, type EventContext } from "./context";
import type { RevocationDeps } from "./deps";

export type RevocationReason = "revoked" | "sourceDeleted";

export interface RevokeInput {
  connection: ManagedConnection;
  reason: RevocationReason;
  /** What was found: e.g. the requirements no longer granted. */
  detail: string;
}

export type RevokeOutcome = "deleted" | "reported" | "alreadyDeleted" | "inProgress";

export async function revokeConnection(deps: RevocationDeps, ctx: EventContext, input: RevokeInput): Promise<RevokeOutcome> {
  const { reason, detail } = input;
  let record: ManagedConnection | undefined = input.connection;
  const base = { connectionId: record.id, actor: revocationActor, correlationId: ctx.correlationId };

  if (deps.settings.mode === "report") {
    await deps.journal.append({ ...base, action: "revoke", phase: "skipped", reason: `report mode: ${reasonText(reason)} (${detail}); not deleted` });
    await notifyRevoked(deps, ctx, record, reason, detail, false);
    return "reported";
  }

  // 1. claim: a Deleting record with an operation ID carrying this event's tag (ETag-guarded).
  let resumed = false;
  for (let attempt = 1; ; attempt++) {
    if (!record || record.status === "Deleted") return "alreadyDeleted";
    const op = record.operation;
    const ownClaim = record.status === "Deleting" && !!op && !op.endedAt && op.id.split(".")[1]?.startsWith(`${ctx.tag}-`) === true;
    if (ownClaim) {
      resumed = true;
      break;
    }
    const running = record.status === "Deleting" && !!op && !op.endedAt && Date.parse(op.startedAt) + deps.settings.leaseInMs > Date.parse(ctx.now());
    if (running) return "inProgress"; // another event or request is deleting it; its own delivery finishes it
    try {
      record = await deps.registry.save({
        ...record,
        status: "Deleting",
        updatedBy: ctx.updatedBy,
        updatedAt: ctx.now(),
        operation: { id: toOperationId(record.key, `${ctx.tag}-${ctx.newId().replace(/-/g, "").slice(0, 12)}`), kind: "delete", startedAt: ctx.now() },
      });
      break;
    } catch (error) {
      if (!(isAppError(error) && error.code === "ConcurrentUpdate") || attempt >= 3) throw error;
      record = await deps.registry.get(record.key);
    }
  }
  const claimed = record;

  // 2. intent, then Kusto (resuming this event's earlier attempt when it left a poller behind).
  const intent = await deps.journal.append({
    ...base,
    action: "revoke",
    phase: "intent",
    reason: `${reasonText(reason)}: ${detail}`,
    before: { status: input.connection.status, binding: input.connection.binding, sourceResourceIds: input.connection.sourceResourceIds },
  });
  let state: KustoOperationState;
  try {
    const wait = { waitInMs: deps.settings.kustoWaitInMs };
    state = claimed.operation?.resumeToken
      ? await deps.kusto.resume(claimed.operation.resumeToken, wait)
      : resumed
        ? await deleteUnlessGone(deps, claimed, wait.waitInMs)
        : await deps.kusto.delete(claimed.key, wait);
  } catch (error) {
    await deps.journal.append({ ...base, action: "revoke", phase: "failed", intentId: intent.id, error: errorOf(error) });
    throw error;
  }
  if (!state.done) {
    // Kusto outlived the wait: keep the poller; failing the event makes Event Grid redeliver it, which resumes.
    const operation = { ...(claimed.operation ?? { id: "", kind: "delete" as const, startedAt: ctx.now() }), intentId: intent.id, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) };
    await deps.registry.save({ ...claimed, operation });
    throw new Error(`Kusto is still deleting ${claimed.id}; the redelivery resumes it.`);
  }

  // 3. record, journal, notify, count.
  const ended = applyOperationEnd({ ...claimed, operation: { ...(claimed.operation ?? { id: "", kind: "delete", startedAt: ctx.now() }), intentId: intent.id } }, state, ctx.now());
  const saved = await deps.registry.save(ended);
  await deps.journal.append({
    ...base,
    action: "revoke",
    phase: state.succeeded ? "completed" : "failed",
    intentId: intent.id,
    after: { status: saved.status, reason },
    ...(saved.operation?.error ? { error: saved.operation.error } : {}),
  });
  if (!state.succeeded) throw new Error(`Kusto's delete of ${claimed.id} failed: ${saved.operation?.error?.message ?? "unknown"}`);
  await notifyRevoked(deps, ctx, input.connection, reason, detail, true);
  deps.metrics.connectionDeleted({ kind: input.connection.kind, reason });
  return "deleted";
}

/**
 * A redelivery of an event whose earlier attempt claimed the connection but left no poller (it died after ARM
 * accepted the DELETE, or before the tombstone was written): look before deleting, so ARM gets one DELETE.
 * Gone: done. Still being deleted: follow it by GETs within the wait. Otherwise: delete.
 */
async function deleteUnlessGone(deps: RevocationDeps, claimed: ManagedConnection, waitInMs: number): Promise<KustoOperationState> {
  const deadline = Date.now() + waitInMs;
  for (;;) {
    const current = await deps.kusto.get(claimed.key);
    if (!current) return { done: true, succeeded: true };
    if (current.provisioningState?.toLowerCase() !== "deleting") return deps.kusto.delete(claimed.key, { waitInMs: Math.max(0, deadline - Date.now()) });
    if (Date.now() >= deadline) return { done: false };
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(50, waitInMs / 20))));
  }
}

/** adx.connection.revoked: who deleted what (from the event's claims), and whether the connection was removed. */
async function notifyRevoked(deps: RevocationDeps, ctx: EventContext, connection: ManagedConnection, reason: RevocationReason, detail: string, enforced: boolean): Promise<void> {
  const data = {
    connectionId: connection.id,
    kind: connection.kind,
    authMode: connection.authMode,
    principal: connection.binding.principal,
    sourceResourceIds: connection.sourceResourceIds,
    reason,
    detail,
    enforced,
    deletedResourceId: ctx.event.data?.resourceUri ?? ctx.event.subject,
    operationName: ctx.event.data?.operationName,
    deletedBy: ctx.deletedBy,
    eventId: ctx.event.id,
    correlationId: ctx.correlationId,
  };
  let result: { delivered: boolean; error?: string };
  try {
    result = await deps.notifier.publish({ id: ctx.newId(), type: "adx.connection.revoked", subject: connection.id, time: ctx.now(), data });
  } catch (error) {
    result = { delivered: false, error: error instanceof Error ? error.message : String(error) }; // the port promises not to throw
  }
  if (result.delivered || result.error === "NotConfigured") return;
  ctx.logger.warn("revocation notification not delivered", { connectionId: connection.id, correlationId: ctx.correlationId, error: result.error });
  await deps.journal
    .append({
      connectionId: connection.id,
      action: "notify",
      phase: "failed",
      actor: { system: "notifier" },
      correlationId: ctx.correlationId,
      reason: "adx.connection.revoked not delivered; kept for retry",
      error: { code: "NotificationNotDelivered", message: result.error ?? "unknown" },
    })
    .catch(() => undefined);
}

function reasonText(reason: RevocationReason): string {
  return reason === "revoked" ? "access revoked" : "source deleted";
}

export function errorOf(error: unknown): { code: string; message: string } {
  return isAppError(error) ? { code: error.code, message: error.message } : { code: "Unexpected", message: error instanceof Error ? error.message : String(error) };
}

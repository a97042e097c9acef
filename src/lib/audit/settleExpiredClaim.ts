// Enforce mode: a claim whose lease ran out belongs to an operation that died after claiming the record — a
// remediation or request whose registry write failed after ARM had answered, a host that crashed. Its record
// stays Provisioning/Deleting, which the audit leaves to the operation that owns it, so without this no run
// would judge the connection again, and its journal intent would stay open. A shard ends such a claim from
// Kusto's view, as the API's poll ends one: when Kusto shows the claimed change done (the connection gone for a
// delete; present with the claimed spec and no longer in flight for a create or update), the record gets the
// outcome and the intent its end. Anything else stays claimed: the next PUT or DELETE takes it over.
import { isExpiredClaim } from "../connections/claim";
import type { ManagedConnection } from "../connections/model";
import type { ConnectionEventType, KustoDataConnection, KustoOperationState } from "../connections/ports";
import { applyOperationEnd, statusFromKusto } from "../connections/refreshOperation";
import { kustoMatchesSpec } from "../connections/sameSpec";
import { randomUUID } from "node:crypto";
import { isAppError } from "../errors";
import type { AuditDeps } from "./deps";
import { retryThrottled } from "./retryThrottled";

/** The claimed operation's end as Kusto shows it; undefined while Kusto does not show it done. */
export function claimEndFromKusto(record: ManagedConnection, current: KustoDataConnection | undefined): KustoOperationState | undefined {
  if (record.operation?.kind === "delete") return current ? undefined : { done: true, succeeded: true };
  if (!current || !kustoMatchesSpec(record.spec, current)) return undefined;
  const { status } = statusFromKusto(current);
  if (status === "Provisioning") return undefined;
  return status === "Failed"
    ? { done: true, succeeded: false, error: { code: "KustoOperationFailed", message: "Kusto reports the data connection as Failed." } }
    : { done: true, succeeded: true, result: current };
}

const eventOf: Record<"create" | "update" | "delete", ConnectionEventType> = { create: "adx.connection.created", update: "adx.connection.updated", delete: "adx.connection.deleted" };

/** The record as it stands afterwards: settled, unchanged (not expired, or not done in Kusto), or as another writer left it. */
export async function settleExpiredClaim(deps: AuditDeps, record: ManagedConnection, runId: string): Promise<ManagedConnection> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const op = record.operation;
  if (!op || !isExpiredClaim(record, now)) return record;
  const state = claimEndFromKusto(record, await retryThrottled(() => deps.kusto.get(record.key)));
  if (!state) return record;
  let saved: ManagedConnection;
  try {
    saved = await deps.registry.save(applyOperationEnd(record, state, now));
  } catch (error) {
    // Someone took the claim over or ended it first (ETag): their record stands.
    if (isAppError(error) && (error.kind === "preconditionFailed" || error.kind === "conflict")) return (await deps.registry.get(record.key)) ?? record;
    throw error;
  }
  await deps.journal.append({
    connectionId: record.id,
    action: op.kind,
    phase: state.succeeded ? "completed" : "failed",
    ...(op.intentId ? { intentId: op.intentId } : {}),
    actor: { system: "audit" },
    correlationId: runId,
    reason: `audit ${runId}: operation ${op.id} ended (its claim had expired; Kusto shows the change done)`,
    after: { status: saved.status, provisioningState: saved.provisioningState },
    ...(state.succeeded ? {} : { error: state.error ?? { code: "KustoOperationFailed", message: "Kusto's operation failed." } }),
  });
  if (state.succeeded) {
    try {
      await deps.notifier.publish({
        id: (deps.newId ?? randomUUID)(),
        type: eventOf[op.kind],
        subject: record.id,
        time: now,
        data: { connectionId: record.id, kind: record.kind, authMode: record.authMode, principal: record.binding.principal, reason: `operation ${op.id} ended`, correlationId: runId, actor: "audit" },
      });
    } catch {
      // The port does not throw; a broken adapter must not undo a settled record.
    }
  }
  return saved;
}

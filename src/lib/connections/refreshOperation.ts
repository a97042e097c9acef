// Follows a connection's long-running Kusto operation from its stored poller state (any instance can),
// and when it has ended records the outcome: registry, journal (completing the intent), notification.
import { isAppError } from "../errors";
import type { ConnectionsDeps } from "./deps";
import type { ManagedConnection } from "./model";
import type { ConnectionEventType, KustoDataConnection, KustoOperationState } from "./ports";
import type { Runtime } from "./runtime";
import { notifyChange } from "./notifyChange";
import { isClaim } from "./claim";
import { kustoMatchesSpec } from "./sameSpec";
import { createdAttributes } from "../telemetry/createdAttributes";

const IN_FLIGHT = new Set(["creating", "running", "deleting", "moving"]);

export function isOperationRunning(connection: ManagedConnection): boolean {
  return !!connection.operation && !connection.operation.endedAt && (connection.status === "Provisioning" || connection.status === "Deleting");
}

/** A connection as recorded once Kusto has reported it (status from its provisioningState). */
export function statusFromKusto(result: KustoDataConnection | undefined): Pick<ManagedConnection, "status" | "provisioningState"> {
  const state = result?.provisioningState;
  if (state && IN_FLIGHT.has(state.toLowerCase())) return { status: "Provisioning", provisioningState: state };
  return { status: state?.toLowerCase() === "failed" ? "Failed" : "Succeeded", ...(state ? { provisioningState: state } : {}) };
}

/** Tombstone: the record stays for the audit trail; grants and sources go, so the indexes drop it. */
export function toTombstone(connection: ManagedConnection): ManagedConnection {
  return {
    ...connection,
    status: "Deleted",
    sourceResourceIds: [],
    binding: { ...connection.binding, requirements: connection.binding.requirements.map((r) => ({ ...r, grants: [] })) },
  };
}

/** The record once its operation has ended with `state` (state.done must be true). */
export function applyOperationEnd(connection: ManagedConnection, state: KustoOperationState, endedAt: string): ManagedConnection {
  const op = connection.operation;
  const { resumeToken: _dropped, claimedUntil: _claim, ...rest } = op ?? { id: "", kind: "create" as const, startedAt: endedAt };
  const operation = { ...rest, endedAt, ...(state.succeeded ? {} : { error: state.error ?? { code: "KustoOperationFailed", message: "Kusto's operation failed." } }) };
  if (!state.succeeded) return { ...connection, status: "Failed", operation, updatedAt: endedAt };
  if (op?.kind === "delete") return { ...toTombstone(connection), operation, updatedAt: endedAt };
  return { ...connection, ...statusFromKusto(state.result), operation, updatedAt: endedAt };
}

async function pollState(deps: ConnectionsDeps, connection: ManagedConnection, waitInMs: number): Promise<KustoOperationState> {
  const op = connection.operation;
  if (op?.resumeToken) return deps.kusto.resume(op.resumeToken, { waitInMs });
  if (isClaim(connection)) return pollClaim(deps, connection);
  // No poller state (a connection recovered after a crash): Kusto's own view decides.
  const current = await deps.kusto.get(connection.key);
  if (op?.kind === "delete") return current ? { done: false } : { done: true, succeeded: true };
  if (!current) return { done: true, succeeded: false, error: { code: "ConnectionMissing", message: "Kusto no longer has the data connection." } };
  const { status } = statusFromKusto(current);
  return status === "Provisioning" ? { done: false } : { done: true, succeeded: true, result: current };
}

/**
 * A claim (its request has not recorded ARM's answer yet, or died before it did): only Kusto's own view can end
 * it, and only when it shows the claimed change done: the connection gone (delete), or present with the
 * claimed spec and no longer in flight. Anything else is still running, so a poll never races the claimer
 * into a wrong end (e.g. "missing" before its PUT). A dead claimer's expired claim is taken over by the
 * next PUT or DELETE.
 */
async function pollClaim(deps: ConnectionsDeps, connection: ManagedConnection): Promise<KustoOperationState> {
  const current = await deps.kusto.get(connection.key);
  if (connection.operation?.kind === "delete") return current ? { done: false } : { done: true, succeeded: true };
  if (!current || !kustoMatchesSpec(connection.spec, current)) return { done: false };
  const { status } = statusFromKusto(current);
  if (status === "Provisioning") return { done: false };
  return status === "Failed"
    ? { done: true, succeeded: false, error: { code: "KustoOperationFailed", message: "Kusto reports the data connection as Failed." } }
    : { done: true, succeeded: true, result: current };
}

/**
 * Polls the operation once (or up to `waitInMs`); when it has ended, saves the outcome, completes the journal
 * intent and notifies. Returns the connection as now recorded.
 */
export async function refreshOperation(
  deps: ConnectionsDeps,
  rt: Runtime,
  connection: ManagedConnection,
  options: { waitInMs: number; correlationId: string },
): Promise<ManagedConnection> {
  if (!isOperationRunning(connection)) return connection;
  const op = connection.operation!;
  const state = await pollState(deps, connection, options.waitInMs);
  if (!state.done) return connection;
  const ended = applyOperationEnd(connection, state, rt.now());
  let saved: ManagedConnection;
  try {
    saved = await deps.registry.save(ended);
  } catch (error) {
    // Another instance recorded the end first: its record (and journal entry) stand.
    if (isAppError(error) && error.kind === "preconditionFailed") return (await deps.registry.get(connection.key)) ?? ended;
    throw error;
  }
  await deps.journal.append({
    connectionId: connection.id,
    action: op.kind,
    phase: state.succeeded ? "completed" : "failed",
    ...(op.intentId ? { intentId: op.intentId } : {}),
    actor: { system: "operation" },
    correlationId: options.correlationId,
    reason: `operation ${op.id} ended`,
    after: { status: saved.status, provisioningState: saved.provisioningState },
    ...(saved.operation?.error ? { error: saved.operation.error } : {}),
  });
  if (state.succeeded) {
    const type: ConnectionEventType = op.kind === "delete" ? "adx.connection.deleted" : op.kind === "create" ? "adx.connection.created" : "adx.connection.updated";
    // Counted when the operation ends, as a create or delete that ended within the request is.
    if (op.kind === "create") rt.metrics.connectionCreated(createdAttributes(saved));
    if (op.kind === "delete") rt.metrics.connectionDeleted({ kind: saved.kind, reason: "request" });
    await notifyChange(deps, rt, type, saved, options.correlationId);
  }
  return saved;
}

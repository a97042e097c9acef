// Claims a connection's record before an ARM write (status Provisioning/Deleting, operation with claimedUntil),
// saved with the record's ETag or insert-if-absent, so exactly one request owns each ARM change; the others
// see the claim and follow its operation or get 409 OperationInProgress. Revocation claims the same way.
import { AppError, isAppError } from "../errors";
import type { ConnectionsDeps } from "./deps";
import type { ManagedConnection } from "./model";
import type { Runtime } from "./runtime";

export const defaultClaimLeaseInMs = (kustoWaitInMs: number) => kustoWaitInMs + 120_000;

export function claimLeaseInMs(deps: ConnectionsDeps): number {
  return deps.settings.claimLeaseInMs ?? defaultClaimLeaseInMs(deps.settings.kustoWaitInMs);
}

/** The record is a claim: its operation has not reached ARM's answer yet (no poller state, not ended). */
export function isClaim(connection: ManagedConnection): boolean {
  const op = connection.operation;
  return !!op?.claimedUntil && !op.endedAt && !op.resumeToken;
}

/** A claim whose lease has run out: its request is presumed dead and the record may be taken over. */
export function isExpiredClaim(connection: ManagedConnection, now: string): boolean {
  return isClaim(connection) && Date.parse(connection.operation!.claimedUntil!) <= Date.parse(now);
}

/** Seconds until a live claim expires (for Retry-After), at least 1. */
export function claimRetryAfterInSeconds(connection: ManagedConnection, now: string): number | undefined {
  if (!isClaim(connection)) return undefined;
  return Math.max(1, Math.ceil((Date.parse(connection.operation!.claimedUntil!) - Date.parse(now)) / 1000));
}

export function claimUntil(deps: ConnectionsDeps, rt: Runtime): string {
  return new Date(Date.parse(rt.now()) + claimLeaseInMs(deps)).toISOString();
}

/** Saves `claim` (ETag-guarded, or insert when it has none). Undefined when another request changed the record first. */
export async function trySaveClaim(deps: Pick<ConnectionsDeps, "registry">, claim: ManagedConnection): Promise<ManagedConnection | undefined> {
  try {
    return await deps.registry.save(claim);
  } catch (error) {
    if (isAppError(error) && (error.kind === "conflict" || error.kind === "preconditionFailed")) return undefined;
    throw error;
  }
}

export function operationInProgress(record: ManagedConnection, now: string): AppError {
  const retryAfterInSeconds = claimRetryAfterInSeconds(record, now);
  return new AppError("conflict", "OperationInProgress", `Operation ${record.operation?.id ?? ""} on this connection is still running; retry when it has ended.`, {
    ...(retryAfterInSeconds ? { retryAfterInSeconds: Math.min(retryAfterInSeconds, 30) } : {}),
  });
}

/**
 * Gives a claim back after its ARM write failed (ETag-guarded): the record as it was before, or, for a name
 * that had no record, a tombstone (the connection was never created). A failure here is left to the lease.
 */
export async function releaseClaim(deps: Pick<ConnectionsDeps, "registry">, claimed: ManagedConnection, before: ManagedConnection | undefined, error: { code: string; message: string }, now: string): Promise<void> {
  const restored: ManagedConnection = before
    ? { ...before, ...(claimed.etag ? { etag: claimed.etag } : {}) }
    : {
        ...claimed,
        status: "Deleted",
        sourceResourceIds: [],
        binding: { ...claimed.binding, requirements: claimed.binding.requirements.map((r) => ({ ...r, grants: [] })) },
        operation: { ...withoutClaim(claimed.operation!), endedAt: now, error },
      };
  await deps.registry.save(restored).catch(() => undefined);
}

export function withoutClaim<T extends { claimedUntil?: string }>(operation: T): Omit<T, "claimedUntil"> {
  const { claimedUntil: _dropped, ...rest } = operation;
  return rest;
}

// The revocation use case (DESIGN §4, issue 5): one Resource event → candidates from the registry (no ARM
// call when there are none) → claim the event in the ledger (duplicates and replays are no-ops) → confirm
// live that the assignment / source / cluster is really gone → re-evaluate access → delete, keep or report.
// Any failure releases the claim, counts the attempt in the failed-events store and rethrows, so the host
// answers 500 and Event Grid redelivers; completed steps are not redone (registry status, own claims).
import { AppError } from "../errors";
import { normalizeResourceId, type ManagedConnection } from "../connections/model";
import { toTombstone } from "../connections/refreshOperation";
import { eventContextOf, revocationActor, type EventContext } from "./context";
import type { RevocationDeps } from "./deps";
import { classifyEvent, type OperationEffect } from "./eventFilter";
import { findCandidates } from "./findCandidates";
import type { ResourceEvent } from "./model";
import { reverifyAccess } from "./reverify";
import { errorOf, revokeConnection, type RevokeOutcome } from "./revokeConnection";
import { withCorrelation } from "../telemetry/correlation";

export interface EventOutcome {
  eventId: string;
  /**
   * ignored: not an event revocation acts on. noCandidates: no managed connection concerned (no ARM call).
   * duplicate: processed before. inProgress: another invocation holds it. stale: the assignment or source
   * still exists (forged, stale or re-created): nothing touched. processed: decided per connection.
   */
  status: "ignored" | "noCandidates" | "duplicate" | "inProgress" | "stale" | "processed";
  effect?: OperationEffect;
  deleted: string[];
  kept: string[];
  reported: string[];
}

export interface RevocationHandler {
  handle(event: ResourceEvent): Promise<EventOutcome>;
}

const DEFAULT_LEASE_IN_MS = 120_000;

/**
 * The handler the triggers use. An event another invocation holds is failed (409 EventInProgress), not answered
 * as handled: if that invocation dies, its lease expires and only a redelivery can take the event over.
 */
export function createRevocationHandler(deps: RevocationDeps): RevocationHandler {
  return {
    async handle(event) {
      // The deleter's ARM correlation (as journalled) also tags our ARM calls, so one ID follows the revocation.
      const outcome = await withCorrelation(event.data?.correlationId || event.id, () => handleResourceEvent(deps, event));
      if (outcome.status === "inProgress") throw new AppError("conflict", "EventInProgress", `Event ${event.id} is being handled by another invocation; redeliver it.`);
      return outcome;
    },
  };
}

export async function handleResourceEvent(deps: RevocationDeps, event: ResourceEvent): Promise<EventOutcome> {
  const outcome: EventOutcome = { eventId: event.id, status: "ignored", deleted: [], kept: [], reported: [] };
  const effect = classifyEvent(event);
  const data = event.data;
  if (!effect || !data) return outcome;
  outcome.effect = effect;
  if (data.resourceUri === "") return outcome;
  const started = Date.now();
  const eventTime = Date.parse(event.time);
  if (Number.isFinite(eventTime)) deps.metrics.eventLag(Math.max(0, started - eventTime), { eventType: event.type });

  // Registry only: an event that concerns no managed connection costs no ARM call and no ledger write.
  const candidates = await findCandidates(deps.registry, effect, data.resourceUri);
  if (candidates.keys.length === 0) return { ...outcome, status: "noCandidates" };

  const claim = await deps.ledger.claim(event.id, { leaseInMs: deps.settings.leaseInMs || DEFAULT_LEASE_IN_MS });
  if (claim.status === "processed") return { ...outcome, status: "duplicate" };
  if (claim.status === "leased") return { ...outcome, status: "inProgress" };

  const ctx = eventContextOf(deps, event);
  try {
    const records = (await Promise.all(candidates.keys.map((k) => deps.registry.get(k)))).filter(
      (c): c is ManagedConnection => !!c && c.status !== "Deleted" && candidates.matches(c),
    );
    const result = records.length === 0 ? { ...outcome, status: "processed" as const } : await decide(deps, ctx, effect, records, outcome);
    await deps.ledger.complete(event.id, claim.token, summaryOf(result));
    ctx.logger.info("revocation event processed", { eventId: event.id, correlationId: ctx.correlationId, status: result.status, deleted: result.deleted.length, kept: result.kept.length });
    return result;
  } catch (error) {
    await deps.ledger.release(event.id, claim.token);
    const failure = errorOf(error);
    ctx.logger.error("revocation event failed; Event Grid redelivers it", { eventId: event.id, correlationId: ctx.correlationId, code: failure.code });
    try {
      await deps.failures.recordFailure({ eventId: event.id, eventType: event.type, subject: event.subject, topic: event.topic, lastError: failure });
    } catch (recordError) {
      ctx.logger.error("failed event not recorded", { eventId: event.id, error: errorOf(recordError).code });
    }
    throw error;
  }
}

async function decide(deps: RevocationDeps, ctx: EventContext, effect: OperationEffect, records: ManagedConnection[], outcome: EventOutcome): Promise<EventOutcome> {
  const resourceUri = ctx.event.data?.resourceUri ?? "";
  if (effect === "grant") {
    // 3. Is the assignment really gone? When every candidate holds it as a grant, the live re-evaluation (4.)
    // answers that too: it lists every assignment applying to each principal at its scopes, so an assignment
    // that still exists shows up among the grants found now. Otherwise (candidates found by scope only, which
    // the assignment may not concern) it is read directly, in the tenant of the principals that depend on it.
    const deleted = normalizeResourceId(resourceUri);
    const holdsIt = (r: ManagedConnection) => r.binding.requirements.some((q) => q.grants.some((g) => normalizeResourceId(g.roleAssignmentId) === deleted));
    if (!records.every(holdsIt)) {
      const tenants = [...new Set(records.map((r) => r.binding.principal.tenantId.toLowerCase()))];
      const found = await Promise.all(tenants.map((t) => deps.assignments.getRoleAssignment(t, resourceUri)));
      if (found.some((a) => a !== undefined)) return stale(deps, ctx, records, outcome, staleAssignment(resourceUri));
    }
    // 4. Effective access now, per distinct principal; 5. delete or keep.
    const decisions = await reverifyAccess(deps.verifier, records);
    if (decisions.some((d) => d.requirements.some((q) => q.grants.some((g) => normalizeResourceId(g.roleAssignmentId) === deleted)))) {
      return stale(deps, ctx, records, outcome, staleAssignment(resourceUri));
    }
    const results = await Promise.all(
      decisions.map(async (d) => {
        if (d.lost) {
          const detail = `no longer granted: ${d.missing.map((r) => `${r.permission} on ${r.scope}`).join("; ")}`;
          return { id: d.connection.id, outcome: await revokeConnection(deps, ctx, { connection: d.connection, reason: "revoked", detail }) };
        }
        await keepConnection(deps, ctx, d.connection, d.requirements);
        return { id: d.connection.id, outcome: "kept" as const };
      }),
    );
    return collect(outcome, results);
  }
  const tenantId = effect === "cluster" ? (deps.settings.appTenantId ?? ctx.event.data?.tenantId ?? "") : (records[0] as ManagedConnection).binding.principal.tenantId;
  if (await deps.sources.exists(tenantId, resourceUri)) return stale(deps, ctx, records, outcome, `${resourceUri} still exists (forged or stale event)`);
  if (effect === "cluster") {
    // The cluster or database is gone and its connections with it: only the records are left to settle.
    await Promise.all(records.map((r) => settleRecord(deps, ctx, r)));
    return { ...outcome, status: "processed", deleted: records.map((r) => r.id) };
  }
  const results = await Promise.all(
    records.map(async (r) => ({ id: r.id, outcome: await revokeConnection(deps, ctx, { connection: r, reason: "sourceDeleted", detail: `${resourceUri} was deleted` }) })),
  );
  return collect(outcome, results);
}

/** Access still held through other grants: record the grants found now, so the index follows them. */
async function keepConnection(deps: RevocationDeps, ctx: EventContext, connection: ManagedConnection, requirements: ManagedConnection["binding"]["requirements"]): Promise<void> {
  const binding = { ...connection.binding, requirements, verifiedAt: ctx.now() };
  try {
    await deps.registry.save({ ...connection, binding, updatedBy: ctx.updatedBy, updatedAt: ctx.now() });
  } catch (error) {
    // A concurrent change (another event, a request) wins; the grants are re-read by the next event or audit.
    if (!(error instanceof Error && "code" in error && error.code === "ConcurrentUpdate")) throw error;
  }
  const grants = requirements.flatMap((r) => r.grants.map((g) => g.roleAssignmentId));
  await deps.journal.append({
    connectionId: connection.id,
    action: "keep",
    phase: "completed",
    actor: revocationActor,
    correlationId: ctx.correlationId,
    reason: `${ctx.event.data?.resourceUri ?? ctx.event.subject} deleted; access still held through ${grants.length} grant(s)`,
    after: { grants },
  });
  deps.metrics.connectionKept({ kind: connection.kind });
}

async function stale(deps: RevocationDeps, ctx: EventContext, records: ManagedConnection[], outcome: EventOutcome, reason: string): Promise<EventOutcome> {
  ctx.logger.warn("revocation event not confirmed by live state; nothing touched", { eventId: ctx.event.id, correlationId: ctx.correlationId });
  await Promise.all(
    records.map((r) => deps.journal.append({ connectionId: r.id, action: "keep", phase: "skipped", actor: revocationActor, correlationId: ctx.correlationId, reason })),
  );
  return { ...outcome, status: "stale", kept: records.map((r) => r.id) };
}

/** A deleted cluster or database took its connections along: tombstone the records, journal, notify. */
async function settleRecord(deps: RevocationDeps, ctx: EventContext, record: ManagedConnection): Promise<void> {
  const reason = `${ctx.event.data?.resourceUri ?? ""} was deleted (${ctx.event.data?.operationName ?? ""}); the data connection went with it`;
  try {
    await deps.registry.save({ ...toTombstone(record), updatedBy: ctx.updatedBy, updatedAt: ctx.now() });
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ConcurrentUpdate")) throw error;
    const current = await deps.registry.get(record.key);
    if (current && current.status !== "Deleted") await deps.registry.save({ ...toTombstone(current), updatedBy: ctx.updatedBy, updatedAt: ctx.now() });
  }
  await deps.journal.append({ connectionId: record.id, action: "delete", phase: "completed", actor: revocationActor, correlationId: ctx.correlationId, reason, after: { status: "Deleted" } });
  const result = await deps.notifier
    .publish({ id: ctx.newId(), type: "adx.connection.deleted", subject: record.id, time: ctx.now(), data: { connectionId: record.id, kind: record.kind, reason, deletedBy: ctx.deletedBy, eventId: ctx.event.id, correlationId: ctx.correlationId } })
    .catch((error: unknown) => ({ delivered: false, error: String(error) }));
  if (!result.delivered && result.error !== "NotConfigured") ctx.logger.warn("notification not delivered", { connectionId: record.id, error: result.error });
}

function staleAssignment(resourceUri: string): string {
  return `role assignment ${resourceUri} still exists (forged, stale or re-created event)`;
}

function collect(outcome: EventOutcome, results: { id: string; outcome: RevokeOutcome | "kept" }[]): EventOutcome {
  const of = (...kinds: string[]) => results.filter((r) => kinds.includes(r.outcome)).map((r) => r.id);
  return { ...outcome, status: "processed", deleted: of("deleted", "alreadyDeleted"), kept: of("kept"), reported: of("reported") };
}

function summaryOf(outcome: EventOutcome): string {
  return `${outcome.status}: ${outcome.deleted.length} deleted, ${outcome.kept.length} kept, ${outcome.reported.length} reported`;
}

// Enforce mode: what the audit does about one finding, journalled as every other path (intent before the ARM
// change, outcome after, actor "audit", the run ID as correlation). Deletes only after a live re-check, as
// revocation does; restores and re-applies only while access holds; unmanaged connections are never touched.
import { isAppError } from "../errors";
import type { ManagedConnection } from "../connections/model";
import type { KustoOperationState, SourceAuthorization } from "../connections/ports";
import { toOperationId } from "../connections/operationId";
import { applyOperationEnd } from "../connections/refreshOperation";
import { defaultClaimLeaseInMs, isClaim, isExpiredClaim, releaseClaim, trySaveClaim } from "../connections/claim";
import { randomUUID } from "node:crypto";
import type { AuditDeps } from "./deps";
import type { AccessCheck } from "./findingRules";
import type { AuditFinding, Remediation } from "./model";

export interface RemediateInput {
  runId: string;
  finding: AuditFinding;
  record: ManagedConnection;
  access: AccessCheck | undefined;
}

const actor = { system: "audit" } as const;

function errorOf(error: unknown): { code: string; message: string } {
  return isAppError(error) ? { code: error.code, message: error.message } : { code: "RemediationFailed", message: error instanceof Error ? error.message : String(error) };
}

/** Key mode across tenants reaches the source with the source tenant's auxiliary token, as the create did. */
function authOf(record: ManagedConnection): SourceAuthorization {
  return record.binding.principal.kind === "crossTenantApp" ? { auxiliaryTenantId: record.binding.principal.tenantId } : {};
}

export async function remediate(deps: AuditDeps, input: RemediateInput): Promise<Remediation> {
  const { finding, access } = input;
  switch (finding.type) {
    case "accessRevoked":
    case "sourceMissing":
      return removeConnection(deps, input);
    case "connectionMissing":
    case "specDrift": {
      const action = finding.type === "connectionMissing" ? "restore" : "reapply";
      if (finding.evidence.databaseMissing) return { action, status: "skipped", reason: "the database no longer exists" };
      if (access?.status !== "granted") return { action, status: "skipped", reason: "access does not hold (or could not be read): the desired spec is not re-applied" };
      return putDesiredSpec(deps, input, action);
    }
    case "grantsChanged":
      return refreshBinding(deps, input);
    default:
      return { action: "delete", status: "skipped", reason: `${finding.type} is only reported` };
  }
}

async function removeConnection(deps: AuditDeps, { runId, finding, record }: RemediateInput): Promise<Remediation> {
  if (finding.type === "accessRevoked") {
    // The run's cached view may be minutes old: decide on live state, as revocation does.
    try {
      const live = await deps.liveVerifier.verify(record.binding.principal, record.binding.requirements.map((s) => s.requirement));
      if (live.every((s) => s.granted)) return { action: "delete", status: "skipped", reason: "access holds again (live re-check)" };
    } catch (error) {
      return { action: "delete", status: "skipped", reason: `live re-check failed: ${errorOf(error).code}` };
    }
  }
  const done = await armChange(deps, { runId, finding, record }, "delete", () => deps.kusto.delete(record.key, { waitInMs: deps.settings.kustoWaitInMs }));
  if (done.status !== "done") return { action: "delete", ...done };
  deps.metrics?.connectionDeleted({ kind: record.kind, reason: "audit" });
  await publish(deps, finding.type === "accessRevoked" ? "adx.connection.revoked" : "adx.connection.deleted", record, runId, `audit ${runId}: ${finding.type}`);
  return { action: "delete", ...done };
}

async function putDesiredSpec(deps: AuditDeps, input: RemediateInput, action: "restore" | "reapply"): Promise<Remediation> {
  const { record, runId, finding } = input;
  const done = await armChange(deps, input, action === "restore" ? "create" : "update", () =>
    deps.kusto.createOrUpdate(record.key, record.spec, authOf(record), { waitInMs: deps.settings.kustoWaitInMs }),
  );
  if (done.status !== "done") return { action, ...done };
  await publish(deps, "adx.connection.updated", record, runId, `audit ${runId}: ${finding.type}`);
  return { action, ...done };
}

/**
 * One remediating ARM change, as the API's use cases make theirs: journal intent, claim the record (status
 * Deleting/Provisioning with a lease, ETag-guarded) so a concurrent API request or revocation cannot interleave,
 * the ARM call, the record, the outcome. A record someone else changed or claimed since the shard read it is
 * left alone: the next run sees its new state.
 */
async function armChange(
  deps: AuditDeps,
  { runId, finding, record }: Pick<RemediateInput, "runId" | "finding" | "record">,
  kind: "create" | "update" | "delete",
  arm: () => Promise<KustoOperationState>,
): Promise<Omit<Remediation, "action">> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const reason = `audit ${runId}: ${finding.type}`;
  const journal = (entry: Omit<Parameters<AuditDeps["journal"]["append"]>[0], "connectionId" | "action" | "actor" | "correlationId" | "reason">) =>
    deps.journal.append({ connectionId: record.id, action: "remediate", actor, correlationId: runId, reason, ...entry });
  if (isClaim(record) && !isExpiredClaim(record, now())) return { status: "skipped", reason: "another operation owns the connection" };
  const intent = await journal({ phase: "intent", ...(kind === "delete" ? { before: record.spec } : { after: record.spec }) });
  const operation = { id: toOperationId(record.key, (deps.newId ?? randomUUID)()), kind, startedAt: now(), intentId: intent.id };
  const leaseInMs = defaultClaimLeaseInMs(deps.settings.kustoWaitInMs);
  const claimed = await trySaveClaim(deps, {
    ...record,
    status: kind === "delete" ? "Deleting" : "Provisioning",
    updatedAt: now(),
    operation: { ...operation, claimedUntil: new Date(Date.parse(now()) + leaseInMs).toISOString() },
  });
  if (!claimed) {
    await journal({ phase: "skipped", intentId: intent.id, error: { code: "ChangedDuringAudit", message: "The record changed since the shard read it." } });
    return { status: "skipped", reason: "the connection changed during the audit" };
  }
  let state: KustoOperationState;
  try {
    state = await arm();
  } catch (error) {
    await releaseClaim(deps, claimed, record, errorOf(error), now());
    await journal({ phase: "failed", intentId: intent.id, error: errorOf(error) });
    return { status: "failed", reason: errorOf(error).code };
  }
  const saved = state.done
    ? applyOperationEnd({ ...claimed, operation }, state, now())
    : { ...claimed, operation: { ...operation, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) } };
  await deps.registry.save(saved);
  if (state.done) {
    await journal({
      phase: state.succeeded ? "completed" : "failed",
      intentId: intent.id,
      after: { status: saved.status, provisioningState: saved.provisioningState },
      ...(state.succeeded ? {} : { error: state.error ?? { code: "KustoOperationFailed", message: `Kusto's ${kind} failed.` } }),
    });
  }
  if (state.done && !state.succeeded) return { status: "failed", reason: state.error?.code ?? "KustoOperationFailed" };
  return { status: "done", ...(state.done ? {} : { reason: `Kusto's ${kind} is still running` }) };
}

async function refreshBinding(deps: AuditDeps, { runId, record, access }: RemediateInput): Promise<Remediation> {
  if (access?.status !== "granted") return { action: "refreshBinding", status: "skipped", reason: "access does not hold" };
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const reason = `audit ${runId}: grantsChanged`;
  const binding = { ...record.binding, requirements: access.statuses, verifiedAt: now };
  try {
    // The registry re-indexes the grants on save: revocation then finds the connection by its new grants.
    await deps.registry.save({ ...record, binding, updatedAt: now });
  } catch (error) {
    return { action: "refreshBinding", status: "failed", reason: errorOf(error).code };
  }
  await deps.journal.append({ connectionId: record.id, action: "remediate", phase: "completed", actor, correlationId: runId, reason, before: record.binding, after: binding });
  return { action: "refreshBinding", status: "done" };
}

async function publish(deps: AuditDeps, type: "adx.connection.revoked" | "adx.connection.deleted" | "adx.connection.updated", record: ManagedConnection, runId: string, reason: string) {
  try {
    await deps.notifier.publish({
      id: (deps.newId ?? randomUUID)(),
      type,
      subject: record.id,
      time: (deps.now ?? (() => new Date()))().toISOString(),
      data: { connectionId: record.id, kind: record.kind, authMode: record.authMode, principal: record.binding.principal, reason, correlationId: runId, actor: "audit" },
    });
  } catch {
    // The port does not throw; a broken adapter still must not fail a remediation that happened.
  }
}

// Enforce mode: what the audit does about one finding, journalled as every other path (intent before the ARM
// change, outcome after, actor "audit", the run ID as correlation). Deletes only after a live re-check, as
// revocation does; restores and re-applies only while access holds; unmanaged connections are never touched.
import { isAppError } from "../errors";
import type { ManagedConnection } from "../connections/model";
import type { KustoOperationState, SourceAuthorization } from "../connections/ports";
import { toOperationId } from "../connections/operationId";
import { applyOperationEnd } from "../connections/refreshOperation";
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
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  if (finding.type === "accessRevoked") {
    // The run's cached view may be minutes old: decide on live state, as revocation does.
    try {
      const live = await deps.liveVerifier.verify(record.binding.principal, record.binding.requirements.map((s) => s.requirement));
      if (live.every((s) => s.granted)) return { action: "delete", status: "skipped", reason: "access holds again (live re-check)" };
    } catch (error) {
      return { action: "delete", status: "skipped", reason: `live re-check failed: ${errorOf(error).code}` };
    }
  }
  const reason = `audit ${runId}: ${finding.type}`;
  const intent = await deps.journal.append({ connectionId: record.id, action: "remediate", phase: "intent", actor, correlationId: runId, reason, before: record.spec });
  let state: KustoOperationState;
  try {
    state = await deps.kusto.delete(record.key, { waitInMs: deps.settings.kustoWaitInMs });
  } catch (error) {
    await deps.journal.append({ connectionId: record.id, action: "remediate", phase: "failed", intentId: intent.id, actor, correlationId: runId, reason, error: errorOf(error) });
    return { action: "delete", status: "failed", reason: errorOf(error).code };
  }
  const operation = { id: toOperationId(record.key, (deps.newId ?? randomUUID)()), kind: "delete" as const, startedAt: now(), intentId: intent.id };
  const saved = state.done
    ? applyOperationEnd({ ...record, operation }, state, now())
    : { ...record, status: "Deleting" as const, updatedAt: now(), operation: { ...operation, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) } };
  await deps.registry.save(saved);
  if (state.done) {
    await deps.journal.append({
      connectionId: record.id,
      action: "remediate",
      phase: state.succeeded ? "completed" : "failed",
      intentId: intent.id,
      actor,
      correlationId: runId,
      reason,
      after: { status: saved.status },
      ...(state.succeeded ? {} : { error: state.error ?? { code: "KustoOperationFailed", message: "Kusto's delete failed." } }),
    });
  }
  if (state.done && !state.succeeded) return { action: "delete", status: "failed", reason: state.error?.code ?? "KustoOperationFailed" };
  deps.metrics?.connectionDeleted({ kind: record.kind, reason: "audit" });
  await publish(deps, finding.type === "accessRevoked" ? "adx.connection.revoked" : "adx.connection.deleted", record, runId, reason);
  return { action: "delete", status: "done", ...(state.done ? {} : { reason: "Kusto's delete is still running" }) };
}

async function putDesiredSpec(deps: AuditDeps, { runId, finding, record }: RemediateInput, action: "restore" | "reapply"): Promise<Remediation> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const reason = `audit ${runId}: ${finding.type}`;
  const intent = await deps.journal.append({ connectionId: record.id, action: "remediate", phase: "intent", actor, correlationId: runId, reason, after: record.spec });
  let state: KustoOperationState;
  try {
    state = await deps.kusto.createOrUpdate(record.key, record.spec, authOf(record), { waitInMs: deps.settings.kustoWaitInMs });
  } catch (error) {
    await deps.journal.append({ connectionId: record.id, action: "remediate", phase: "failed", intentId: intent.id, actor, correlationId: runId, reason, error: errorOf(error) });
    return { action, status: "failed", reason: errorOf(error).code };
  }
  const operation = { id: toOperationId(record.key, (deps.newId ?? randomUUID)()), kind: action === "restore" ? ("create" as const) : ("update" as const), startedAt: now(), intentId: intent.id };
  const saved = state.done
    ? applyOperationEnd({ ...record, operation }, state, now())
    : { ...record, status: "Provisioning" as const, updatedAt: now(), operation: { ...operation, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) } };
  await deps.registry.save(saved);
  if (state.done) {
    await deps.journal.append({
      connectionId: record.id,
      action: "remediate",
      phase: state.succeeded ? "completed" : "failed",
      intentId: intent.id,
      actor,
      correlationId: runId,
      reason,
      after: { status: saved.status, provisioningState: saved.provisioningState },
      ...(state.succeeded ? {} : { error: state.error ?? { code: "KustoOperationFailed", message: "Kusto's write failed." } }),
    });
  }
  if (state.done && !state.succeeded) return { action, status: "failed", reason: state.error?.code ?? "KustoOperationFailed" };
  await publish(deps, "adx.connection.updated", saved, runId, reason);
  return { action, status: "done", ...(state.done ? {} : { reason: "Kusto's write is still running" }) };
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

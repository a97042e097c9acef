// PUT: create or update a data connection. Order: access intent and policy (pure) → registry → binding →
// access verification → name (new only) → Kusto's validation → journal intent → claim the record (ETag or
// insert-if-absent; one request per change) → Kusto PUT (bounded wait) → record → journal completion →
// notification. The same PUT twice is one connection and no ARM write; a PUT meeting an identical one's
// claim follows its operation (202).
import { AppError, fail, isAppError, ok, type Result } from "../errors";
import { attempt, checkName, nameTaken, resolveBinding, ungrantedRequirements, validateWithKusto, verifyRequirements } from "./connectionChecks";
import { authorizeCaller, toCallerRef } from "./authorizeCaller";
import type { ConnectionsDeps } from "./deps";
import { normalizeResourceId, sourceResourceIdsOf, toClusterId, toConnectionId, type JournalEntry, type ManagedConnection } from "./model";
import { notifyChange } from "./notifyChange";
import { toOperationId } from "./operationId";
import type { KustoOperationState } from "./ports";
import { applyOperationEnd, isOperationRunning, refreshOperation, statusFromKusto } from "./refreshOperation";
import { resolveAccessIntent, type AccessIntent, type ResolvedBinding } from "./resolveBinding";
import { runtimeOf, type Runtime } from "./runtime";
import { kustoMatchesSpec, sameSpec } from "./sameSpec";
import { claimUntil, isExpiredClaim, operationInProgress, releaseClaim, trySaveClaim } from "./claim";
import { saveOwn } from "./saveOwn";
import type { UpsertInput, UpsertOutcome } from "./service";
import { createdAttributes } from "../telemetry/createdAttributes";

/** Same mode, identity and source tenant as the record: the part of `access` a record keeps. */
function sameAccess(record: ManagedConnection, intent: AccessIntent): boolean {
  if (record.authMode !== intent.mode) return false;
  const principal = record.binding.principal;
  if (intent.mode === "managedIdentity") {
    return !!principal.resourceId && normalizeResourceId(principal.resourceId) === normalizeResourceId(intent.managedIdentityResourceId ?? "");
  }
  return (intent.sourceTenantId ?? "").toLowerCase() === principal.tenantId.toLowerCase();
}

function accepted(connection: ManagedConnection): UpsertOutcome {
  return { status: "accepted", connection, operationId: connection.operation?.id ?? "" };
}

/**
 * The record already says what the caller asks for. Reads kept: Kusto's GET (one ARM read) so a connection
 * deleted or failed behind the app's back is re-created rather than reported unchanged; a running
 * operation is polled once. Undefined: go through the full path.
 */
async function unchanged(deps: ConnectionsDeps, rt: Runtime, record: ManagedConnection, correlationId: string): Promise<Result<UpsertOutcome> | undefined> {
  if (record.status === "Deleting") {
    return fail(new AppError("conflict", "OperationInProgress", `The connection is being deleted (operation ${record.operation?.id ?? "unknown"}); retry when it has ended.`));
  }
  if (isOperationRunning(record)) {
    const now = await refreshOperation(deps, rt, record, { waitInMs: 0, correlationId });
    // A live claim or operation of the same change: follow it. An expired claim: take it over (full path).
    if (isOperationRunning(now)) return isExpiredClaim(now, rt.now()) ? undefined : ok(accepted(now));
    return now.status === "Succeeded" ? ok({ status: "unchanged", connection: now }) : undefined;
  }
  if (record.status !== "Succeeded") return undefined;
  const current = await deps.kusto.get(record.key);
  if (!current || statusFromKusto(current).status === "Failed") return undefined;
  return ok({ status: "unchanged", connection: record });
}

/** An intent with no completed/failed entry: a request that crashed between Kusto's PUT and the record. */
async function pendingIntent(deps: ConnectionsDeps, connectionId: string): Promise<JournalEntry | undefined> {
  const page = await deps.journal.list(connectionId, { pageSize: 50 });
  const ended = new Set(page.items.filter((e) => e.phase !== "intent" && e.intentId).map((e) => e.intentId));
  return page.items.find((e) => e.phase === "intent" && (e.action === "create" || e.action === "update") && !ended.has(e.id));
}

export async function upsertConnection(deps: ConnectionsDeps, input: UpsertInput): Promise<Result<UpsertOutcome>> {
  const rt = runtimeOf(deps);
  return attempt(() => upsert(deps, rt, input, 0));
}

/** `round`: how many times another request's claim made this one decide again (bounded). */
async function upsert(deps: ConnectionsDeps, rt: Runtime, input: UpsertInput, round: number): Promise<Result<UpsertOutcome>> {
  const { caller, key, access, correlationId } = input;
  const intentResult = resolveAccessIntent(input.spec, access, deps.settings);
  if (!intentResult.ok) return intentResult;
  const intent = intentResult.value;
  const spec = intent.spec;
  const connectionId = toConnectionId(key);
  const authorized = authorizeCaller(deps, caller, {
    action: "write",
    clusterId: toClusterId(key),
    database: key.database,
    sourceResourceIds: sourceResourceIdsOf(spec),
    ...(intent.crossTenant && intent.sourceTenantId ? { sourceTenantId: intent.sourceTenantId } : {}),
  });
  if (!authorized.ok) return authorized;

  const stored = await deps.registry.get(key);
  const present = stored && stored.status !== "Deleted" ? stored : undefined;
  // A create whose claimer died before recording anything is, for its taker, still a create.
  const abandonedCreate = !!present && isExpiredClaim(present, rt.now()) && present.operation?.kind === "create";
  const live = abandonedCreate ? undefined : present;
  if (live && live.kind !== spec.kind) {
    const message = `The connection is a ${live.kind} connection; its kind cannot change to ${spec.kind}. Delete it first.`;
    return fail(new AppError("validation", "KindChangeNotAllowed", message, { problems: [{ code: "KindChangeNotAllowed", message, path: "/kind" }] }));
  }
  if (live && sameSpec(live.spec, spec) && sameAccess(live, intent)) {
    const outcome = await unchanged(deps, rt, live, correlationId);
    if (outcome) return outcome;
  }
  if (present && sameSpec(present.spec, spec) && abandonedCreate) {
    const outcome = await unchanged(deps, rt, present, correlationId);
    if (outcome) return outcome;
  }
  if (present && isOperationRunning(present) && !isExpiredClaim(present, rt.now())) return fail(operationInProgress(present, rt.now()));

  const binding = await resolveBinding(deps, key, intent);
  if (!binding.ok) return binding;
  const statuses = await verifyRequirements(deps, binding.value, spec, access);
  if (!statuses.ok) return statuses;
  const notGranted = ungrantedRequirements(binding.value.principal, statuses.value);
  if (notGranted) return fail(notGranted);

  const actor = toCallerRef(caller);
  const base: ManagedConnection = {
    id: connectionId,
    key,
    kind: spec.kind,
    authMode: intent.mode,
    spec,
    binding: { principal: binding.value.principal, requirements: statuses.value, verifiedAt: rt.now() },
    sourceResourceIds: sourceResourceIdsOf(spec),
    status: "Provisioning",
    createdBy: live?.createdBy ?? actor,
    createdAt: live?.createdAt ?? rt.now(),
    updatedBy: actor,
    updatedAt: rt.now(),
    ...(stored?.etag ? { etag: stored.etag } : {}),
  };

  if (!live) {
    const name = await checkName(deps, key);
    if (!name.ok) return name;
    if (name.value.alreadyExists) return recoverOrRefuse(deps, rt, base, correlationId, abandonedCreate ? present : undefined);
  }
  const validation = await validateWithKusto(deps, key, spec, binding.value.auth);
  if (!validation.ok) return validation;
  return write(deps, rt, { base, before: live, binding: binding.value, correlationId, retry: () => upsert(deps, rt, input, round + 1), round, released: stored });
}

/**
 * The name is taken in Kusto but the registry has no live record: if the journal holds an intent that never
 * completed (or an abandoned claim of this app names one) and Kusto's connection is the one asked for, a
 * previous attempt died after the PUT: record it.
 */
async function recoverOrRefuse(deps: ConnectionsDeps, rt: Runtime, base: ManagedConnection, correlationId: string, abandoned?: ManagedConnection): Promise<Result<UpsertOutcome>> {
  const claimed = abandoned?.operation?.intentId ? { id: abandoned.operation.intentId, at: abandoned.operation.startedAt } : undefined;
  const intent = claimed ?? (await pendingIntent(deps, base.id));
  const current = intent ? await deps.kusto.get(base.key) : undefined;
  if (!intent || !current || !kustoMatchesSpec(base.spec, current)) return fail(nameTaken(base.key));
  const { status, provisioningState } = statusFromKusto(current);
  const recovered: ManagedConnection = {
    ...base,
    status,
    ...(provisioningState ? { provisioningState } : {}),
    ...(status === "Provisioning" ? { operation: { id: toOperationId(base.key, rt.newId()), kind: "create" as const, startedAt: intent.at, intentId: intent.id } } : {}),
  };
  const saved = await save(deps, recovered);
  if (!saved.ok) return saved;
  await deps.journal.append({
    connectionId: base.id,
    action: "create",
    phase: "completed",
    intentId: intent.id,
    actor: base.updatedBy,
    correlationId,
    reason: "recovered: Kusto has the connection an earlier attempt created",
    after: { status },
  });
  if (status === "Provisioning") return ok(accepted(saved.value));
  rt.metrics.connectionCreated(createdAttributes(saved.value));
  await notifyChange(deps, rt, "adx.connection.created", saved.value, correlationId);
  return ok({ status: "created", connection: saved.value });
}

/** Saves a record written without a claim (recovery): another request's change first makes this one 409. */
async function save(deps: ConnectionsDeps, connection: ManagedConnection): Promise<Result<ManagedConnection>> {
  try {
    return ok(await deps.registry.save(connection));
  } catch (error) {
    if (!isAppError(error) || (error.kind !== "conflict" && error.kind !== "preconditionFailed")) throw error;
    return fail(new AppError("conflict", "ConcurrentUpdate", "Another request changed this connection at the same time; read it and retry.", { cause: error }));
  }
}

interface WriteInput {
  base: ManagedConnection;
  before: ManagedConnection | undefined;
  binding: ResolvedBinding;
  correlationId: string;
  /** Decides again from the registry's current record (after losing the claim to another request). */
  retry: () => Promise<Result<UpsertOutcome>>;
  round: number;
  /** The record as read (a tombstone included): what a failed ARM write gives the claim back to. */
  released: ManagedConnection | undefined;
}

async function write(deps: ConnectionsDeps, rt: Runtime, { base, before, binding, correlationId, retry, round, released }: WriteInput): Promise<Result<UpsertOutcome>> {
  const action = before ? "update" : "create";
  const intent = await deps.journal.append({
    connectionId: base.id,
    action,
    phase: "intent",
    actor: base.updatedBy,
    correlationId,
    ...(before ? { before: before.spec } : {}),
    after: base.spec,
  });
  // Claim (ETag, or insert-if-absent for a new name) before the ARM write: exactly one request owns it.
  const operation = { id: toOperationId(base.key, rt.newId()), kind: action, startedAt: rt.now(), intentId: intent.id } as const;
  const claim = await trySaveClaim(deps, { ...base, status: "Provisioning", operation: { ...operation, claimedUntil: claimUntil(deps, rt) } });
  if (!claim) {
    await deps.journal.append({ connectionId: base.id, action, phase: "skipped", intentId: intent.id, actor: base.updatedBy, correlationId, reason: "another request claimed the connection first" });
    if (round < 2) return retry();
    return fail(new AppError("conflict", "ConcurrentUpdate", "The connection keeps changing concurrently; read it and retry."));
  }
  let state: KustoOperationState;
  try {
    state = await deps.kusto.createOrUpdate(base.key, base.spec, binding.auth, { waitInMs: deps.settings.kustoWaitInMs });
  } catch (error) {
    const appError = isAppError(error) ? error : undefined;
    const failure = { code: appError?.code ?? "KustoWriteFailed", message: appError?.message ?? String(error) };
    await deps.journal.append({ connectionId: base.id, action, phase: "failed", intentId: intent.id, actor: base.updatedBy, correlationId, error: failure });
    await releaseClaim(deps, claim, before ?? (released?.status === "Deleted" ? released : undefined), failure, rt.now());
    throw error;
  }
  const withEtag = claim.etag ? { etag: claim.etag } : {};
  const record: ManagedConnection = state.done
    ? applyOperationEnd({ ...base, ...withEtag, operation }, state, rt.now())
    : { ...base, ...withEtag, status: "Provisioning", operation: { ...operation, ...(state.resumeToken ? { resumeToken: state.resumeToken } : {}) } };

  const saved = await saveOwn(deps, record);
  if (!saved.ok) {
    await deps.journal.append({ connectionId: base.id, action, phase: "failed", intentId: intent.id, actor: base.updatedBy, correlationId, reason: "the claim was taken over", error: { code: saved.error.code, message: saved.error.message } });
    return saved;
  }
  const connection = saved.value;
  if (saved.byFollower) {
    // A poll of this operation recorded its end (and journalled and notified it) first: answer as it recorded.
    await deps.journal.append({ connectionId: base.id, action, phase: connection.status === "Failed" ? "failed" : "completed", intentId: intent.id, actor: base.updatedBy, correlationId, reason: "the operation's end was recorded by a poll", after: { status: connection.status } });
    if (connection.status === "Failed") return fail(new AppError("upstream", "KustoOperationFailed", `Kusto's ${action} failed: ${connection.operation?.error?.message ?? "unknown error"}`));
    return ok({ status: action === "create" ? "created" : "updated", connection });
  }
  if (!state.done) return ok(accepted(connection));
  await deps.journal.append({
    connectionId: base.id,
    action,
    phase: connection.status === "Failed" ? "failed" : "completed",
    intentId: intent.id,
    actor: base.updatedBy,
    correlationId,
    after: { status: connection.status, provisioningState: connection.provisioningState },
    ...(connection.operation?.error ? { error: connection.operation.error } : {}),
  });
  if (connection.status === "Failed") {
    const error = connection.operation?.error ?? { code: "KustoOperationFailed", message: "Kusto reports the data connection as Failed." };
    return fail(new AppError("upstream", "KustoOperationFailed", `Kusto's ${action} failed: ${error.message}`));
  }
  if (action === "create") rt.metrics.connectionCreated(createdAttributes(connection));
  await notifyChange(deps, rt, action === "create" ? "adx.connection.created" : "adx.connection.updated", connection, correlationId);
  return ok({ status: action === "create" ? "created" : "updated", connection });
}

// Adopt: bring a data connection that exists in Kusto but not in the registry under management, with a binding
// verified exactly as a create verifies it (access intent, policy, binding principal, live requirements). No
// PUT to Kusto: the connection already is what it is, and re-writing it would need (and, for key mode, refresh)
// keys the app has no reason to touch; the desired spec recorded is Kusto's current one. Journalled "adopt".
import { authorizeCaller, toCallerRef } from "../connections/authorizeCaller";
import { attempt, resolveBinding, ungrantedRequirements, verifyRequirements } from "../connections/connectionChecks";
import type { ConnectionsDeps } from "../connections/deps";
import { connectionKinds, sourceResourceIdsOf, toClusterId, toConnectionId, type AccessRequest, type ConnectionKey, type ConnectionKind, type DataConnectionSpec, type ManagedConnection } from "../connections/model";
import { notifyChange } from "../connections/notifyChange";
import type { KustoDataConnection } from "../connections/ports";
import { statusFromKusto } from "../connections/refreshOperation";
import { resolveAccessIntent } from "../connections/resolveBinding";
import { runtimeOf } from "../connections/runtime";
import { readOnlyProperties } from "../connections/schema/connectionSchemas";
import type { Caller } from "../auth/caller";
import { AppError, fail, ok, type Result } from "../errors";

export interface AdoptInput {
  caller: Caller;
  key: ConnectionKey;
  access: AccessRequest;
  correlationId: string;
}

/** The desired spec of an adopted connection: Kusto's own, without the properties Kusto reports but never accepts. */
export function specFromKusto(current: KustoDataConnection): DataConnectionSpec | undefined {
  const kind = connectionKinds.find((k) => k.toLowerCase() === current.kind.toLowerCase());
  if (!kind) return undefined;
  const properties = Object.fromEntries(Object.entries(current.properties).filter(([k, v]) => v !== undefined && v !== null && !(readOnlyProperties as readonly string[]).includes(k)));
  return { kind: kind as ConnectionKind, ...(current.location ? { location: current.location } : {}), properties };
}

export async function adoptConnection(deps: ConnectionsDeps, input: AdoptInput): Promise<Result<ManagedConnection>> {
  const rt = runtimeOf(deps);
  return attempt(async () => {
    const { caller, key, access, correlationId } = input;
    const allowedToWrite = authorizeCaller(deps, caller, { action: "write", clusterId: toClusterId(key), database: key.database });
    if (!allowedToWrite.ok) return allowedToWrite;
    const stored = await deps.registry.get(key);
    if (stored && stored.status !== "Deleted") {
      return fail(new AppError("conflict", "AlreadyManaged", `The connection ${stored.id} is already managed by this app.`));
    }
    const current = await deps.kusto.get(key);
    if (!current) return fail(new AppError("notFound", "ConnectionNotInKusto", `Kusto has no data connection ${toConnectionId(key)} to adopt.`));
    const spec = specFromKusto(current);
    if (!spec) return fail(new AppError("validation", "UnsupportedKind", `A ${current.kind} data connection cannot be managed by this app.`));

    const intent = resolveAccessIntent(spec, access, deps.settings);
    if (!intent.ok) return intent;
    const authorized = authorizeCaller(deps, caller, {
      action: "write",
      clusterId: toClusterId(key),
      database: key.database,
      sourceResourceIds: sourceResourceIdsOf(spec),
      ...(intent.value.crossTenant && intent.value.sourceTenantId ? { sourceTenantId: intent.value.sourceTenantId } : {}),
    });
    if (!authorized.ok) return authorized;
    const binding = await resolveBinding(deps, key, intent.value);
    if (!binding.ok) return binding;
    const statuses = await verifyRequirements(deps, binding.value, spec, access);
    if (!statuses.ok) return statuses;
    const notGranted = ungrantedRequirements(binding.value.principal, statuses.value);
    if (notGranted) return fail(notGranted);

    const actor = toCallerRef(caller);
    const now = rt.now();
    const record: ManagedConnection = {
      id: toConnectionId(key),
      key,
      kind: spec.kind,
      authMode: intent.value.mode,
      spec: intent.value.spec,
      binding: { principal: binding.value.principal, requirements: statuses.value, verifiedAt: now },
      sourceResourceIds: sourceResourceIdsOf(spec),
      ...statusFromKusto(current),
      createdBy: actor,
      createdAt: now,
      updatedBy: actor,
      updatedAt: now,
      ...(stored?.etag ? { etag: stored.etag } : {}),
    };
    const journalIntent = await deps.journal.append({ connectionId: record.id, action: "adopt", phase: "intent", actor, correlationId, after: record.spec, reason: "adopted: Kusto's connection brought under management" });
    const saved = await deps.registry.save(record);
    await deps.journal.append({ connectionId: record.id, action: "adopt", phase: "completed", intentId: journalIntent.id, actor, correlationId, after: { status: saved.status, principal: saved.binding.principal } });
    await notifyChange(deps, rt, "adx.connection.created", saved, correlationId);
    return ok(saved);
  });
}

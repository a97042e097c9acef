// POST .../validate: the dry run. Runs every check of a create or update and reports every problem at once;
// writes nothing (no journal, no registry, no ARM write). A caller the policy refuses gets only the policy's
// problems: the app's identity makes no ARM call for it (no confused deputy, not even for reads). A check that
// could not run (ARM or storage throttled or failing) fails the request (429/502 with Retry-After): reporting
// it as `valid: false` would make a pipeline reject a good connection over a transient fault.
import { AppError, fail, ok, type Problem, type Result } from "../errors";
import { authorizeCaller } from "./authorizeCaller";
import { attempt, checkName, nameTaken, problemsOf, resolveBinding, ungrantedRequirements, validateWithKusto, verifyRequirements } from "./connectionChecks";
import type { ConnectionsDeps } from "./deps";
import { sourceResourceIdsOf, toClusterId, type Binding, type RequirementStatus } from "./model";
import { resolveAccessIntent } from "./resolveBinding";
import { runtimeOf } from "./runtime";
import type { UpsertInput, ValidationReport } from "./service";

export async function validateConnection(deps: ConnectionsDeps, input: UpsertInput): Promise<Result<ValidationReport>> {
  return attempt(() => validate(deps, input));
}

async function validate(deps: ConnectionsDeps, input: UpsertInput): Promise<Result<ValidationReport>> {
  const { caller, key, access } = input;
  if (!caller.roles.includes("Connections.Write")) {
    return fail(new AppError("forbidden", "MissingAppRole", "The caller needs the app role Connections.Write to validate connections."));
  }
  const problems: Problem[] = [];
  const intent = resolveAccessIntent(input.spec, access, deps.settings);
  if (!intent.ok) problems.push(...problemsOf(intent.error));
  const spec = intent.ok ? intent.value.spec : input.spec;
  const policy = authorizeCaller(deps, caller, {
    action: "write",
    clusterId: toClusterId(key),
    database: key.database,
    sourceResourceIds: sourceResourceIdsOf(spec),
    ...(access.sourceTenantId ? { sourceTenantId: access.sourceTenantId } : {}),
  });
  if (!policy.ok) problems.push(...problemsOf(policy.error));
  if (!intent.ok || !policy.ok) return ok({ valid: false, problems });

  const stored = await deps.registry.get(key);
  const live = stored && stored.status !== "Deleted" ? stored : undefined;
  if (live && live.kind !== spec.kind) {
    problems.push({ code: "KindChangeNotAllowed", message: `The connection is a ${live.kind} connection; its kind cannot change.`, path: "/kind" });
  }
  let binding: Binding | undefined;
  let statuses: Result<RequirementStatus[]> | undefined;
  const resolved = await resolveBinding(deps, key, intent.value);
  if (!resolved.ok) problems.push(...problemsOf(resolved.error));
  else {
    statuses = await verifyRequirements(deps, resolved.value, spec, access);
    if (!statuses.ok) problems.push(...problemsOf(statuses.error));
    else {
      binding = { principal: resolved.value.principal, requirements: statuses.value, verifiedAt: runtimeOf(deps).now() };
      const missing = ungrantedRequirements(resolved.value.principal, statuses.value);
      if (missing) problems.push(...problemsOf(missing));
    }
  }
  const [name, kusto] = await Promise.all([
    live ? undefined : checkName(deps, key),
    validateWithKusto(deps, key, spec, resolved.ok ? resolved.value.auth : {}),
  ]);
  const unavailable = [resolved, statuses, name, kusto].find((r): r is { ok: false; error: AppError } => !!r && !r.ok && couldNotCheck(r.error));
  if (unavailable) return unavailable;
  if (name && !name.ok) problems.push(...problemsOf(name.error));
  if (name?.ok && name.value.alreadyExists) problems.push(...problemsOf(nameTaken(key)));
  if (!kusto.ok) problems.push(...problemsOf(kusto.error));
  return ok({ valid: problems.length === 0, problems, ...(binding ? { binding } : {}) });
}

/** Throttled, upstream or internal: the check did not run, so it says nothing about the request. */
function couldNotCheck(error: AppError): boolean {
  return error.kind === "throttled" || error.kind === "upstream" || error.kind === "internal";
}

// The checks a create or update goes through before any write, as small steps returning Results: the
// upsert stops at the first failure, the dry run (validate) runs them all and collects every problem.
import { AppError, fail, isAppError, ok, type Problem, type Result } from "../errors";
import type { ConnectionsDeps } from "./deps";
import type { AccessRequest, ConnectionKey, DataConnectionSpec, PrincipalRef, RequirementStatus } from "./model";
import { resolveBindingPrincipal, type AccessIntent, type ResolvedBinding } from "./resolveBinding";
import type { SourceAuthorization } from "./ports";

const propertyOfSource: Record<string, string> = {
  eventHub: "eventHubResourceId",
  eventHubNamespace: "eventHubResourceId",
  storageAccount: "storageAccountResourceId",
  iotHub: "iotHubResourceId",
  cosmosDbAccount: "cosmosDbAccountResourceId",
};

/** Turns thrown AppErrors into failed Results (anything else is a bug and keeps being thrown). */
export async function attempt<T>(run: () => Promise<Result<T>> | Result<T>): Promise<Result<T>> {
  try {
    return await run();
  } catch (error) {
    if (isAppError(error)) return fail(error);
    throw error;
  }
}

/** The binding principal: MI mode reads the cluster's identities (one ARM read); the other modes read nothing. */
export async function resolveBinding(deps: ConnectionsDeps, key: ConnectionKey, intent: AccessIntent): Promise<Result<ResolvedBinding>> {
  return attempt(async () => {
    const cluster = intent.mode === "managedIdentity" ? await deps.kusto.getCluster(key) : undefined;
    return resolveBindingPrincipal(intent, key, cluster, deps.settings);
  });
}

function describe(principal: PrincipalRef): string {
  return `${principal.kind} ${principal.objectId} (tenant ${principal.tenantId})`;
}

/** What the principal holds now, per requirement. A source the app cannot read at all is a clear problem. */
export async function verifyRequirements(
  deps: ConnectionsDeps,
  binding: ResolvedBinding,
  spec: DataConnectionSpec,
  access: AccessRequest,
): Promise<Result<RequirementStatus[]>> {
  const requirements = await attempt(() => ok(deps.requirementsFor(spec, binding.intent.mode)));
  if (!requirements.ok) return requirements;
  try {
    return ok(await deps.verifier.verify(binding.principal, requirements.value));
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.kind === "throttled" || error.kind === "internal") return fail(error);
    const hint = access.sourceTenantId
      ? "Check that the app can read role assignments in that tenant."
      : "If the source is in another tenant, set access.sourceTenantId.";
    const message = `The app could not read the access of ${describe(binding.principal)} on the source: ${error.message} ${hint}`;
    return fail(
      new AppError("forbidden", "SourceAccessUnreadable", message, {
        problems: [{ code: "SourceAccessUnreadable", message, path: "/access/sourceTenantId" }],
        cause: error,
      }),
    );
  }
}

/**
 * 403 RequirementNotGranted when the binding principal lacks a requirement: the request is well-formed but
 * the principal it would depend on is not authorized on the source (one problem per missing permission,
 * naming requirement, scope and principal, at the path of the spec property that names the source).
 */
export function ungrantedRequirements(principal: PrincipalRef, statuses: RequirementStatus[]): AppError | undefined {
  const missing = statuses.filter((s) => !s.granted);
  if (missing.length === 0) return undefined;
  const problems: Problem[] = missing.map(({ requirement: r }) => ({
    code: "RequirementNotGranted",
    message: `${describe(principal)} does not hold ${r.permissionKind} ${r.permission} on ${r.scope} (${r.source}).`,
    path: `/properties/${propertyOfSource[r.source] ?? "sourceResourceId"}`,
  }));
  return new AppError("forbidden", "RequirementNotGranted", `The binding principal lacks ${missing.length} required permission(s) on the source.`, {
    problems,
  });
}

/** checkNameAvailability: "AlreadyExists" → 409 NameNotAvailable; any other refusal → 400 InvalidConnectionName. */
export async function checkName(deps: ConnectionsDeps, key: ConnectionKey): Promise<Result<{ alreadyExists: boolean }>> {
  return attempt<{ alreadyExists: boolean }>(async () => {
    const result = await deps.kusto.checkNameAvailability(key);
    if (result.nameAvailable) return ok({ alreadyExists: false });
    if ((result.reason ?? "").toLowerCase() === "alreadyexists") return ok({ alreadyExists: true });
    const message = result.message ?? `Kusto does not accept the data connection name '${key.name}'.`;
    return fail(new AppError("validation", "InvalidConnectionName", message, { problems: [{ code: "InvalidConnectionName", message, path: "/name" }] }));
  });
}

export function nameTaken(key: ConnectionKey): AppError {
  const message = `A data connection named '${key.name}' already exists in ${key.cluster}/${key.database} and is not managed by this app.`;
  return new AppError("conflict", "NameNotAvailable", message, { problems: [{ code: "NameNotAvailable", message, path: "/name" }] });
}

/** Kusto's dataConnectionValidation: every message it returns becomes a problem. */
export async function validateWithKusto(
  deps: ConnectionsDeps,
  key: ConnectionKey,
  spec: DataConnectionSpec,
  auth: SourceAuthorization,
): Promise<Result<void>> {
  return attempt(async () => {
    const messages = await deps.kusto.validate(key, spec, auth);
    if (messages.length === 0) return ok(undefined);
    const problems = messages.map((message) => ({ code: "KustoValidationFailed", message, path: "/properties" }));
    return fail(new AppError("validation", "KustoValidationFailed", `Kusto refused the data connection: ${messages.join(" ")}`, { problems }));
  });
}

/** The problems an AppError carries (itself when it has none listed). */
export function problemsOf(error: AppError): Problem[] {
  return error.problems.length > 0 ? error.problems : [{ code: error.code, message: error.message }];
}

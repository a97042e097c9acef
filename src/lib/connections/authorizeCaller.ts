// The app-role check and the access policy, shared by every use case: the same rules whatever the entry point.
import type { Caller, PolicyRequest } from "../auth/caller";
import { AppError, fail, ok, type Result } from "../errors";
import type { CallerRef } from "./model";
import type { ConnectionsDeps } from "./deps";

const roleFor = { read: ["Connections.Read", "Connections.Write"], write: ["Connections.Write"] } as const;

/** Read needs Connections.Read (or Write); write needs Connections.Write; then the policy decides. */
export function authorizeCaller(deps: Pick<ConnectionsDeps, "policy">, caller: Caller, request: PolicyRequest): Result<void> {
  const accepted: readonly string[] = roleFor[request.action];
  if (!caller.roles.some((r) => accepted.includes(r))) {
    return fail(new AppError("forbidden", "MissingAppRole", `The caller needs the app role ${accepted[0]} to ${request.action} connections.`));
  }
  return deps.policy.authorize(caller, request);
}

export function hasReadRole(caller: Caller): Result<void> {
  if (caller.roles.some((r) => (roleFor.read as readonly string[]).includes(r))) return ok(undefined);
  return fail(new AppError("forbidden", "MissingAppRole", "The caller needs the app role Connections.Read to read connections."));
}

/** The journal's actor: the caller without its roles. */
export function toCallerRef(caller: Caller): CallerRef {
  return {
    tenantId: caller.tenantId,
    objectId: caller.objectId,
    ...(caller.appId ? { appId: caller.appId } : {}),
    ...(caller.name ? { name: caller.name } : {}),
  };
}

// The access policy (ACCESS_POLICY): which callers may act on which clusters, databases, source scopes and
// source tenants. Deny by default; one rule must allow the whole request; without a policy, writes are refused.
import * as z from "zod/mini";
import { normalizeResourceId } from "../connections/model";
import { AppError, fail, ok, type Problem, type Result } from "../errors";
import type { AccessPolicy, AppRole, Caller, PolicyRequest } from "./caller";

/** The app role each action needs; a writer may also read. */
export const requiredRoles: Readonly<Record<PolicyRequest["action"], readonly AppRole[]>> = {
  read: ["Connections.Read", "Connections.Write"],
  write: ["Connections.Write"],
};

const nonEmpty = z.string().check(z.minLength(1));
const list = z.array(nonEmpty);
const armScope = z.string().check(z.regex(/^(\*|\/subscriptions\/[^/]+(\/[^/]+)*)$/i, { error: 'must be "*" or an ARM ID or prefix starting with /subscriptions/' }));
const tenant = z.string().check(z.regex(/^(\*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, { error: 'must be "*" or a tenant ID' }));

const ruleSchema = z.strictObject({
  /** Shown in logs and 403s. */
  name: nonEmpty,
  /** A caller matches when any of its app ID, object ID or roles is listed ("*" in appIds/objectIds: anyone authenticated). */
  callers: z.strictObject({ appIds: z.optional(list), objectIds: z.optional(list), roles: z.optional(list) }),
  /** Default: both. */
  actions: z.optional(z.array(z.enum(["read", "write"]))),
  /** Cluster IDs or ARM prefixes (subscription, resource group), or "*". */
  clusters: z.array(armScope).check(z.minLength(1)),
  /** Database names or "*". Default: "*". */
  databases: z.optional(list),
  /** Sources must lie at or under one of these scopes (writes). Default: none. */
  sourceScopes: z.optional(z.array(armScope)),
  /** Tenants a cross-tenant source may be in. Default: none (same-tenant sources only). */
  sourceTenants: z.optional(z.array(tenant)),
});
export const accessPolicySchema = z.strictObject({ rules: z.array(ruleSchema) });

export type AccessPolicyRule = z.infer<typeof accessPolicySchema>["rules"][number];

/** A missing policy parses to one that refuses every write (fail closed) and allows reads by app role. */
export function parseAccessPolicy(json: string | undefined): Result<AccessPolicy> {
  if (json === undefined || json.trim() === "") return ok(createAccessPolicy(undefined));
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail(invalidPolicy([{ code: "MalformedJson", message: "ACCESS_POLICY is not valid JSON", path: "" }]));
  }
  const parsed = accessPolicySchema.safeParse(value);
  if (!parsed.success) {
    return fail(invalidPolicy(parsed.error.issues.map((i) => ({ code: "InvalidPolicy", message: i.message, path: i.path.map((p) => `/${String(p)}`).join("") }))));
  }
  return ok(createAccessPolicy(parsed.data.rules));
}

export function createAccessPolicy(rules: readonly AccessPolicyRule[] | undefined): AccessPolicy {
  return {
    authorize(caller, request) {
      const roles = requiredRoles[request.action];
      if (!roles.some((role) => caller.roles.includes(role))) {
        return fail(forbidden("MissingAppRole", `The ${request.action} needs the app role ${roles.join(" or ")}.`));
      }
      if (rules === undefined) {
        if (request.action === "read") return ok(undefined);
        return fail(forbidden("NoAccessPolicy", "No access policy is configured (ACCESS_POLICY), so no writes are allowed: the app fails closed."));
      }
      const mine = rules.filter((rule) => matchesCaller(rule, caller) && (rule.actions ?? ["read", "write"]).includes(request.action));
      if (mine.length === 0) return fail(forbidden("CallerNotAllowed", `No access policy rule allows this caller to ${request.action}.`));
      // Explain the refusal by the rule that got furthest (the order below is the order of checks).
      let best: { depth: number; error: AppError } | undefined;
      for (const rule of mine) {
        const verdict = evaluate(rule, request);
        if (verdict.ok) return ok(undefined);
        if (!best || verdict.depth > best.depth) best = { depth: verdict.depth, error: verdict.error };
      }
      return fail((best as { error: AppError }).error);
    },
  };
}

type Verdict = { ok: true } | { ok: false; depth: number; error: AppError };

function evaluate(rule: AccessPolicyRule, request: PolicyRequest): Verdict {
  if (!rule.clusters.some((scope) => isAtOrUnder(request.clusterId, scope))) {
    return { ok: false, depth: 1, error: forbidden("ClusterNotAllowed", `Cluster ${request.clusterId} is not allowed for this caller.`) };
  }
  const databases = rule.databases ?? ["*"];
  if (!databases.some((d) => d === "*" || d.toLowerCase() === request.database.toLowerCase())) {
    return { ok: false, depth: 2, error: forbidden("DatabaseNotAllowed", `Database ${request.database} is not allowed for this caller on that cluster.`) };
  }
  const scopes = rule.sourceScopes ?? [];
  const refusedSource = (request.sourceResourceIds ?? []).find((id) => !scopes.some((scope) => isAtOrUnder(id, scope)));
  if (refusedSource !== undefined) {
    return { ok: false, depth: 3, error: forbidden("SourceNotAllowed", `Source ${refusedSource} is outside the scopes this caller may connect.`) };
  }
  if (request.sourceTenantId !== undefined) {
    const tenants = (rule.sourceTenants ?? []).map((t) => t.toLowerCase());
    if (!tenants.includes("*") && !tenants.includes(request.sourceTenantId.toLowerCase())) {
      return { ok: false, depth: 4, error: forbidden("SourceTenantNotAllowed", `Sources in tenant ${request.sourceTenantId} are not allowed for this caller.`) };
    }
  }
  return { ok: true };
}

function matchesCaller(rule: AccessPolicyRule, caller: Caller): boolean {
  const { appIds = [], objectIds = [], roles = [] } = rule.callers;
  const has = (values: string[], value: string | undefined) => value !== undefined && values.some((v) => v === "*" || v.toLowerCase() === value.toLowerCase());
  return has(appIds, caller.appId) || has(objectIds, caller.objectId) || roles.some((role) => caller.roles.includes(role));
}

/** ARM scope containment on whole segments, case-insensitive: /subscriptions/a contains /subscriptions/a/x, not /subscriptions/ab. */
export function isAtOrUnder(resourceId: string, scope: string): boolean {
  if (scope === "*") return true;
  const id = normalizeResourceId(resourceId);
  const prefix = normalizeResourceId(scope);
  return id === prefix || id.startsWith(`${prefix}/`);
}

function forbidden(code: string, message: string): AppError {
  return new AppError("forbidden", code, message);
}

function invalidPolicy(problems: Problem[]): AppError {
  return new AppError("internal", "InvalidAccessPolicy", "ACCESS_POLICY is invalid: the app refuses every request until it is fixed.", { problems });
}

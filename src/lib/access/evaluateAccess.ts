// The effective-access evaluator (pure): does a principal hold a permission at a scope, and through which role
// assignments? Azure RBAC's rules (AZURE-FACTS §6), with the choices the docs leave open written down below.
import type { Grant, PermissionKind, Requirement, RequirementStatus } from "../connections/model";
import type { RoleAssignmentInfo, RoleDefinitionInfo, RolePermission } from "./ports";

/** Looks a role definition up by any form of its ID (the evaluator compares by the trailing GUID). */
export type RoleDefinitionLookup = (roleDefinitionId: string) => RoleDefinitionInfo | undefined;

const patternCache = new Map<string, RegExp>();

/**
 * ARM wildcard match: case-insensitive, and `*` matches any run of characters including `/`, so
 * `Microsoft.EventHub/*\/receive/action` covers `Microsoft.EventHub/namespaces/messages/receive/action`.
 */
export function permissionMatches(pattern: string, permission: string): boolean {
  const key = pattern.toLowerCase();
  let regex = patternCache.get(key);
  if (!regex) {
    const body = key
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${body}$`, "is");
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(key, regex);
  }
  return regex.test(permission);
}

/**
 * One permission block grants when an allow pattern of the right plane matches and no exclusion *in the same
 * block* does. Actions never grant data actions (an Owner's `*` cannot read blobs), and notActions are not a
 * deny: another block or role may still grant.
 */
export function permissionBlockGrants(block: RolePermission, permission: string, kind: PermissionKind): boolean {
  const allow = kind === "action" ? block.actions : block.dataActions;
  const exclude = kind === "action" ? block.notActions : block.notDataActions;
  return allow.some((p) => permissionMatches(p, permission)) && !exclude.some((p) => permissionMatches(p, permission));
}

export function roleGrants(role: RoleDefinitionInfo, permission: string, kind: PermissionKind): boolean {
  return role.permissions.some((block) => permissionBlockGrants(block, permission, kind));
}

/** Lower-case, no doubled or trailing slashes, always a leading one; the root is "/". */
export function normalizeScope(scope: string): string {
  const trimmed = scope.trim().replace(/\/{2,}/g, "/").replace(/\/+$/, "").toLowerCase();
  if (trimmed === "") return "/";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

const MANAGEMENT_GROUP = /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/;

/**
 * Does an assignment at `assignmentScope` apply at `targetScope`? Yes when it is the same scope or an ancestor
 * at a segment boundary (`/rg-a` does not cover `/rg-ab`), or the root `/`. A management group is an ancestor
 * of every subscription in its tree, which an ID does not show: an assignment at a management group that the
 * reader returned for a scope under a subscription is taken to be in that scope's chain (ARM returns only
 * the chain's), while one at a management group never applies to another management group's path.
 */
export function scopeCovers(assignmentScope: string, targetScope: string): boolean {
  const a = normalizeScope(assignmentScope);
  const t = normalizeScope(targetScope);
  if (a === "/" || a === t || t.startsWith(`${a}/`)) return true;
  return MANAGEMENT_GROUP.test(a) && t.startsWith("/subscriptions/");
}

/** The trailing GUID of a role definition ID, lower-cased: how two forms of the same ID compare. */
export function roleDefinitionKey(roleDefinitionId: string): string {
  return (roleDefinitionId.replace(/\/+$/, "").split("/").pop() ?? "").toLowerCase();
}

/**
 * ABAC conditions are not evaluated: a conditioned assignment may grant only for some containers, tags or
 * requests, which cannot be known here. Counting it could claim access Kusto will not get (or that lets it
 * list keys only under conditions), so it never counts as a grant; the principal then needs an
 * unconditioned one. (Conservative: a create may be refused that Azure would allow; never the reverse.)
 */
export function isConditional(assignment: RoleAssignmentInfo): boolean {
  return typeof assignment.condition === "string" && assignment.condition.trim() !== "";
}

/**
 * Evaluates one requirement against the assignments that apply to the principal (to it or its groups, at the
 * scope or above, as `AccessReader.listAssignments` returns them). Every granting assignment is a Grant,
 * nearest scope first; duplicates (same ID) count once. Assignments at unrelated scopes, with a condition or
 * with an unknown role are ignored.
 */
export function evaluateAccess(
  requirement: Requirement,
  assignments: readonly RoleAssignmentInfo[],
  roleDefinitionOf: RoleDefinitionLookup,
): RequirementStatus {
  const grants: Grant[] = [];
  const seen = new Set<string>();
  for (const assignment of assignments) {
    const id = assignment.id.toLowerCase();
    if (seen.has(id)) continue;
    if (!scopeCovers(assignment.scope, requirement.scope) || isConditional(assignment)) continue;
    const role = roleDefinitionOf(assignment.roleDefinitionId);
    if (!role || !roleGrants(role, requirement.permission, requirement.permissionKind)) continue;
    seen.add(id);
    grants.push({
      roleAssignmentId: assignment.id,
      roleDefinitionId: assignment.roleDefinitionId,
      scope: assignment.scope,
      assigneeObjectId: assignment.principalId,
    });
  }
  grants.sort((x, y) => scopeDepth(y.scope) - scopeDepth(x.scope) || x.roleAssignmentId.localeCompare(y.roleAssignmentId));
  return { requirement, granted: grants.length > 0, grants };
}

function scopeDepth(scope: string): number {
  const s = normalizeScope(scope);
  if (s === "/") return 0;
  // A management group sits above every subscription, whatever its own path length.
  if (MANAGEMENT_GROUP.test(s)) return 1;
  return s.split("/").length;
}

/** A lookup over role definitions keyed by any form of their ID. */
export function roleDefinitionLookup(definitions: Iterable<RoleDefinitionInfo>): RoleDefinitionLookup {
  const byKey = new Map<string, RoleDefinitionInfo>();
  for (const d of definitions) byKey.set(roleDefinitionKey(d.id), d);
  return (id) => byKey.get(roleDefinitionKey(id));
}

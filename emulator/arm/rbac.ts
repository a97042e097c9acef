// The emulator's own Azure RBAC evaluation (written independently of src/lib): does a principal hold an
// action or data action at a scope, through which assignment? Runs on every ARM request, so it is indexed.
import type { RoleAssignmentView, World } from "../world/world";
import type { Permission, RoleDefinition } from "../world/types";

export type PermissionKind = "action" | "dataAction";

/** The assignment that granted a permission: ARM's `authorization.evidence` is built from it. */
export interface RbacGrant {
  assignment: RoleAssignmentView;
  role: RoleDefinition;
}

export interface Rbac {
  isAllowed(principal: { objectId: string }, action: string, scope: string, kind: PermissionKind): boolean;
  /** The first assignment (direct before group, nearest scope first) that grants the permission. */
  findGrant(principalId: string, action: string, scope: string, kind: PermissionKind): RbacGrant | undefined;
}

const patternCache = new Map<string, RegExp>();

/**
 * ARM wildcard match: case-insensitive, `*` matches any run of characters including `/`
 * (so `Microsoft.EventHub/*\/receive/action` covers `namespaces/messages/receive/action`).
 */
export function actionMatches(pattern: string, action: string): boolean {
  const key = pattern.toLowerCase();
  let regex = patternCache.get(key);
  if (!regex) {
    const body = key
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${body}$`, "i");
    patternCache.set(key, regex);
  }
  return regex.test(action);
}

/** One permission block grants when an allow pattern matches and no exclusion in the same block does. */
export function permissionGrants(permission: Permission, action: string, kind: PermissionKind): boolean {
  const allow = kind === "action" ? permission.actions : permission.dataActions;
  const exclude = kind === "action" ? permission.notActions : permission.notDataActions;
  return allow.some((p) => actionMatches(p, action)) && !exclude.some((p) => actionMatches(p, action));
}

export function roleGrants(role: RoleDefinition, action: string, kind: PermissionKind): boolean {
  return role.permissions.some((p) => permissionGrants(p, action, kind));
}

/** True when an assignment at `assignmentScope` applies to `targetScope` (same scope or an ancestor). */
export function scopeCovers(assignmentScope: string, targetScope: string): boolean {
  const a = normalizeScope(assignmentScope);
  const t = normalizeScope(targetScope);
  if (a === "/") return true;
  return t === a || t.startsWith(a + "/");
}

export function normalizeScope(scope: string): string {
  const trimmed = scope.replace(/\/{2,}/g, "/").replace(/\/+$/, "").toLowerCase();
  if (trimmed === "") return "/";
  return trimmed.startsWith("/") ? trimmed : "/" + trimmed;
}

export function createRbac(world: World): Rbac {
  function findGrant(principalId: string, action: string, scope: string, kind: PermissionKind): RbacGrant | undefined {
    const candidates: RoleAssignmentView[] = [...world.roleAssignmentsOf(principalId)];
    for (const group of world.groupsOf(principalId)) candidates.push(...world.roleAssignmentsOf(group));
    let best: { grant: RbacGrant; depth: number } | undefined;
    for (const assignment of candidates) {
      if (!scopeCovers(assignment.scope, scope)) continue;
      const role = world.roleDefinitions.get(assignment.roleDefinitionGuid);
      if (!role || !roleGrants(role, action, kind)) continue;
      // Prefer the nearest scope, as the evidence ARM reports is the most specific grant.
      const depth = normalizeScope(assignment.scope).length;
      if (!best || depth > best.depth) best = { grant: { assignment, role }, depth };
    }
    return best?.grant;
  }
  return {
    findGrant,
    isAllowed: (principal, action, scope, kind) => findGrant(principal.objectId, action, scope, kind) !== undefined,
  };
}

/** ARM's `data.authorization.evidence` for a grant (GUIDs without dashes, as ARM writes them). */
export function toEvidence(grant: RbacGrant): Record<string, string> {
  const compact = (guid: string) => guid.replace(/-/g, "").toLowerCase();
  return {
    role: grant.role.roleName,
    roleAssignmentScope: grant.assignment.scope,
    roleAssignmentId: compact(grant.assignment.name),
    roleDefinitionId: compact(grant.role.name),
    principalId: compact(grant.assignment.principalId),
    principalType: grant.assignment.principalType,
  };
}

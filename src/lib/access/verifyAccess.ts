// Verifies that a principal holds each requirement: reads its role assignments once per distinct scope, fetches
// each role definition once (cached with a TTL, shareable across a whole audit run), evaluates purely.
import type { PrincipalRef, Requirement, RequirementStatus } from "../connections/model";
import { evaluateAccess, isConditional, normalizeScope, roleDefinitionKey, scopeCovers } from "./evaluateAccess";
import type { AccessReader, RoleAssignmentInfo, RoleDefinitionInfo } from "./ports";
import { createTtlCache, type TtlCache } from "./ttlCache";

/** Role definitions by tenant and GUID. Create one with createRoleDefinitionCache to share it between verifiers. */
export type RoleDefinitionCache = TtlCache<RoleDefinitionInfo | undefined>;

export const DEFAULT_ROLE_DEFINITION_TTL_IN_MS = 15 * 60_000;

export function createRoleDefinitionCache(options: { ttlInMs?: number; now?: () => number } = {}): RoleDefinitionCache {
  return createTtlCache<RoleDefinitionInfo | undefined>({ ttlInMs: options.ttlInMs ?? DEFAULT_ROLE_DEFINITION_TTL_IN_MS, now: options.now });
}

export interface AccessVerifierOptions {
  reader: AccessReader;
  /** Shared role-definition cache (e.g. one per audit run). Default: a new one with `roleDefinitionTtlInMs`. */
  roleDefinitions?: RoleDefinitionCache;
  roleDefinitionTtlInMs?: number;
  /**
   * How long listed assignments may be reused across verify() calls. Default 0: every call reads them afresh
   * (create and revocation must see the live state); an audit run may share them for its duration.
   */
  assignmentTtlInMs?: number;
  now?: () => number;
}

export interface AccessVerifier {
  /** One status per requirement, in the same order. Reader errors (AppError forbidden/throttled/upstream) propagate. */
  verify(principal: PrincipalRef, requirements: readonly Requirement[]): Promise<RequirementStatus[]>;
}

export function createAccessVerifier(options: AccessVerifierOptions): AccessVerifier {
  const { reader } = options;
  const roleDefinitions = options.roleDefinitions ?? createRoleDefinitionCache({ ttlInMs: options.roleDefinitionTtlInMs, now: options.now });
  const assignments = createTtlCache<RoleAssignmentInfo[]>({ ttlInMs: options.assignmentTtlInMs ?? 0, now: options.now });

  const principalKey = (p: PrincipalRef) => `${p.tenantId.toLowerCase()}|${p.objectId.toLowerCase()}`;

  function getRoleDefinition(principal: PrincipalRef, roleDefinitionId: string): Promise<RoleDefinitionInfo | undefined> {
    // Built-in GUIDs are the same everywhere, but custom roles are per tenant: key by both.
    const key = `${principal.tenantId.toLowerCase()}|${roleDefinitionKey(roleDefinitionId)}`;
    return roleDefinitions.getOrLoad(key, () => reader.getRoleDefinition(principal, roleDefinitionId));
  }

  return {
    async verify(principal, requirements) {
      // One read per distinct scope; within a call the in-flight map shares it even when assignments are not cached.
      const byScope = new Map<string, Promise<RoleAssignmentInfo[]>>();
      for (const r of requirements) {
        const scope = normalizeScope(r.scope);
        if (!byScope.has(scope)) {
          byScope.set(scope, assignments.getOrLoad(`${principalKey(principal)}|${scope}`, () => reader.listAssignments(principal, r.scope)));
        }
      }
      const listed = new Map<string, RoleAssignmentInfo[]>();
      await Promise.all([...byScope].map(async ([scope, p]) => listed.set(scope, await p)));

      // Only roles of assignments that could grant something here are worth a read.
      const roleIds = new Map<string, string>();
      for (const r of requirements) {
        for (const a of listed.get(normalizeScope(r.scope)) ?? []) {
          if (scopeCovers(a.scope, r.scope) && !isConditional(a)) roleIds.set(roleDefinitionKey(a.roleDefinitionId), a.roleDefinitionId);
        }
      }
      const roles = new Map<string, RoleDefinitionInfo | undefined>();
      await Promise.all([...roleIds].map(async ([key, id]) => roles.set(key, await getRoleDefinition(principal, id))));

      const lookup = (id: string) => roles.get(roleDefinitionKey(id));
      return requirements.map((r) => evaluateAccess(r, listed.get(normalizeScope(r.scope)) ?? [], lookup));
    },
  };
}

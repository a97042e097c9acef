// AccessReader over ARM's Microsoft.Authorization (@azure/arm-authorization 9.0.0): the role assignments that
// apply to a principal at a scope, role definitions and single assignments, read in the principal's tenant.
import type { AuthorizationManagementClient, RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import type { PrincipalRef } from "../connections/model";
import { scopeCovers } from "../access/evaluateAccess";
import type { AccessReader, RoleAssignmentInfo, RoleDefinitionInfo } from "../access/ports";
import { toAccessReadError, isNotFound } from "./accessReadErrors";
import { withCorrelationPolicy } from "./telemetryPolicy";

export interface AccessReaderOptions {
  /**
   * The client that reads in `tenantId` (its token is that tenant's): the app's managed identity for its own
   * tenant, the cross-tenant app's ClientAssertionCredential for a source tenant. Called per read; cache there.
   */
  clientFor(tenantId: string): AuthorizationManagementClient;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccessReader(options: AccessReaderOptions): AccessReader {
  // Every read carries the current correlation ID (telemetryPolicy.ts).
  const clientFor = (tenantId: string) => withCorrelationPolicy(options.clientFor(tenantId));
  return {
    async listAssignments(principal, scope, listOptions) {
      // The object ID goes into an OData string literal: only a GUID may, so nothing can break out of it.
      if (!GUID.test(principal.objectId)) throw new TypeError(`Principal object ID '${principal.objectId}' is not a GUID.`);
      const client = clientFor(principal.tenantId);
      const out: RoleAssignmentInfo[] = [];
      try {
        // assignedTo() is transitive over groups. ARM answers at, above *and below* the scope with it (the
        // swagger says so for principalId); below-scope ones do not apply here, so they are dropped unless asked for.
        for await (const a of client.roleAssignments.listForScope(armPath(scope), { filter: `assignedTo('${principal.objectId}')` })) {
          const info = toAssignmentInfo(a);
          if (info && (listOptions?.below || scopeCovers(info.scope, scope))) out.push(info);
        }
      } catch (error) {
        throw toAccessReadError(error, scope);
      }
      return out;
    },

    async getRoleDefinition(principal: PrincipalRef, roleDefinitionId) {
      try {
        return toDefinitionInfo(await clientFor(principal.tenantId).roleDefinitions.getById(armPath(roleDefinitionId)), roleDefinitionId);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw toAccessReadError(error, roleDefinitionId);
      }
    },

    async getRoleAssignment(tenantId, roleAssignmentId) {
      try {
        const info = toAssignmentInfo(await clientFor(tenantId).roleAssignments.getById(armPath(roleAssignmentId)));
        return info;
      } catch (error) {
        // Gone, or its scope (resource, group) is gone with it: either way the assignment no longer exists.
        if (isNotFound(error)) return undefined;
        throw toAccessReadError(error, roleAssignmentId);
      }
    },
  };
}

/** The SDK's path templates are `/{scope}/...` with the scope unencoded: a leading slash would double. */
function armPath(id: string): string {
  return id.replace(/^\/+/, "");
}

function toAssignmentInfo(a: RoleAssignment): RoleAssignmentInfo | undefined {
  if (!a.id || !a.roleDefinitionId || !a.principalId) return undefined;
  // `scope` is read-only and always sent by ARM; derive it from the ID if a response ever lacks it.
  const scope = a.scope ?? a.id.replace(/\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i, "");
  return {
    id: a.id,
    scope: scope === "" ? "/" : scope,
    roleDefinitionId: a.roleDefinitionId,
    principalId: a.principalId,
    ...(a.principalType ? { principalType: a.principalType } : {}),
    ...(a.condition ? { condition: a.condition } : {}),
  };
}

function toDefinitionInfo(d: RoleDefinition, requestedId: string): RoleDefinitionInfo {
  return {
    id: d.id ?? requestedId,
    ...(d.roleName ? { roleName: d.roleName } : {}),
    permissions: (d.permissions ?? []).map((p) => ({
      actions: p.actions ?? [],
      notActions: p.notActions ?? [],
      dataActions: p.dataActions ?? [],
      notDataActions: p.notDataActions ?? [],
    })),
  };
}

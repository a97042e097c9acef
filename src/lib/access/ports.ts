// Ports of access evaluation: reading role assignments and definitions (ARM Authorization), per tenant.
import type { PrincipalRef } from "../connections/model";

export interface RoleAssignmentInfo {
  /** Full ARM ID. */
  id: string;
  scope: string;
  roleDefinitionId: string;
  /** The assignee: the principal itself or a group it is in. */
  principalId: string;
  principalType?: string;
  /** ABAC condition, when the assignment has one (the evaluator does not count conditioned assignments). */
  condition?: string;
}

export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinitionInfo {
  /** Full ARM ID (any of its forms); compare by the trailing GUID. */
  id: string;
  roleName?: string;
  permissions: RolePermission[];
}

export interface ListAssignmentsOptions {
  /**
   * Also the principal's assignments below `scope` (ARM's assignedTo() answer as it comes): one read then
   * serves every scope under `scope` (see coalescingAccessReader.ts).
   */
  below?: boolean;
}

export interface AccessReader {
  /**
   * Role assignments that apply to `principal` at `scope`: made to it or to a group it is in (transitively),
   * at the scope or an ancestor. (ARM: `$filter=assignedTo('{objectId}')` on the scope, read with a token of
   * the principal's tenant.)
   */
  listAssignments(principal: PrincipalRef, scope: string, options?: ListAssignmentsOptions): Promise<RoleAssignmentInfo[]>;
  /** Cached: role definitions change rarely. Undefined when it does not exist. */
  getRoleDefinition(principal: PrincipalRef, roleDefinitionId: string): Promise<RoleDefinitionInfo | undefined>;
  /** Undefined when the assignment does not exist (revocation re-checks that an assignment is really gone). */
  getRoleAssignment(tenantId: string, roleAssignmentId: string): Promise<RoleAssignmentInfo | undefined>;
}

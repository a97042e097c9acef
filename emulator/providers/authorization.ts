// Microsoft.Authorization resource provider: role assignments at any scope (list with $filter and
// paging, get, create, delete, by scope+name and by ID) and role definitions, in the 2022-04-01 shapes.
import { ArmError, type ArmRequest, type ResourceProvider, type RouteDefinition } from "../arm/contract";
import { resourceKey } from "../world/resourceId";
import type { ResourceRecord, RoleDefinition } from "../world/types";
import type { World } from "../world/world";

export const AUTHORIZATION_API_VERSIONS = ["2022-04-01", "2020-10-01", "2020-10-01-preview", "2020-04-01-preview", "2018-09-01-preview", "2015-07-01"];
const RA = "/providers/Microsoft.Authorization/roleAssignments";
const RD = "/providers/Microsoft.Authorization/roleDefinitions";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuthorizationProviderOptions {
  /** Items per page of list responses before a nextLink ($skipToken) is returned. */
  pageSize?: number;
}

export function createAuthorizationProvider(options: AuthorizationProviderOptions = {}): ResourceProvider {
  const pageSize = options.pageSize ?? 500;
  const scopeOf = (req: ArmRequest) => req.params.scope ?? "/";

  const listAssignments = (template: string): RouteDefinition => ({
    method: "GET",
    path: template,
    apiVersions: AUTHORIZATION_API_VERSIONS,
    action: "Microsoft.Authorization/roleAssignments/read",
    scope: scopeOf,
    handler(req, ctx) {
      const scope = scopeOf(req);
      const filter = parseAssignmentFilter(req.query.get("$filter"));
      const principals = filter.assignedTo
        ? new Set([filter.assignedTo.toLowerCase(), ...ctx.world.groupsOf(filter.assignedTo)])
        : filter.principalId
          ? new Set([filter.principalId.toLowerCase()])
          : undefined;
      const all = ctx.world.listByType("Microsoft.Authorization/roleAssignments").filter((record) => {
        const view = ctx.world.roleAssignment(record);
        if (principals && !principals.has(view.principalId.toLowerCase())) return false;
        const above = isAtOrAbove(view.scope, scope);
        // atScope(): at or above the scope (inherited ones included, as az's --include-inherited relies on);
        // otherwise also below it.
        return filter.atScope ? above : above || isAtOrAbove(scope, view.scope);
      });
      all.sort((a, b) => a.id.localeCompare(b.id));
      return page(req, all.map((r) => r.body), pageSize);
    },
  });

  const assignmentRoutes = (template: string): RouteDefinition[] => [
    {
      method: "GET",
      path: template,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      action: "Microsoft.Authorization/roleAssignments/read",
      handler(req, ctx) {
        const record = findAssignment(ctx.world, req.path);
        if (!record) throw notFound(req.params.roleAssignmentName ?? "");
        return { status: 200, body: record.body };
      },
    },
    {
      method: "PUT",
      path: template,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      action: "Microsoft.Authorization/roleAssignments/write",
      handler(req, ctx) {
        return putAssignment(ctx.world, req);
      },
    },
    {
      method: "DELETE",
      path: template,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      action: "Microsoft.Authorization/roleAssignments/delete",
      handler(req, ctx) {
        const record = findAssignment(ctx.world, req.path);
        if (!record) return { status: 204 };
        ctx.world.deleteResource(record.id);
        return { status: 200, body: record.body };
      },
    },
  ];

  const definitionRoutes = (prefix: string): RouteDefinition[] => [
    {
      method: "GET",
      path: `${prefix}${RD}`,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      action: "Microsoft.Authorization/roleDefinitions/read",
      handler(req, ctx) {
        const filter = parseDefinitionFilter(req.query.get("$filter"));
        const scope = req.params.scope ?? "/";
        const roles = [...ctx.world.roleDefinitions.values()]
          .filter((r) => (filter.roleName ? r.roleName.toLowerCase() === filter.roleName.toLowerCase() : true))
          .filter((r) => (filter.type ? r.type.toLowerCase() === filter.type.toLowerCase() : true))
          .sort((a, b) => a.roleName.localeCompare(b.roleName));
        return page(req, roles.map((r) => toRoleDefinitionBody(r, scope)), pageSize);
      },
    },
    {
      method: "GET",
      path: `${prefix}${RD}/{roleDefinitionId}`,
      apiVersions: AUTHORIZATION_API_VERSIONS,
      action: "Microsoft.Authorization/roleDefinitions/read",
      handler(req, ctx) {
        const role = ctx.world.roleDefinitions.get((req.params.roleDefinitionId ?? "").toLowerCase());
        if (!role) {
          throw new ArmError(404, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${req.params.roleDefinitionId}' does not exist.`);
        }
        return { status: 200, body: toRoleDefinitionBody(role, req.params.scope ?? "/") };
      },
    },
  ];

  return {
    namespace: "Microsoft.Authorization",
    routes: [
      listAssignments(`{scope*}${RA}`),
      listAssignments(RA),
      ...assignmentRoutes(`{scope*}${RA}/{roleAssignmentName}`),
      ...definitionRoutes("{scope*}"),
      ...definitionRoutes(""),
    ],
  };
}

export const authorizationProvider: ResourceProvider = createAuthorizationProvider();

function putAssignment(world: World, req: ArmRequest) {
  const name = req.params.roleAssignmentName ?? "";
  const scope = normalizeScopeCase(req.params.scope ?? "/");
  if (!GUID.test(name)) {
    throw new ArmError(400, "InvalidRoleAssignmentId", `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
  }
  const properties = (req.body as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties || typeof properties.roleDefinitionId !== "string" || typeof properties.principalId !== "string") {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid: 'properties.roleDefinitionId' and 'properties.principalId' are required.");
  }
  const roleGuid = properties.roleDefinitionId.split("/").pop() ?? "";
  const role = world.roleDefinitions.get(roleGuid.toLowerCase());
  if (!role) throw new ArmError(400, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${roleGuid}' does not exist.`);

  const subscriptionId = scopeSubscription(scope);
  const scopeTenant = subscriptionId ? world.tenantOfSubscription(subscriptionId) : req.caller.tenantId;
  const principal = world.getPrincipal(properties.principalId);
  if (!principal || (scopeTenant && principal.tenantId.toLowerCase() !== scopeTenant.toLowerCase())) {
    throw new ArmError(
      400,
      "PrincipalNotFound",
      `Principal ${properties.principalId.replace(/-/g, "")} does not exist in the directory ${scopeTenant ?? req.caller.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
  }
  if (typeof properties.principalType === "string" && properties.principalType.toLowerCase() !== principal.type.toLowerCase()) {
    throw new ArmError(
      400,
      "UnmatchedPrincipalType",
      `The PrincipalId '${principal.objectId.replace(/-/g, "")}' has type '${principal.type}' , which is different from specified PrincipalType '${properties.principalType}'.`,
    );
  }

  const existing = findAssignment(world, req.path);
  const now = new Date().toISOString();
  if (existing) {
    const view = world.roleAssignment(existing);
    if (view.principalId.toLowerCase() !== principal.objectId.toLowerCase() || view.roleDefinitionGuid !== role.name.toLowerCase()) {
      throw new ArmError(400, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
    }
  } else {
    const duplicate = world
      .roleAssignmentsOf(principal.objectId)
      .find((a) => a.roleDefinitionGuid === role.name.toLowerCase() && resourceKey(a.scope) === resourceKey(scope));
    if (duplicate) throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.");
  }

  const previous = (existing?.body.properties ?? {}) as Record<string, unknown>;
  const record = world.putResource({
    id: `${scope === "/" ? "" : scope}${RA}/${existing ? String(existing.body.name) : name}`,
    name: existing ? existing.body.name : name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      scope,
      roleDefinitionId: roleDefinitionIdFor(role.name, scope),
      principalId: principal.objectId,
      principalType: principal.type,
      description: stringOrNull(properties.description),
      condition: stringOrNull(properties.condition),
      conditionVersion: stringOrNull(properties.conditionVersion) ?? (typeof properties.condition === "string" ? "2.0" : null),
      createdOn: previous.createdOn ?? now,
      updatedOn: now,
      createdBy: previous.createdBy ?? req.caller.objectId,
      updatedBy: req.caller.objectId,
      delegatedManagedIdentityResourceId: stringOrNull(properties.delegatedManagedIdentityResourceId),
    },
  });
  return { status: existing ? 200 : 201, body: record.body };
}

function findAssignment(world: World, id: string): ResourceRecord | undefined {
  const record = world.getResource(id);
  return record && record.type.toLowerCase() === "microsoft.authorization/roleassignments" ? record : undefined;
}

function notFound(name: string): ArmError {
  return new ArmError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
}

/** True when `upper` is `lower` or one of its ancestors (case-insensitive, whole segments). */
function isAtOrAbove(upper: string, lower: string): boolean {
  const u = resourceKey(upper);
  const l = resourceKey(lower);
  return u === "" || u === "/" || l === u || l.startsWith(u + "/");
}

function scopeSubscription(scope: string): string | undefined {
  const m = /^\/subscriptions\/([^/]+)/i.exec(scope);
  return m?.[1];
}

/** The stored scope keeps the caller's casing but never a trailing slash. */
function normalizeScopeCase(scope: string): string {
  const s = scope.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  return s === "" ? "/" : s;
}

/** Real ARM output is subscription-qualified when the scope is under a subscription. */
export function roleDefinitionIdFor(roleGuid: string, scope: string): string {
  const subscriptionId = scopeSubscription(scope);
  return `${subscriptionId ? `/subscriptions/${subscriptionId}` : ""}${RD}/${roleGuid}`;
}

export function toRoleDefinitionBody(role: RoleDefinition, scope: string): Record<string, unknown> {
  return {
    id: roleDefinitionIdFor(role.name, scope),
    name: role.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: role.roleName,
      type: role.type,
      description: role.description ?? "",
      assignableScopes: role.assignableScopes,
      permissions: role.permissions.map((p) => ({
        actions: p.actions,
        notActions: p.notActions,
        dataActions: p.dataActions,
        notDataActions: p.notDataActions,
      })),
      createdOn: "2015-02-02T21:55:09.8806423Z",
      updatedOn: "2024-01-01T00:00:00.0000000Z",
      createdBy: null,
      updatedBy: null,
    },
  };
}

export interface AssignmentFilter {
  atScope: boolean;
  principalId?: string;
  assignedTo?: string;
}

/** `atScope()`, `principalId eq '{id}'`, `assignedTo('{id}')`, joined with `and`. */
export function parseAssignmentFilter(filter: string | null): AssignmentFilter {
  const result: AssignmentFilter = { atScope: false };
  if (!filter || filter.trim() === "") return result;
  for (const clause of filter.split(/\s+and\s+/i)) {
    const c = clause.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(c)) result.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(c))) result.principalId = m[1];
    else if ((m = /^assignedTo\('([^']+)'\)$/i.exec(c))) result.assignedTo = m[1];
    else throw new ArmError(400, "UnsupportedQuery", `The filter '${filter}' is not supported. Supported filters are 'atScope()', 'principalId eq {id}' and 'assignedTo({id})'.`);
  }
  return result;
}

function parseDefinitionFilter(filter: string | null): { roleName?: string; type?: string } {
  if (!filter || filter.trim() === "") return {};
  let m: RegExpExecArray | null;
  if ((m = /^roleName\s+eq\s+'([^']+)'$/i.exec(filter.trim()))) return { roleName: m[1] };
  if ((m = /^type\s+eq\s+'([^']+)'$/i.exec(filter.trim()))) return { type: m[1] };
  throw new ArmError(400, "UnsupportedQuery", `The filter '${filter}' is not supported.`);
}

function page(req: ArmRequest, items: unknown[], pageSize: number) {
  const skip = Number.parseInt(req.query.get("$skipToken") ?? "0", 10) || 0;
  const value = items.slice(skip, skip + pageSize);
  const body: Record<string, unknown> = { value };
  if (skip + pageSize < items.length) {
    const next = new URL(req.url);
    next.searchParams.set("$skipToken", String(skip + pageSize));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

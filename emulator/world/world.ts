// In-memory state of the emulated cloud. Resource providers, the RBAC check and the admin API all read
// and write through this one class; nothing else holds state about the cloud.
import { randomUUID } from "node:crypto";
import builtInRoles from "./builtInRoles.json";
import { parseResourceId, resourceKey } from "./resourceId";
import type {
  AppRegistration,
  Principal,
  ResourceRecord,
  RoleDefinition,
  Subscription,
  Tenant,
  WorldSeed,
} from "./types";

const ROLE_ASSIGNMENT_TYPE = "microsoft.authorization/roleassignments";

export interface RoleAssignmentView {
  id: string;
  name: string;
  scope: string;
  roleDefinitionGuid: string;
  principalId: string;
  principalType: string;
}

export class World {
  readonly tenants = new Map<string, Tenant>();
  readonly subscriptions = new Map<string, Subscription>();
  /** By lower-cased object ID. */
  readonly principals = new Map<string, Principal>();
  /** By lower-cased app ID. */
  readonly applications = new Map<string, AppRegistration>();
  /** By lower-cased role GUID. */
  readonly roleDefinitions = new Map<string, RoleDefinition>();
  /** By resourceKey(id). */
  readonly resources = new Map<string, ResourceRecord>();
  /** principal object ID (lower) → keys of role-assignment resources. */
  private readonly assignmentsByPrincipal = new Map<string, Set<string>>();
  /** Listeners told about every stored change (used to emit events and invalidate caches). */
  private readonly listeners = new Set<(change: WorldChange) => void>();

  constructor(seed?: WorldSeed) {
    this.reset();
    if (seed) this.load(seed);
  }

  reset(): void {
    this.tenants.clear();
    this.subscriptions.clear();
    this.principals.clear();
    this.applications.clear();
    this.roleDefinitions.clear();
    this.resources.clear();
    this.assignmentsByPrincipal.clear();
    for (const role of builtInRoles as RoleDefinition[]) this.roleDefinitions.set(role.name.toLowerCase(), role);
  }

  /** Adds a seed to the current state (call reset() first to replace it). */
  load(seed: WorldSeed): void {
    for (const t of seed.tenants) this.tenants.set(t.id.toLowerCase(), t);
    for (const s of seed.subscriptions) {
      if (!this.tenants.has(s.tenantId.toLowerCase())) throw new Error(`subscription ${s.id}: unknown tenant ${s.tenantId}`);
      this.subscriptions.set(s.id.toLowerCase(), s);
    }
    for (const p of seed.principals) this.principals.set(p.objectId.toLowerCase(), p);
    for (const a of seed.applications ?? []) this.applications.set(a.appId.toLowerCase(), a);
    for (const r of seed.customRoles ?? []) this.roleDefinitions.set(r.name.toLowerCase(), { ...r, type: "CustomRole" });
    for (const g of seed.resourceGroups ?? []) {
      this.putResource({
        id: `/subscriptions/${g.subscriptionId}/resourceGroups/${g.name}`,
        name: g.name,
        type: "Microsoft.Resources/resourceGroups",
        location: g.location,
        properties: { provisioningState: "Succeeded" },
      });
    }
    for (const r of seed.resources ?? []) this.putResource(r);
    for (const a of seed.roleAssignments ?? []) {
      this.createRoleAssignment({ scope: a.scope, role: a.role, principalId: a.principalId, name: a.name });
    }
  }

  onChange(listener: (change: WorldChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- tenants, subscriptions, principals -------------------------------------------------------

  tenantOfSubscription(subscriptionId: string): string | undefined {
    return this.subscriptions.get(subscriptionId.toLowerCase())?.tenantId;
  }

  /** Tenant that owns a resource ID (through its subscription); undefined for tenant-level IDs. */
  tenantOfResource(id: string): string | undefined {
    const { subscriptionId } = parseResourceId(id);
    return subscriptionId ? this.tenantOfSubscription(subscriptionId) : undefined;
  }

  getPrincipal(objectId: string): Principal | undefined {
    return this.principals.get(objectId.toLowerCase());
  }

  /** The service principal of `appId` in `tenantId` (an app's SP, or a managed identity by client ID). */
  findServicePrincipal(tenantId: string, appId: string): Principal | undefined {
    for (const p of this.principals.values()) {
      if (p.type === "ServicePrincipal" && p.appId?.toLowerCase() === appId.toLowerCase() && p.tenantId.toLowerCase() === tenantId.toLowerCase()) return p;
    }
    return undefined;
  }

  findManagedIdentity(selector: { clientId?: string; objectId?: string; resourceId?: string }): Principal | undefined {
    for (const p of this.principals.values()) {
      if (!p.managedIdentity) continue;
      if (selector.clientId && p.appId?.toLowerCase() === selector.clientId.toLowerCase()) return p;
      if (selector.objectId && p.objectId.toLowerCase() === selector.objectId.toLowerCase()) return p;
      if (selector.resourceId && resourceKey(p.managedIdentity.resourceId) === resourceKey(selector.resourceId)) return p;
    }
    return undefined;
  }

  /** Every group the principal belongs to, directly or through nested groups. */
  groupsOf(objectId: string): Set<string> {
    const result = new Set<string>();
    const frontier = [objectId.toLowerCase()];
    while (frontier.length > 0) {
      const member = frontier.pop() as string;
      for (const p of this.principals.values()) {
        if (p.type !== "Group" || result.has(p.objectId.toLowerCase())) continue;
        if (p.members?.some((m) => m.toLowerCase() === member)) {
          result.add(p.objectId.toLowerCase());
          frontier.push(p.objectId.toLowerCase());
        }
      }
    }
    return result;
  }

  // ---- resources ------------------------------------------------------------------------------

  getResource(id: string): ResourceRecord | undefined {
    return this.resources.get(resourceKey(id));
  }

  /** Stores `body` (which must carry `id`), replacing any resource with the same ID. */
  putResource(body: Record<string, unknown>): ResourceRecord {
    const id = body.id;
    if (typeof id !== "string") throw new Error("resource body has no id");
    const parsed = parseResourceId(id);
    if (!parsed.subscriptionId) throw new Error(`resource ${id} is not under a subscription`);
    const key = resourceKey(id);
    const previous = this.resources.get(key);
    const record: ResourceRecord = {
      id,
      type: typeof body.type === "string" ? body.type : parsed.type,
      subscriptionId: parsed.subscriptionId,
      resourceGroup: parsed.resourceGroup,
      body,
      version: (previous?.version ?? 0) + 1,
    };
    this.resources.set(key, record);
    if (record.type.toLowerCase() === ROLE_ASSIGNMENT_TYPE) this.indexAssignment(key, body);
    this.emit({ kind: previous ? "updated" : "created", record });
    return record;
  }

  /** Deletes a resource and everything under it (children and extension resources such as role assignments). */
  deleteResource(id: string): ResourceRecord[] {
    const key = resourceKey(id);
    const removed: ResourceRecord[] = [];
    for (const [k, record] of this.resources) {
      if (k === key || k.startsWith(key + "/")) {
        this.resources.delete(k);
        if (record.type.toLowerCase() === ROLE_ASSIGNMENT_TYPE) this.unindexAssignment(k, record.body);
        removed.push(record);
      }
    }
    for (const record of removed) this.emit({ kind: "deleted", record });
    return removed;
  }

  /** Direct children of `parentId` of one child type segment, e.g. listChildren(ns, "eventhubs"). */
  listChildren(parentId: string, childType: string): ResourceRecord[] {
    const prefix = `${resourceKey(parentId)}/${childType.toLowerCase()}/`;
    const out: ResourceRecord[] = [];
    for (const [k, record] of this.resources) {
      if (k.startsWith(prefix) && !k.slice(prefix.length).includes("/")) out.push(record);
    }
    return out;
  }

  /** Resources of a type (case-insensitive), optionally under a scope prefix. */
  listByType(type: string, underScope?: string): ResourceRecord[] {
    const t = type.toLowerCase();
    const prefix = underScope ? resourceKey(underScope) + "/" : undefined;
    const out: ResourceRecord[] = [];
    for (const [k, record] of this.resources) {
      if (record.type.toLowerCase() === t && (!prefix || k.startsWith(prefix))) out.push(record);
    }
    return out;
  }

  // ---- role definitions and assignments ----------------------------------------------------------

  /** Accepts a GUID, a role name or a full role-definition ID. */
  findRoleDefinition(role: string): RoleDefinition | undefined {
    const guid = role.split("/").pop()?.toLowerCase() ?? "";
    const byGuid = this.roleDefinitions.get(guid);
    if (byGuid) return byGuid;
    for (const r of this.roleDefinitions.values()) if (r.roleName.toLowerCase() === role.toLowerCase()) return r;
    return undefined;
  }

  createRoleAssignment(input: { scope: string; role: string; principalId: string; name?: string; createdBy?: string }): ResourceRecord {
    const role = this.findRoleDefinition(input.role);
    if (!role) throw new Error(`unknown role ${input.role}`);
    const principal = this.getPrincipal(input.principalId);
    if (!principal) throw new Error(`unknown principal ${input.principalId}`);
    const scope = input.scope.replace(/\/+$/, "");
    const name = input.name ?? randomUUID();
    const { subscriptionId } = parseResourceId(scope === "" ? "/" : scope);
    const now = new Date().toISOString();
    return this.putResource({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: "Microsoft.Authorization/roleAssignments",
      properties: {
        scope,
        roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
        principalId: principal.objectId,
        principalType: principal.type,
        description: null,
        condition: null,
        conditionVersion: null,
        createdOn: now,
        updatedOn: now,
        createdBy: input.createdBy ?? null,
        updatedBy: input.createdBy ?? null,
        delegatedManagedIdentityResourceId: null,
      },
    });
  }

  roleAssignment(record: ResourceRecord): RoleAssignmentView {
    const props = record.body.properties as Record<string, string>;
    return {
      id: record.id,
      name: String(record.body.name),
      scope: props.scope ?? "",
      roleDefinitionGuid: (props.roleDefinitionId ?? "").split("/").pop()?.toLowerCase() ?? "",
      principalId: props.principalId ?? "",
      principalType: props.principalType ?? "",
    };
  }

  /** Assignments made directly to this principal (not through groups). */
  roleAssignmentsOf(principalId: string): RoleAssignmentView[] {
    const keys = this.assignmentsByPrincipal.get(principalId.toLowerCase());
    if (!keys) return [];
    const out: RoleAssignmentView[] = [];
    for (const k of keys) {
      const record = this.resources.get(k);
      if (record) out.push(this.roleAssignment(record));
    }
    return out;
  }

  private indexAssignment(key: string, body: Record<string, unknown>): void {
    const principalId = String((body.properties as Record<string, unknown> | undefined)?.principalId ?? "").toLowerCase();
    let set = this.assignmentsByPrincipal.get(principalId);
    if (!set) this.assignmentsByPrincipal.set(principalId, (set = new Set()));
    set.add(key);
  }

  private unindexAssignment(key: string, body: Record<string, unknown>): void {
    const principalId = String((body.properties as Record<string, unknown> | undefined)?.principalId ?? "").toLowerCase();
    this.assignmentsByPrincipal.get(principalId)?.delete(key);
  }

  private emit(change: WorldChange): void {
    for (const l of this.listeners) l(change);
  }
}

export interface WorldChange {
  kind: "created" | "updated" | "deleted";
  record: ResourceRecord;
}

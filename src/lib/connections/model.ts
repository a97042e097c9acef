// The domain of managed data connections: what a connection is, whose access it depends on, and the
// record the registry keeps (DESIGN §3). Pure types and helpers; no I/O.

export type ConnectionKind = "EventHub" | "EventGrid" | "IotHub" | "CosmosDb";
export const connectionKinds: readonly ConnectionKind[] = ["EventHub", "EventGrid", "IotHub", "CosmosDb"];

/**
 * key: Kusto stores a connection string obtained with the creator's access (keeps ingesting after that
 * access is revoked). managedIdentity: the cluster's or a user-assigned identity reads the source.
 */
export type AuthMode = "key" | "managedIdentity";

/** Where a data connection lives: the last five segments of its ARM ID. */
export interface ConnectionKey {
  subscriptionId: string;
  resourceGroup: string;
  cluster: string;
  database: string;
  name: string;
}

/** The ARM resource ID of a data connection (the casing ARM's request paths use). */
export function toConnectionId(key: ConnectionKey): string {
  return (
    `/subscriptions/${key.subscriptionId}/resourceGroups/${key.resourceGroup}` +
    `/providers/Microsoft.Kusto/clusters/${key.cluster}/databases/${key.database}/dataConnections/${key.name}`
  );
}

export function toClusterId(key: Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster">): string {
  return `/subscriptions/${key.subscriptionId}/resourceGroups/${key.resourceGroup}/providers/Microsoft.Kusto/clusters/${key.cluster}`;
}

/** ARM IDs are case-insensitive: this is the form to compare and index them by. */
export function normalizeResourceId(id: string): string {
  return id.replace(/\/+$/, "").toLowerCase();
}

/**
 * The desired data connection as users know it from ARM templates: `kind`, `location`, `properties`
 * (read-only properties such as provisioningState never appear here).
 */
export interface DataConnectionSpec {
  kind: ConnectionKind;
  location?: string;
  properties: Record<string, unknown>;
}

/** The optional `access` block of a create request. */
export interface AccessRequest {
  /** Default: managedIdentity when `properties.managedIdentityResourceId` is set (always for CosmosDb), else key. */
  mode?: AuthMode;
  /** MI mode: the cluster's ID (system identity) or a user-assigned identity attached to the cluster. */
  managedIdentityResourceId?: string;
  /** Key mode across tenants: the source's tenant (must be an allowed source tenant). */
  sourceTenantId?: string;
}

export type PrincipalKind =
  /** The Kusto cluster's system-assigned identity (MI mode). */
  | "clusterIdentity"
  /** A user-assigned identity attached to the cluster (MI mode). */
  | "userAssignedIdentity"
  /** This app's own managed identity, creating a same-tenant key-mode connection. */
  | "appIdentity"
  /** The multi-tenant app's service principal in the source tenant (cross-tenant key mode). */
  | "crossTenantApp";

export interface PrincipalRef {
  tenantId: string;
  objectId: string;
  kind: PrincipalKind;
  /** The identity's ARM resource ID (MI modes). */
  resourceId?: string;
}

export type PermissionKind = "action" | "dataAction";

/** One permission the binding principal must hold at a scope for the connection to work (or be creatable). */
export interface Requirement {
  /** Which part of the source it is about, e.g. "eventHub", "eventHubNamespace", "storageAccount", "iotHub", "cosmosDbAccount". */
  source: string;
  /** The resource ID the permission is needed at. */
  scope: string;
  /** RBAC action or data action, e.g. "Microsoft.EventHub/namespaces/messages/receive/action". */
  permission: string;
  permissionKind: PermissionKind;
}

/** A role assignment that satisfies a requirement. */
export interface Grant {
  /** Full ARM ID of the role assignment (the key of the grant index). */
  roleAssignmentId: string;
  roleDefinitionId: string;
  /** Where the assignment is (the requirement's scope or an ancestor). */
  scope: string;
  /** Object ID the assignment is made to: the principal itself, or a group it is in. */
  assigneeObjectId: string;
}

export interface RequirementStatus {
  requirement: Requirement;
  granted: boolean;
  /** Every assignment that grants it (more than one means revoking one keeps access). */
  grants: Grant[];
}

/** Whose access the connection depends on, for what, and through which grants (at verification time). */
export interface Binding {
  principal: PrincipalRef;
  requirements: RequirementStatus[];
  verifiedAt: string;
}

export function isBindingSatisfied(binding: Pick<Binding, "requirements">): boolean {
  return binding.requirements.every((r) => r.granted);
}

/** Who called (from the validated bearer token). */
export interface CallerRef {
  tenantId: string;
  objectId: string;
  appId?: string;
  /** upn / preferred_username / app display name when the token has one. */
  name?: string;
}

/**
 * Provisioning: ARM accepted the PUT and the operation has not ended. Failed: Kusto reports it failed (or
 * disabled). Deleted: removed by this app (the record stays as a tombstone for the audit trail).
 */
export type ConnectionStatus = "Provisioning" | "Succeeded" | "Failed" | "Deleting" | "Deleted";

export interface ManagedConnection {
  /** ARM ID (toConnectionId(key)). */
  id: string;
  key: ConnectionKey;
  kind: ConnectionKind;
  authMode: AuthMode;
  spec: DataConnectionSpec;
  binding: Binding;
  /** Every source resource the spec references (event hub, storage account, IoT hub, Cosmos DB account). */
  sourceResourceIds: string[];
  status: ConnectionStatus;
  /** Kusto's provisioningState at the last read. */
  provisioningState?: string;
  /** The long-running operation in flight, if any (what `GET /api/operations/{id}` follows). */
  operation?: {
    id: string;
    kind: "create" | "update" | "delete";
    /** The SDK poller's serialized state (poller.toString()), to resume polling from any instance. */
    resumeToken?: string;
    startedAt: string;
    /** The journal intent the operation completes (its completed/failed entry names it). */
    intentId?: string;
    /** Set when the operation has ended (the record keeps its last operation so it can still be looked up). */
    endedAt?: string;
    /**
     * Set while the operation is only a claim: the request that saved it (ETag / insert-if-absent) owns the ARM
     * write until then and has not yet recorded ARM's answer. Past it, the claimer is presumed dead and another
     * request may take over.
     */
    claimedUntil?: string;
    error?: { code: string; message: string };
  };
  createdBy: CallerRef;
  createdAt: string;
  updatedBy: CallerRef;
  updatedAt: string;
  /** The registry's concurrency token (ETag); set by the registry on read and write. */
  etag?: string;
}

/** The source resource IDs a spec references (lower-level detail of each kind). */
export function sourceResourceIdsOf(spec: DataConnectionSpec): string[] {
  const p = spec.properties;
  const ids = [p.eventHubResourceId, p.storageAccountResourceId, p.iotHubResourceId, p.cosmosDbAccountResourceId];
  return ids.filter((id): id is string => typeof id === "string" && id.length > 0);
}

export type JournalAction = "create" | "update" | "delete" | "adopt" | "revoke" | "keep" | "notify" | "remediate";
export type JournalPhase = "intent" | "completed" | "failed" | "skipped";

/**
 * Append-only: an `intent` entry is written before any ARM change and a `completed`/`failed` entry
 * (with `intentId`) after it, so a crash between the two leaves evidence to converge from.
 */
export interface JournalEntry {
  id: string;
  connectionId: string;
  at: string;
  action: JournalAction;
  phase: JournalPhase;
  intentId?: string;
  /** A caller, or a system actor such as "revocation" / "audit". */
  actor: CallerRef | { system: string };
  correlationId: string;
  reason?: string;
  before?: unknown;
  after?: unknown;
  error?: { code: string; message: string };
}

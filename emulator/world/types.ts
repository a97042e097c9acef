// The emulated cloud's state: tenants, subscriptions, principals, app registrations and ARM resources.

export interface Tenant {
  id: string;
  displayName: string;
}

export interface Subscription {
  id: string;
  tenantId: string;
  displayName: string;
}

/** ARM's principalType values (role assignments), which is also what we store. */
export type PrincipalType = "User" | "Group" | "ServicePrincipal";

export interface Principal {
  /** Object ID in its tenant. */
  objectId: string;
  tenantId: string;
  type: PrincipalType;
  displayName: string;
  /** Service principals: the application (client) ID. Managed identities: their client ID. */
  appId?: string;
  /** Set for managed identities; `resourceId` is what `mi_res_id` selects. */
  managedIdentity?: { kind: "SystemAssigned" | "UserAssigned"; resourceId: string };
  /** Groups: object IDs of direct members (users, service principals, groups). */
  members?: string[];
  /** App roles granted to this principal on our own API (ends up in tokens' `roles`). */
  appRoles?: string[];
}

export interface FederatedIdentityCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface AppRegistration {
  appId: string;
  /** Tenant the application object lives in. */
  homeTenantId: string;
  displayName: string;
  signInAudience: "AzureADMyOrg" | "AzureADMultipleOrgs";
  federatedIdentityCredentials: FederatedIdentityCredential[];
  /** App ID URI(s), accepted as token audiences for this app. */
  identifierUris?: string[];
}

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinition {
  /** The role's GUID (the last segment of its ID). */
  name: string;
  roleName: string;
  type: "BuiltInRole" | "CustomRole";
  description?: string;
  permissions: Permission[];
  assignableScopes: string[];
}

/** A stored ARM resource: `body` is the full JSON representation ARM returns for it. */
export interface ResourceRecord {
  id: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string | undefined;
  body: Record<string, unknown>;
  /** Bumped on every write; exposed as ETag where the provider does. */
  version: number;
}

/** The JSON a world file holds (emulator/worlds/*.json, or POST /__admin/world). */
export interface WorldSeed {
  /**
   * Well-known IDs the stack wires into the app's settings and prints (demo world): kustoTenantId,
   * kustoSubscriptionId, sourceTenantId, sourceSubscriptionId, appIdentityClientId,
   * appIdentityObjectId, appIdentityResourceId, multiTenantAppId, functionAppResourceId, ...
   */
  meta?: Record<string, string>;
  tenants: Tenant[];
  subscriptions: Subscription[];
  /** Resource groups: `/subscriptions/{s}/resourceGroups/{name}` with a location. */
  resourceGroups?: { subscriptionId: string; name: string; location: string }[];
  principals: Principal[];
  applications?: AppRegistration[];
  customRoles?: RoleDefinition[];
  /** Any ARM resource as its provider would return it (id, type, location, properties, identity...). */
  resources?: Record<string, unknown>[];
  roleAssignments?: {
    /** Optional GUID; generated when absent. */
    name?: string;
    scope: string;
    /** A role GUID, a role name ("Azure Event Hubs Data Receiver"), or a full definition ID. */
    role: string;
    principalId: string;
  }[];
}

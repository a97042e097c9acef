// Who the binding principal of a connection is, from the request's access block, the settings and the
// cluster's identities. Pure: the use cases read the cluster (MI mode only) and pass it in.
import { AppError, fail, ok, type Problem, type Result } from "../errors";
import type { AccessRequest, AuthMode, ConnectionKey, DataConnectionSpec, PrincipalRef } from "./model";
import { normalizeResourceId, toClusterId } from "./model";
import type { KustoClusterInfo, SourceAuthorization } from "./ports";
import type { ConnectionsSettings } from "./deps";

/** What the request asks for, before any I/O: the mode, the identity and the source's tenant. */
export interface AccessIntent {
  mode: AuthMode;
  /** The spec sent to Kusto: in MI mode `properties.managedIdentityResourceId` is set from the access block. */
  spec: DataConnectionSpec;
  /** MI mode: the identity's resource ID (the cluster's ID for its system identity). */
  managedIdentityResourceId?: string;
  /** The source's tenant: `access.sourceTenantId`, else the app's tenant (undefined when neither is known). */
  sourceTenantId: string | undefined;
  crossTenant: boolean;
}

export interface ResolvedBinding {
  intent: AccessIntent;
  principal: PrincipalRef;
  /** How Kusto's PUT reaches the source: an auxiliary token for the source tenant across tenants. */
  auth: SourceAuthorization;
}

const sameId = (a: string, b: string) => normalizeResourceId(a) === normalizeResourceId(b);
const sameTenant = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function invalid(code: string, message: string, path: string): AppError {
  return new AppError("validation", code, message, { problems: [{ code, message, path }] });
}

/** Mode, identity and tenant of a request (every problem at once). */
export function resolveAccessIntent(spec: DataConnectionSpec, access: AccessRequest, settings: ConnectionsSettings): Result<AccessIntent> {
  const problems: Problem[] = [];
  const specIdentity = typeof spec.properties.managedIdentityResourceId === "string" ? spec.properties.managedIdentityResourceId : undefined;
  if (access.managedIdentityResourceId && specIdentity && !sameId(access.managedIdentityResourceId, specIdentity)) {
    problems.push({
      code: "ManagedIdentityMismatch",
      message: "access.managedIdentityResourceId and properties.managedIdentityResourceId name different identities.",
      path: "/access/managedIdentityResourceId",
    });
  }
  const identity = access.managedIdentityResourceId ?? specIdentity;
  const mode: AuthMode = access.mode ?? (identity || spec.kind === "CosmosDb" ? "managedIdentity" : "key");
  if (mode === "managedIdentity" && !identity) {
    problems.push({
      code: "ManagedIdentityRequired",
      message: "Managed-identity mode needs managedIdentityResourceId: the cluster's ID (its system identity) or a user-assigned identity attached to it.",
      path: "/access/managedIdentityResourceId",
    });
  }
  if (mode === "key" && identity) {
    problems.push({
      code: "ManagedIdentityInKeyMode",
      message: "Key mode builds the connection from keys: remove managedIdentityResourceId or use mode managedIdentity.",
      path: specIdentity ? "/properties/managedIdentityResourceId" : "/access/managedIdentityResourceId",
    });
  }
  const sourceTenantId = access.sourceTenantId ?? settings.appTenantId;
  const crossTenant = access.sourceTenantId !== undefined && (settings.appTenantId === undefined || !sameTenant(access.sourceTenantId, settings.appTenantId));
  if (mode === "managedIdentity" && crossTenant) {
    problems.push({
      code: "CrossTenantRequiresKeyMode",
      message: "A Kusto managed identity cannot reach a source in another tenant: use mode key for a cross-tenant source.",
      path: "/access/mode",
    });
  }
  if (problems.length > 0) {
    const first = problems[0] as Problem;
    return fail(new AppError("validation", first.code, first.message, { problems }));
  }
  const effective: DataConnectionSpec =
    mode === "managedIdentity" && identity && !specIdentity
      ? { ...spec, properties: { ...spec.properties, managedIdentityResourceId: identity } }
      : spec;
  return ok({ mode, spec: effective, ...(mode === "managedIdentity" ? { managedIdentityResourceId: identity } : {}), sourceTenantId, crossTenant });
}

/** The principal whose access the connection will depend on (cluster identities come from `cluster`). */
export function resolveBindingPrincipal(
  intent: AccessIntent,
  key: ConnectionKey,
  cluster: KustoClusterInfo | undefined,
  settings: ConnectionsSettings,
): Result<ResolvedBinding> {
  if (intent.mode === "managedIdentity") {
    const identity = intent.managedIdentityResourceId as string;
    if (!cluster) return fail(new AppError("notFound", "ClusterNotFound", `The cluster ${toClusterId(key)} does not exist.`));
    if (sameId(identity, toClusterId(key)) || sameId(identity, cluster.id)) {
      if (!cluster.systemIdentity) {
        return fail(invalid("ClusterHasNoSystemIdentity", `The cluster ${cluster.id} has no system-assigned identity.`, "/access/managedIdentityResourceId"));
      }
      const { principalId, tenantId } = cluster.systemIdentity;
      return ok({ intent, principal: { tenantId, objectId: principalId, kind: "clusterIdentity", resourceId: cluster.id }, auth: {} });
    }
    const attached = cluster.userAssignedIdentities[normalizeResourceId(identity)];
    if (!attached) {
      return fail(
        invalid("IdentityNotAttachedToCluster", `The identity ${identity} is neither the cluster's system identity nor a user-assigned identity attached to ${cluster.id}.`, "/access/managedIdentityResourceId"),
      );
    }
    const tenantId = cluster.systemIdentity?.tenantId ?? settings.appTenantId;
    if (!tenantId) return fail(new AppError("internal", "AppTenantNotConfigured", "APP_TENANT_ID is not set: the identity's tenant is unknown."));
    return ok({ intent, principal: { tenantId, objectId: attached.principalId, kind: "userAssignedIdentity", resourceId: identity }, auth: {} });
  }
  if (intent.crossTenant) {
    const tenantId = intent.sourceTenantId as string;
    const allowed = settings.sourceTenants.find((t) => sameTenant(t.tenantId, tenantId));
    if (!allowed) {
      return fail(
        new AppError("forbidden", "SourceTenantNotAllowed", `Source tenant ${tenantId} is not one of the app's allowed source tenants (SOURCE_TENANTS).`, {
          problems: [{ code: "SourceTenantNotAllowed", message: `Tenant ${tenantId} is not allowed.`, path: "/access/sourceTenantId" }],
        }),
      );
    }
    return ok({ intent, principal: { tenantId, objectId: allowed.servicePrincipalObjectId, kind: "crossTenantApp" }, auth: { auxiliaryTenantId: tenantId } });
  }
  const { appTenantId, appPrincipalId } = settings;
  if (!appTenantId || !appPrincipalId) {
    return fail(new AppError("internal", "AppIdentityNotConfigured", "APP_TENANT_ID and APP_PRINCIPAL_ID must be set for key-mode connections."));
  }
  return ok({ intent, principal: { tenantId: appTenantId, objectId: appPrincipalId, kind: "appIdentity" }, auth: {} });
}

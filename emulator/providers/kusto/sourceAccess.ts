// What Kusto checks about a data connection's sources: that they exist (with the consumer group, shared
// access policy, Cosmos DB database and container), and that the connection's principal can reach them.
// Key mode (no managedIdentityResourceId; always IotHub): the identity speaking for the source's tenant
// must be able to list keys. MI mode: the named identity of the cluster must hold the data actions, and it
// must live in the source's tenant. The same rules, evaluated at read time, tell if an MI connection still works.
import type { ArmRequest, EmulatorContext } from "../../arm/contract";
import { ArmError } from "../../arm/contract";
import type { ResourceRecord } from "../../world/types";
import type { World } from "../../world/world";
import { resourceKey } from "../../world/resourceId";
import { hasCosmosDataReader } from "../cosmosDb";
import { DEFAULT_CONSUMER_GROUP } from "../eventHub";
import { iotHubPolicies } from "../iotHub";
import { isRecord } from "../common/resourceRoutes";
import type { SupportedKind } from "./dataConnectionSchema";

export const EVENT_HUB_RECEIVE = "Microsoft.EventHub/namespaces/messages/receive/action";
export const EVENT_HUB_LIST_KEYS = "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action";
export const IOT_HUB_LIST_KEYS = "Microsoft.Devices/IotHubs/listkeys/action";
export const STORAGE_LIST_KEYS = "Microsoft.Storage/storageAccounts/listkeys/action";
export const BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
export const COSMOS_ACCOUNT_READ = "Microsoft.DocumentDB/databaseAccounts/read";

export interface Requirement {
  scope: string;
  action: string;
  kind: "action" | "dataAction";
}

export type AuthMode = "key" | "managedIdentity";

export function authModeOf(kind: SupportedKind, properties: Record<string, unknown>): AuthMode {
  if (kind === "IotHub") return "key";
  return typeof properties.managedIdentityResourceId === "string" && properties.managedIdentityResourceId !== "" ? "managedIdentity" : "key";
}

function str(properties: Record<string, unknown>, name: string): string {
  const value = properties[name];
  return typeof value === "string" ? value : "";
}

function namespaceOf(eventHubId: string): string {
  return eventHubId.replace(/\/+$/, "").split("/").slice(0, -2).join("/");
}

/** The ARM resources a connection reads from. */
export function sourceIds(kind: SupportedKind, properties: Record<string, unknown>): string[] {
  switch (kind) {
    case "EventHub":
      return [str(properties, "eventHubResourceId")];
    case "EventGrid":
      return [str(properties, "storageAccountResourceId"), str(properties, "eventHubResourceId")];
    case "IotHub":
      return [str(properties, "iotHubResourceId")];
    case "CosmosDb":
      return [str(properties, "cosmosDbAccountResourceId")];
  }
}

/** Sources, consumer groups, shared access policies and Cosmos DB containers that do not exist. */
export function checkSources(world: World, kind: SupportedKind, properties: Record<string, unknown>): ArmError[] {
  const problems: ArmError[] = [];
  const missing = (what: string, id: string) => new ArmError(400, "LinkedResourceNotFound", `The ${what} '${id}' does not exist.`);
  const consumerGroup = str(properties, "consumerGroup");
  const hasChild = (parentId: string, path: string) => world.getResource(`${parentId}/${path}/${consumerGroup}`) !== undefined;
  const cgMissing = (parentId: string) =>
    new ArmError(400, "ConsumerGroupNotFound", `The consumer group '${consumerGroup}' does not exist in '${parentId}'.`);
  if (kind === "EventHub" || kind === "EventGrid") {
    const hub = str(properties, "eventHubResourceId");
    // The namespace message is Kusto's own wording (KustoDataConnectionValidationAsync.json).
    if (!world.getResource(namespaceOf(hub))) problems.push(new ArmError(400, "LinkedResourceNotFound", "Event hub's namespace does not exist"));
    else if (!world.getResource(hub)) problems.push(missing("event hub", hub));
    else if (consumerGroup !== DEFAULT_CONSUMER_GROUP && !hasChild(hub, "consumergroups")) problems.push(cgMissing(hub));
  }
  if (kind === "EventGrid") {
    const account = str(properties, "storageAccountResourceId");
    if (!world.getResource(account)) problems.push(missing("storage account", account));
  }
  if (kind === "IotHub") {
    const hubId = str(properties, "iotHubResourceId");
    const hub = world.getResource(hubId);
    if (!hub) problems.push(missing("IoT hub", hubId));
    else {
      if (consumerGroup !== DEFAULT_CONSUMER_GROUP && !hasChild(hubId, "eventHubEndpoints/events/ConsumerGroups")) problems.push(cgMissing(`${hubId}/eventHubEndpoints/events`));
      const policy = str(properties, "sharedAccessPolicyName");
      if (!iotHubPolicies(hub.body).some((p) => p.keyName.toLowerCase() === policy.toLowerCase())) {
        problems.push(new ArmError(400, "SharedAccessPolicyNotFound", `The shared access policy '${policy}' does not exist on IoT hub '${hubId}'.`));
      }
    }
  }
  if (kind === "CosmosDb") {
    const account = str(properties, "cosmosDbAccountResourceId");
    const database = `${account}/sqlDatabases/${str(properties, "cosmosDbDatabase")}`;
    const container = `${database}/containers/${str(properties, "cosmosDbContainer")}`;
    if (!world.getResource(account)) problems.push(missing("Cosmos DB account", account));
    else if (!world.getResource(database)) problems.push(missing("Cosmos DB database", database));
    else if (!world.getResource(container)) problems.push(missing("Cosmos DB container", container));
  }
  return problems;
}

/** Key mode: what the creating identity must be allowed to do on the sources (list their keys). */
export function keyRequirements(kind: SupportedKind, properties: Record<string, unknown>): Requirement[] {
  switch (kind) {
    case "EventHub":
      return [{ scope: namespaceOf(str(properties, "eventHubResourceId")), action: EVENT_HUB_LIST_KEYS, kind: "action" }];
    case "EventGrid":
      return [
        { scope: str(properties, "storageAccountResourceId"), action: STORAGE_LIST_KEYS, kind: "action" },
        { scope: namespaceOf(str(properties, "eventHubResourceId")), action: EVENT_HUB_LIST_KEYS, kind: "action" },
      ];
    case "IotHub":
      return [{ scope: str(properties, "iotHubResourceId"), action: IOT_HUB_LIST_KEYS, kind: "action" }];
    case "CosmosDb":
      return [];
  }
}

/** MI mode: what the managed identity must hold (Cosmos DB's data-plane role is checked apart). */
export function managedIdentityRequirements(kind: SupportedKind, properties: Record<string, unknown>): Requirement[] {
  switch (kind) {
    case "EventHub":
      return [{ scope: str(properties, "eventHubResourceId"), action: EVENT_HUB_RECEIVE, kind: "dataAction" }];
    case "EventGrid":
      return [
        { scope: str(properties, "eventHubResourceId"), action: EVENT_HUB_RECEIVE, kind: "dataAction" },
        { scope: str(properties, "storageAccountResourceId"), action: BLOB_READ, kind: "dataAction" },
      ];
    case "IotHub":
      return [];
    case "CosmosDb":
      return [{ scope: str(properties, "cosmosDbAccountResourceId"), action: COSMOS_ACCOUNT_READ, kind: "action" }];
  }
}

/**
 * The principal behind `managedIdentityResourceId`: the cluster's system identity when it is the cluster's
 * own ID, or a user-assigned identity attached to the cluster.
 */
export function resolveManagedIdentity(world: World, cluster: ResourceRecord, identityResourceId: string): { objectId: string } | ArmError {
  const identity = isRecord(cluster.body.identity) ? cluster.body.identity : {};
  const type = typeof identity.type === "string" ? identity.type : "None";
  const notAssigned = new ArmError(
    400,
    "ManagedIdentityNotAssigned",
    `The managed identity '${identityResourceId}' is not assigned to cluster '${cluster.id}'.`,
  );
  if (resourceKey(identityResourceId) === resourceKey(cluster.id)) {
    if (!/systemassigned/i.test(type)) return notAssigned;
    const principalId = typeof identity.principalId === "string" ? identity.principalId : world.findManagedIdentity({ resourceId: cluster.id })?.objectId;
    return principalId ? { objectId: principalId } : notAssigned;
  }
  if (!/userassigned/i.test(type) || !isRecord(identity.userAssignedIdentities)) return notAssigned;
  const entry = Object.entries(identity.userAssignedIdentities).find(([key]) => resourceKey(key) === resourceKey(identityResourceId));
  if (!entry) return notAssigned;
  const fromEntry = isRecord(entry[1]) && typeof entry[1].principalId === "string" ? entry[1].principalId : undefined;
  const principalId = fromEntry ?? world.findManagedIdentity({ resourceId: identityResourceId })?.objectId;
  return principalId ? { objectId: principalId } : notAssigned;
}

export interface AccessCheckInput {
  kind: SupportedKind;
  properties: Record<string, unknown>;
  cluster: ResourceRecord;
  /** The data connection's path (for messages). */
  connectionPath: string;
}

/**
 * Creation-time access checks. Key mode asks ctx.identityForTenant for each source's tenant, which throws
 * 401 LinkedAuthorizationFailed when another tenant's source comes without an auxiliary token. Returns the
 * managed identity's object ID (MI mode) or the problems found.
 */
export function checkAccess(req: ArmRequest, ctx: EmulatorContext, input: AccessCheckInput): { problems: ArmError[]; managedIdentityObjectId?: string } {
  const { world } = ctx;
  const clusterTenant = world.tenantOfResource(input.cluster.id) ?? "";
  const tenantOf = (id: string) => world.tenantOfResource(id) ?? clusterTenant;
  if (authModeOf(input.kind, input.properties) === "key") {
    const problems: ArmError[] = [];
    for (const requirement of keyRequirements(input.kind, input.properties)) {
      const identity = ctx.identityForTenant(req, tenantOf(requirement.scope));
      if (!ctx.rbac.isAllowed(identity, requirement.action, requirement.scope, requirement.kind)) {
        problems.push(
          new ArmError(
            403,
            "LinkedAuthorizationFailed",
            `The client '${identity.objectId}' with object id '${identity.objectId}' has permission to perform action ` +
              `'Microsoft.Kusto/clusters/databases/dataConnections/write' on scope '${input.connectionPath}'; however, it does not have ` +
              `permission to perform action(s) '${requirement.action}' on the linked scope(s) '${requirement.scope}' (respectively) or the linked scope(s) are invalid.`,
          ),
        );
      }
    }
    return { problems };
  }
  const identityId = str(input.properties, "managedIdentityResourceId");
  const resolved = resolveManagedIdentity(world, input.cluster, identityId);
  if (resolved instanceof ArmError) return { problems: [resolved] };
  return { problems: managedIdentityProblems(world, ctx, input, resolved.objectId, clusterTenant), managedIdentityObjectId: resolved.objectId };
}

function managedIdentityProblems(world: World, ctx: EmulatorContext, input: AccessCheckInput, objectId: string, clusterTenant: string): ArmError[] {
  const identityId = str(input.properties, "managedIdentityResourceId");
  const foreign = sourceIds(input.kind, input.properties).filter((id) => {
    const tenant = world.tenantOfResource(id);
    return tenant !== undefined && tenant.toLowerCase() !== clusterTenant.toLowerCase();
  });
  if (foreign.length > 0) {
    return [
      new ArmError(
        400,
        "CrossTenantManagedIdentityNotSupported",
        `The source '${foreign[0]}' is in another tenant: an Azure Data Explorer managed identity can't access resources in a different tenant. Use key-based authentication (omit managedIdentityResourceId).`,
      ),
    ];
  }
  const problems: ArmError[] = [];
  for (const requirement of managedIdentityRequirements(input.kind, input.properties)) {
    if (!ctx.rbac.isAllowed({ objectId }, requirement.action, requirement.scope, requirement.kind)) {
      problems.push(
        new ArmError(
          400,
          "InsufficientManagedIdentityPermissions",
          `The managed identity '${identityId}' (object ID '${objectId}') is not allowed to perform '${requirement.action}' on '${requirement.scope}'.`,
        ),
      );
    }
  }
  if (input.kind === "CosmosDb") {
    const account = str(input.properties, "cosmosDbAccountResourceId");
    if (!hasCosmosDataReader(world, account, objectId, str(input.properties, "cosmosDbDatabase"), str(input.properties, "cosmosDbContainer"))) {
      problems.push(
        new ArmError(
          400,
          "InsufficientManagedIdentityPermissions",
          `The managed identity '${identityId}' (object ID '${objectId}') has no Cosmos DB Built-in Data Reader role assignment (sqlRoleAssignments) covering container '${str(input.properties, "cosmosDbContainer")}' of '${account}'.`,
        ),
      );
    }
  }
  return problems;
}

/**
 * Read-time health of a Succeeded connection: every source still exists, and in MI mode the identity is
 * still attached to the cluster and still holds what creation required. Key-mode connections do not depend
 * on the creator's access after creation (they keep the keys), so only source existence matters for them.
 */
export function isConnectionHealthy(ctx: EmulatorContext, cluster: ResourceRecord | undefined, kind: SupportedKind, properties: Record<string, unknown>): boolean {
  if (!cluster) return false;
  if (checkSources(ctx.world, kind, properties).length > 0) return false;
  if (authModeOf(kind, properties) === "key") return true;
  const resolved = resolveManagedIdentity(ctx.world, cluster, str(properties, "managedIdentityResourceId"));
  if (resolved instanceof ArmError) return false;
  const clusterTenant = ctx.world.tenantOfResource(cluster.id) ?? "";
  return managedIdentityProblems(ctx.world, ctx, { kind, properties, cluster, connectionPath: "" }, resolved.objectId, clusterTenant).length === 0;
}

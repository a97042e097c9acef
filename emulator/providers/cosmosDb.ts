// Microsoft.DocumentDB resource provider: database accounts, SQL databases and containers, SQL (data-plane)
// role assignments and listKeys; enough for Kusto CosmosDb data connections to have real sources.
import type { ResourceProvider, RouteDefinition } from "../arm/contract";
import type { World } from "../world/world";
import { resourceNotFound } from "./common/errors";
import { generatedKey } from "./common/keys";
import { isRecord, resourceRoutes, type ResourceLevel } from "./common/resourceRoutes";

/** Microsoft.DocumentDB api-versions (2024-11-15 and 2025-04-15 are current stable). */
export const COSMOS_DB_API_VERSIONS = ["2023-04-15", "2023-11-15", "2024-05-15", "2024-08-15", "2024-11-15", "2025-04-15"] as const;

const NAMESPACE = "Microsoft.DocumentDB";
const accounts: ResourceLevel = { collection: "databaseAccounts", param: "accountName" };
const sqlDatabases: ResourceLevel = { collection: "sqlDatabases", param: "databaseName" };
const containers: ResourceLevel = { collection: "containers", param: "containerName" };
const sqlRoleAssignments: ResourceLevel = { collection: "sqlRoleAssignments", param: "roleAssignmentId" };

/** Built-in Cosmos DB data-plane roles (sqlRoleDefinitions GUIDs) that can read the change feed. */
export const COSMOS_DATA_READER_ROLES = ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"];

/** Stamps Cosmos DB's system properties onto a child's `resource`, as its GETs return them. */
function withResource(input: Record<string, unknown>, name: string): Record<string, unknown> {
  const resource = isRecord(input.resource) ? input.resource : {};
  return {
    ...input,
    resource: { ...resource, id: name, _rid: Buffer.from(name).toString("base64").slice(0, 8), _ts: Math.floor(Date.now() / 1000), _etag: `"${Date.now().toString(16)}"` },
  };
}

const accountRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [accounts],
  type: "Microsoft.DocumentDB/databaseAccounts",
  actionPrefix: "Microsoft.DocumentDB/databaseAccounts",
  apiVersions: COSMOS_DB_API_VERSIONS,
  tracked: true,
  passThrough: ["kind", "identity"],
  toProperties: (input, { name }) => ({
    databaseAccountOfferType: "Standard",
    consistencyPolicy: { defaultConsistencyLevel: "Session", maxIntervalInSeconds: 5, maxStalenessPrefix: 100 },
    disableLocalAuth: false,
    publicNetworkAccess: "Enabled",
    ...input,
    documentEndpoint: `https://${name}.documents.azure.com:443/`,
  }),
});

const databaseRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [accounts, sqlDatabases],
  type: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
  actionPrefix: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
  apiVersions: COSMOS_DB_API_VERSIONS,
  tracked: false,
  passThrough: ["location"],
  toProperties: (input, { name }) => withResource(input, name),
});

const containerRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [accounts, sqlDatabases, containers],
  type: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
  actionPrefix: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
  apiVersions: COSMOS_DB_API_VERSIONS,
  tracked: false,
  passThrough: ["location"],
  toProperties: (input, { name }) => withResource(input, name),
});

const roleAssignmentRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [accounts, sqlRoleAssignments],
  type: "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
  actionPrefix: "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
  apiVersions: COSMOS_DB_API_VERSIONS,
  tracked: false,
});

const listKeysRoute: RouteDefinition = {
  method: "POST",
  path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DocumentDB/databaseAccounts/{accountName}/listKeys",
  apiVersions: COSMOS_DB_API_VERSIONS,
  action: "Microsoft.DocumentDB/databaseAccounts/listKeys/action",
  handler(req, ctx) {
    const id = `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}/providers/Microsoft.DocumentDB/databaseAccounts/${req.params.accountName}`;
    if (!ctx.world.getResource(id)) throw resourceNotFound("Microsoft.DocumentDB/databaseAccounts", req.params.accountName ?? "", req.params.resourceGroupName);
    return {
      status: 200,
      body: {
        primaryMasterKey: generatedKey(id, "master", "primary"),
        secondaryMasterKey: generatedKey(id, "master", "secondary"),
        primaryReadonlyMasterKey: generatedKey(id, "readonly", "primary"),
        secondaryReadonlyMasterKey: generatedKey(id, "readonly", "secondary"),
      },
    };
  },
};

/**
 * Does the principal hold a Cosmos DB data-plane reader role (a sqlRoleAssignment of the built-in Data
 * Reader or Data Contributor) whose scope covers the container? Cosmos DB's own RBAC, not ARM's.
 */
export function hasCosmosDataReader(world: World, accountId: string, principalId: string, database: string, container: string): boolean {
  const accountKey = accountId.replace(/\/+$/, "").toLowerCase();
  const covered = [accountKey, `${accountKey}/dbs/${database.toLowerCase()}`, `${accountKey}/dbs/${database.toLowerCase()}/colls/${container.toLowerCase()}`];
  return world.listChildren(accountId, "sqlRoleAssignments").some((record) => {
    const props = isRecord(record.body.properties) ? record.body.properties : {};
    const role = String(props.roleDefinitionId ?? "").split("/").pop()?.toLowerCase() ?? "";
    const scope = String(props.scope ?? "").replace(/\/+$/, "").toLowerCase();
    return (
      String(props.principalId ?? "").toLowerCase() === principalId.toLowerCase() && COSMOS_DATA_READER_ROLES.includes(role) && covered.includes(scope)
    );
  });
}

export const cosmosDbProvider: ResourceProvider = {
  namespace: NAMESPACE,
  routes: [...accountRoutes, ...databaseRoutes, ...containerRoutes, ...roleAssignmentRoutes, listKeysRoute],
};

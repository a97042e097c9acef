// Microsoft.Storage resource provider: storage accounts (GET/PUT/DELETE/list) and listKeys; enough for
// Kusto EventGrid data connections to have a real storage account behind them.
import type { ResourceProvider, RouteDefinition } from "../arm/contract";
import { resourceNotFound } from "./common/errors";
import { generatedKey } from "./common/keys";
import { resourceRoutes } from "./common/resourceRoutes";

/** Microsoft.Storage api-versions (2024-01-01 and 2025-01-01 are current stable). */
export const STORAGE_API_VERSIONS = ["2022-09-01", "2023-01-01", "2023-05-01", "2024-01-01", "2025-01-01"] as const;

const NAMESPACE = "Microsoft.Storage";
const ACCOUNT_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}";

const accountRoutes = resourceRoutes({
  namespace: NAMESPACE,
  levels: [{ collection: "storageAccounts", param: "accountName" }],
  type: "Microsoft.Storage/storageAccounts",
  actionPrefix: "Microsoft.Storage/storageAccounts",
  apiVersions: STORAGE_API_VERSIONS,
  tracked: true,
  passThrough: ["sku", "kind", "identity"],
  toProperties: (input, { name, existing }) => {
    const previous = existing?.properties as Record<string, unknown> | undefined;
    return {
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      supportsHttpsTrafficOnly: true,
      accessTier: "Hot",
      ...input,
      creationTime: typeof previous?.creationTime === "string" ? previous.creationTime : new Date().toISOString(),
      primaryEndpoints: {
        blob: `https://${name}.blob.core.windows.net/`,
        queue: `https://${name}.queue.core.windows.net/`,
        table: `https://${name}.table.core.windows.net/`,
        file: `https://${name}.file.core.windows.net/`,
        dfs: `https://${name}.dfs.core.windows.net/`,
      },
      statusOfPrimary: "available",
    };
  },
});

const listKeysRoute: RouteDefinition = {
  method: "POST",
  path: `${ACCOUNT_PATH}/listKeys`,
  apiVersions: STORAGE_API_VERSIONS,
  action: "Microsoft.Storage/storageAccounts/listkeys/action",
  handler(req, ctx) {
    const id = `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${req.params.accountName}`;
    const record = ctx.world.getResource(id);
    if (!record) throw resourceNotFound("Microsoft.Storage/storageAccounts", req.params.accountName ?? "", req.params.resourceGroupName);
    const props = record.body.properties as Record<string, unknown> | undefined;
    const creationTime = typeof props?.creationTime === "string" ? props.creationTime : new Date(0).toISOString();
    const keys = ["key1", "key2"].map((keyName) => ({ keyName, value: generatedKey(id, keyName, "primary"), permissions: "FULL", creationTime }));
    return { status: 200, body: { keys } };
  },
};

export const storageProvider: ResourceProvider = { namespace: NAMESPACE, routes: [...accountRoutes, listKeysRoute] };

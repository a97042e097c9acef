// Microsoft.Kusto resource provider: operations, clusters, databases and data connections (see ./kusto/).
import type { ResourceProvider } from "../arm/contract";
import { clusterRoutes } from "./kusto/clusters";
import { dataConnectionRoutes } from "./kusto/dataConnections";

export { KUSTO_API_VERSIONS } from "./kusto/parents";
export { kustoSettings, setKustoSettings, DEFAULT_KUSTO_SETTINGS, type KustoSettings } from "./kusto/settings";

export const kustoProvider: ResourceProvider = { namespace: "Microsoft.Kusto", routes: [...clusterRoutes, ...dataConnectionRoutes] };

// Microsoft.DocumentDB resource provider (stub: routes arrive with the provider's implementation).
import type { ResourceProvider } from "../arm/contract";

export const cosmosDbProvider: ResourceProvider = { namespace: "Microsoft.DocumentDB", routes: [] };

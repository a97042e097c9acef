// Microsoft.Kusto resource provider (stub: routes arrive with the provider's implementation).
import type { ResourceProvider } from "../arm/contract";

export const kustoProvider: ResourceProvider = { namespace: "Microsoft.Kusto", routes: [] };

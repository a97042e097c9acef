// Microsoft.Storage resource provider (stub: routes arrive with the provider's implementation).
import type { ResourceProvider } from "../arm/contract";

export const storageProvider: ResourceProvider = { namespace: "Microsoft.Storage", routes: [] };

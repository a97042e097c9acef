// Microsoft.Authorization resource provider (stub: routes arrive with the provider's implementation).
import type { ResourceProvider } from "../arm/contract";

export const authorizationProvider: ResourceProvider = { namespace: "Microsoft.Authorization", routes: [] };

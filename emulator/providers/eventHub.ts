// Microsoft.EventHub resource provider (stub: routes arrive with the provider's implementation).
import type { ResourceProvider } from "../arm/contract";

export const eventHubProvider: ResourceProvider = { namespace: "Microsoft.EventHub", routes: [] };

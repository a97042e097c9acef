// Microsoft.Devices resource provider (stub: routes arrive with the provider's implementation).
import type { ResourceProvider } from "../arm/contract";

export const iotHubProvider: ResourceProvider = { namespace: "Microsoft.Devices", routes: [] };

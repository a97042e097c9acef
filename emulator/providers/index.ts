// Every stateless resource provider the ARM front door serves (Event Grid's is stateful: see ../eventgrid).
import type { ResourceProvider } from "../arm/contract";
import { authorizationProvider } from "./authorization";
import { cosmosDbProvider } from "./cosmosDb";
import { eventHubProvider } from "./eventHub";
import { iotHubProvider } from "./iotHub";
import { kustoProvider } from "./kusto";
import { storageProvider } from "./storage";

export const providers: readonly ResourceProvider[] = [
  authorizationProvider,
  kustoProvider,
  eventHubProvider,
  iotHubProvider,
  storageProvider,
  cosmosDbProvider,
];

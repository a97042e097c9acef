// The one place Azure SDK clients are built: endpoint, credential and options all come from settings,
// so the same code talks to Azure or to the local emulator.
import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { KustoManagementClient } from "@azure/arm-kusto";
import { TableServiceClient } from "@azure/data-tables";
import type { Settings } from "../config/settings";

export interface ClientFactory {
  readonly credential: TokenCredential;
  kusto(subscriptionId: string): KustoManagementClient;
  tableService(): TableServiceClient | undefined;
}

export function createClientFactory(settings: Settings): ClientFactory {
  const credential = settings.managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: settings.managedIdentityClientId })
    : new ManagedIdentityCredential();
  // The scope names ARM's audience, never the endpoint: an endpoint override must not change the token.
  const armScope = `${settings.armAudience}.default`;
  return {
    credential,
    kusto: (subscriptionId) =>
      new KustoManagementClient(credential, subscriptionId, {
        endpoint: settings.armEndpoint,
        credentialScopes: [armScope],
      }),
    tableService: () => {
      const storage = settings.storage;
      if (storage.kind === "connectionString") return TableServiceClient.fromConnectionString(storage.connectionString);
      if (storage.kind === "identity") return new TableServiceClient(storage.tableServiceUri, credential);
      return undefined;
    },
  };
}

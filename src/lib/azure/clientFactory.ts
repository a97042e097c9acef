// The one place Azure SDK clients are built: endpoint, credential and options all come from settings,
// so the same code talks to Azure or to the local emulator. Clients are cached (one pipeline, one token
// cache each). `options` is for tests: an injected credential and a CA to trust (never a TLS opt-out).
import { ManagedIdentityCredential, type ClientAssertionCredentialOptions, type TokenCredential } from "@azure/identity";
import { KustoManagementClient } from "@azure/arm-kusto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { TableClient, TableServiceClient } from "@azure/data-tables";
import type { EventGridPublisherClient } from "@azure/eventgrid";
import { auxiliaryAuthenticationHeaderPolicy } from "@azure/core-rest-pipeline";
import type { Settings } from "../config/settings";
import { createCrossTenantCredentials, type CrossTenantCredentials } from "./crossTenantCredential";
import { createEventGridPublisher } from "./eventGridPublisher";

export interface ClientFactoryOptions {
  /** Default: the app's managed identity (AZURE_CLIENT_ID). */
  credential?: TokenCredential;
  /** Passed to every client: tests trust the emulator's CA with `{ tlsOptions: { ca } }`. */
  clientOptions?: { tlsOptions?: { ca?: string } };
  /** Extra options of the cross-tenant ClientAssertionCredential (tests: the CA, no instance discovery). */
  crossTenantCredentialOptions?: ClientAssertionCredentialOptions;
}

export interface ClientFactory {
  readonly credential: TokenCredential;
  /** Kusto management for a subscription; with `auxiliaryTenantId`, every request carries that tenant's auxiliary token. */
  kusto(subscriptionId: string, options?: { auxiliaryTenantId?: string }): KustoManagementClient;
  /** Reads role assignments in `tenantId`: the managed identity for the app's tenant, the cross-tenant app elsewhere. */
  authorization(tenantId: string): AuthorizationManagementClient;
  /** The multi-tenant app's credential in a source tenant; undefined when CROSS_TENANT_APP_CLIENT_ID is not set. */
  crossTenantCredential(tenantId: string): TokenCredential | undefined;
  tableService(): TableServiceClient | undefined;
  /** A table of the registry; undefined when no storage is configured. */
  tableClient(tableName: string): TableClient | undefined;
  /** The notifications topic's publisher; undefined when NOTIFICATIONS_TOPIC_ENDPOINT is not set. */
  eventGridPublisher(): EventGridPublisherClient<"CloudEvent"> | undefined;
}

/** Subscription-less ARM calls (scope-based role assignment reads) still need one in the client's constructor. */
const NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

export function createClientFactory(settings: Settings, options: ClientFactoryOptions = {}): ClientFactory {
  const credential =
    options.credential ??
    (settings.managedIdentityClientId ? new ManagedIdentityCredential({ clientId: settings.managedIdentityClientId }) : new ManagedIdentityCredential());
  const clientOptions = options.clientOptions ?? {};
  // The scope names ARM's audience, never the endpoint: an endpoint override must not change the token.
  const armScope = `${settings.armAudience}.default`;
  const crossTenant: CrossTenantCredentials | undefined = settings.crossTenant.appClientId
    ? createCrossTenantCredentials({
        appClientId: settings.crossTenant.appClientId,
        managedIdentity: credential,
        tokenExchangeAudience: settings.tokenExchangeAudience,
        authorityHost: settings.authorityHost,
        ...(options.crossTenantCredentialOptions ? { credentialOptions: options.crossTenantCredentialOptions } : {}),
      })
    : undefined;
  const isAppTenant = (tenantId: string) => !settings.app.tenantId || settings.app.tenantId.toLowerCase() === tenantId.toLowerCase();
  const cached = <T>(map: Map<string, T>, key: string, build: () => T): T => {
    let value = map.get(key);
    if (value === undefined) {
      value = build();
      map.set(key, value);
    }
    return value;
  };
  const kustoClients = new Map<string, KustoManagementClient>();
  const authorizationClients = new Map<string, AuthorizationManagementClient>();
  const tableClients = new Map<string, TableClient>();
  let publisher: EventGridPublisherClient<"CloudEvent"> | undefined;

  const crossTenantCredential = (tenantId: string) => crossTenant?.(tenantId);
  return {
    credential,
    crossTenantCredential,
    kusto: (subscriptionId, kustoOptions = {}) => {
      const aux = kustoOptions.auxiliaryTenantId;
      return cached(kustoClients, `${subscriptionId}|${aux ?? ""}`.toLowerCase(), () => {
        const client = new KustoManagementClient(credential, subscriptionId, { ...clientOptions, endpoint: settings.armEndpoint, credentialScopes: [armScope] });
        // Without the cross-tenant app no auxiliary token can be had: ARM then refuses the linked source
        // (403 LinkedAuthorizationFailed), which the gateway reports clearly.
        const auxCredential = aux ? crossTenantCredential(aux) : undefined;
        if (auxCredential) client.pipeline.addPolicy(auxiliaryAuthenticationHeaderPolicy({ credentials: [auxCredential], scopes: armScope }));
        return client;
      });
    },
    authorization: (tenantId) =>
      cached(authorizationClients, tenantId.toLowerCase(), () => {
        const tenantCredential = isAppTenant(tenantId) ? credential : (crossTenantCredential(tenantId) ?? credential);
        return new AuthorizationManagementClient(tenantCredential, NO_SUBSCRIPTION, { ...clientOptions, endpoint: settings.armEndpoint, credentialScopes: [armScope] });
      }),
    tableService: () => {
      const storage = settings.storage;
      if (storage.kind === "connectionString") return TableServiceClient.fromConnectionString(storage.connectionString, clientOptions);
      if (storage.kind === "identity") return new TableServiceClient(storage.tableServiceUri, credential, clientOptions);
      return undefined;
    },
    tableClient: (tableName) => {
      const storage = settings.storage;
      if (storage.kind === "none") return undefined;
      return cached(tableClients, tableName, () =>
        storage.kind === "connectionString"
          ? TableClient.fromConnectionString(storage.connectionString, tableName, clientOptions)
          : new TableClient(storage.tableServiceUri, tableName, credential, clientOptions),
      );
    },
    eventGridPublisher: () => {
      const endpoint = settings.notifications.topicEndpoint;
      if (!endpoint) return undefined;
      publisher ??= createEventGridPublisher(endpoint, credential, clientOptions);
      return publisher;
    },
  };
}

// One AuthorizationManagementClient per tenant for the AccessReader's `clientFor`: each reads with a credential
// of that tenant (the app's managed identity at home, the cross-tenant app's ClientAssertionCredential elsewhere).
import { AuthorizationManagementClient, type AuthorizationManagementClientOptionalParams } from "@azure/arm-authorization";
import type { TokenCredential } from "@azure/core-auth";

export interface AuthorizationClientsOptions {
  armEndpoint: string;
  /** The cloud's ARM audience (`https://management.azure.com/`); the token scope is `{audience}.default`. */
  armAudience: string;
  /** The credential whose tokens are `tenantId`'s. Called once per tenant. */
  credentialFor(tenantId: string): TokenCredential;
  /** Extra client options (tests pass `tlsOptions: { ca }`; benchmarks a retry policy). */
  clientOptions?: AuthorizationManagementClientOptionalParams;
}

// The operations the reader uses take full scopes and IDs; the client's subscription is never used by them.
const UNUSED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

export function createAuthorizationClientFor(options: AuthorizationClientsOptions): (tenantId: string) => AuthorizationManagementClient {
  const clients = new Map<string, AuthorizationManagementClient>();
  return (tenantId) => {
    const key = tenantId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = new AuthorizationManagementClient(options.credentialFor(tenantId), UNUSED_SUBSCRIPTION, {
        ...options.clientOptions,
        endpoint: options.armEndpoint,
        credentialScopes: [`${options.armAudience.replace(/\/?$/, "/")}.default`],
      });
      clients.set(key, client);
    }
    return client;
  };
}

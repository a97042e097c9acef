// Credentials for source tenants: the multi-tenant app's ClientAssertionCredential in that tenant, whose
// assertion is the app's managed-identity token for the token-exchange audience (a federated credential of
// the app trusts the UAMI). One per tenant, cached, so MSAL's token cache is reused.
import { ClientAssertionCredential, type ClientAssertionCredentialOptions, type TokenCredential } from "@azure/identity";

export interface CrossTenantCredentialOptions {
  /** Client ID of the multi-tenant app (CROSS_TENANT_APP_CLIENT_ID). */
  appClientId: string;
  /** The app's user-assigned managed identity. */
  managedIdentity: TokenCredential;
  /** The cloud's token-exchange audience, e.g. api://AzureADTokenExchange. */
  tokenExchangeAudience: string;
  /** The cloud's Entra authority host. */
  authorityHost: string;
  /** More credential options (tests: tlsOptions with the emulator's CA, disableInstanceDiscovery). */
  credentialOptions?: ClientAssertionCredentialOptions;
}

export type CrossTenantCredentials = (tenantId: string) => TokenCredential;

export function createCrossTenantCredentials(options: CrossTenantCredentialOptions): CrossTenantCredentials {
  const cache = new Map<string, TokenCredential>();
  const scope = `${options.tokenExchangeAudience}/.default`;
  const getAssertion = async () => {
    const token = await options.managedIdentity.getToken(scope);
    if (!token) throw new Error(`The managed identity returned no token for ${scope}.`);
    return token.token;
  };
  return (tenantId) => {
    const key = tenantId.toLowerCase();
    let credential = cache.get(key);
    if (!credential) {
      credential = new ClientAssertionCredential(tenantId, options.appClientId, getAssertion, {
        authorityHost: options.authorityHost,
        ...options.credentialOptions,
      });
      cache.set(key, credential);
    }
    return credential;
  };
}

// The local Entra ID: token service, App Service managed-identity endpoint and HTTPS authority.
export { createTokenService, toArmClaims } from "./tokenService";
export type { EmulatorTokenService, TokenServiceOptions } from "./tokenService";
export { startManagedIdentityEndpoint, selectIdentity } from "./managedIdentityEndpoint";
export type { ManagedIdentityEndpoint, ManagedIdentityEndpointOptions } from "./managedIdentityEndpoint";
export { startAuthority } from "./authority";
export type { Authority, AuthorityOptions, AuthorityRequestLogEntry } from "./authority";
export { exchangeClientAssertion, matchFederatedCredential, JWT_BEARER_ASSERTION_TYPE } from "./clientAssertionExchange";
export type { AssertionClaims, FederatedCredentialMatch, TokenEndpointResult } from "./clientAssertionExchange";

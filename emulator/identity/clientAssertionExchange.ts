// The token endpoint's decision for the client-credentials grant with a federated client assertion:
// who may get a token for which service principal, following Entra's workload-identity-federation rules.
import { decodeJwt } from "jose";
import { ArmError } from "../arm/contract";
import type { TokenService } from "../arm/contract";
import type { AppRegistration, FederatedIdentityCredential } from "../world/types";
import type { World } from "../world/world";
import { entraError } from "./entraError";
import type { EntraError } from "./entraError";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface ClientAssertionExchangeOptions {
  world: World;
  tokens: TokenService;
  /** Lifetime of issued tokens; default 1 hour (Entra's is 60–90 minutes). */
  lifetimeInSeconds?: number;
}

/** The successful token response of Entra's v2 token endpoint for client credentials. */
export interface ClientCredentialsTokenResponse {
  token_type: "Bearer";
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

export type TokenEndpointResult = { ok: true; body: ClientCredentialsTokenResponse } | { ok: false; error: EntraError };

/** What Entra compares with an app's federated identity credentials (case-sensitively). */
export interface AssertionClaims {
  iss: string;
  sub: string;
  aud: string[];
}

export type FederatedCredentialMatch =
  | { ok: true; credential: FederatedIdentityCredential }
  | { ok: false; mismatch: "noCredentials" | "issuer" | "subject" | "audience" };

/** Issuer, then subject, then audience must match one credential exactly, as Entra checks them. */
export function matchFederatedCredential(app: AppRegistration, assertion: AssertionClaims): FederatedCredentialMatch {
  const all = app.federatedIdentityCredentials;
  if (all.length === 0) return { ok: false, mismatch: "noCredentials" };
  const byIssuer = all.filter((c) => c.issuer === assertion.iss);
  if (byIssuer.length === 0) return { ok: false, mismatch: "issuer" };
  const bySubject = byIssuer.filter((c) => c.subject === assertion.sub);
  if (bySubject.length === 0) return { ok: false, mismatch: "subject" };
  const credential = bySubject.find((c) => c.audiences.some((a) => assertion.aud.includes(a)));
  return credential ? { ok: true, credential } : { ok: false, mismatch: "audience" };
}

/** Handles POST /{tenant}/oauth2/v2.0/token with its form body. */
export async function exchangeClientAssertion(
  options: ClientAssertionExchangeOptions,
  tenantInPath: string,
  form: URLSearchParams,
): Promise<TokenEndpointResult> {
  const { world, tokens } = options;
  const fail = (status: number, error: string, code: number, message: string): TokenEndpointResult => ({
    ok: false,
    error: entraError(status, error, code, message, form.get("client-request-id") ?? undefined),
  });

  const tenant = world.tenants.get(tenantInPath.toLowerCase());
  if (!tenant) {
    return fail(400, "invalid_request", 90002, `Tenant '${tenantInPath}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
  }
  const grantType = form.get("grant_type");
  if (grantType !== "client_credentials") {
    return fail(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType ?? ""}'. The local Azure supports client_credentials with a federated client assertion.`);
  }
  const clientId = form.get("client_id");
  if (!clientId) return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
  if (form.has("client_secret")) {
    return fail(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + clientId + "'. (The local Azure issues no client secrets: use a federated client assertion.)");
  }
  const assertion = form.get("client_assertion");
  if (form.get("client_assertion_type") !== JWT_BEARER_ASSERTION_TYPE || !assertion) {
    return fail(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  const app = world.applications.get(clientId.toLowerCase());
  const servicePrincipal = world.findServicePrincipal(tenant.id, clientId);
  const appServesTenant = app && (app.signInAudience === "AzureADMultipleOrgs" || app.homeTenantId.toLowerCase() === tenant.id.toLowerCase());
  if (!app || !servicePrincipal || !appServesTenant) {
    return fail(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  }

  const resources = (form.get("scope") ?? "").split(" ").filter((s) => s && !["openid", "profile", "offline_access"].includes(s));
  const resource = resources.length === 1 && resources[0]?.endsWith("/.default") ? resources[0].slice(0, -"/.default".length) : undefined;
  if (!resource) {
    return fail(400, "invalid_scope", 1002012, `The provided value for scope ${resources.join(" ")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }

  let claims: AssertionClaims;
  try {
    const decoded = decodeJwt(assertion);
    const aud = typeof decoded.aud === "string" ? [decoded.aud] : (decoded.aud ?? []);
    await tokens.verify(assertion, aud);
    claims = { iss: String(decoded.iss), sub: String(decoded.sub), aud };
  } catch (error) {
    if (error instanceof ArmError && error.code === "ExpiredAuthenticationToken") {
      return fail(401, "invalid_client", 700024, `Client assertion is not within its valid time range. ${error.message}`);
    }
    if (error instanceof ArmError) return fail(401, "invalid_client", 700027, `Client assertion failed signature validation. (${error.message})`);
    return fail(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
  }

  const match = matchFederatedCredential(app, claims);
  if (!match.ok) {
    const hint = "Please note that the matching is done using a case-sensitive comparison. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    switch (match.mismatch) {
      case "issuer":
        return fail(401, "invalid_client", 700211, `No matching federated identity record found for presented assertion issuer '${claims.iss}'. ${hint}`);
      case "subject":
        return fail(401, "invalid_client", 700213, `No matching federated identity record found for presented assertion subject '${claims.sub}'. ${hint}`);
      case "audience":
        return fail(401, "invalid_client", 700212, `No matching federated identity record found for presented assertion audience '${claims.aud.join(",")}'. ${hint}`);
      case "noCredentials":
        return fail(401, "invalid_client", 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss}'. Assertion Subject: '${claims.sub}'. Assertion Audience: '${claims.aud.join(",")}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`);
    }
  }

  const lifetime = options.lifetimeInSeconds ?? 3600;
  const accessToken = await tokens.mint({
    tenantId: tenant.id,
    objectId: servicePrincipal.objectId,
    appId: app.appId,
    audience: resource,
    roles: rolesFor(world, resource, servicePrincipal.appRoles),
    lifetimeInSeconds: lifetime,
  });
  return { ok: true, body: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken } };
}

/**
 * App roles are granted on one API (an app of the world); a token for any other resource (ARM, Kusto)
 * carries none, as in Entra.
 */
export function rolesFor(world: World, resource: string, appRoles: string[] | undefined): string[] | undefined {
  if (!appRoles || appRoles.length === 0) return undefined;
  const target = resource.replace(/\/+$/, "").toLowerCase();
  for (const app of world.applications.values()) {
    const names = [app.appId, `api://${app.appId}`, ...(app.identifierUris ?? [])].map((n) => n.replace(/\/+$/, "").toLowerCase());
    if (names.includes(target)) return appRoles;
  }
  return undefined;
}

// An Entra-like authority over HTTPS: the per-tenant OpenID configuration, signing keys, instance
// discovery and the v2 token endpoint (client credentials with a federated assertion), as MSAL calls them.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TokenService } from "../arm/contract";
import type { World } from "../world/world";
import { exchangeClientAssertion } from "./clientAssertionExchange";
import { entraError } from "./entraError";
import type { EmulatorTokenService } from "./tokenService";
import { readBody } from "../http/readBody";

export interface AuthorityOptions {
  world: World;
  tokens: TokenService & Pick<EmulatorTokenService, "jwks">;
  tls: { certPem: string; keyPem: string };
  port?: number;
  /** Lifetime of tokens from the token endpoint; default 1 hour. */
  tokenLifetimeInSeconds?: number;
  /** Told about every answered request (the emulator's request log; tests). */
  onRequest?: (entry: AuthorityRequestLogEntry) => void;
}

export interface AuthorityRequestLogEntry {
  method: string;
  /** The Host header: 127.0.0.1:PORT, or a public name reached through the host tunnel. */
  host: string;
  path: string;
  status: number;
  /** Entra's error code (AADSTS number) for refusals. */
  errorCode?: number;
}

export interface Authority {
  /** What clients configure as `authorityHost`, e.g. https://127.0.0.1:PORT */
  authorityHost: string;
  close(): Promise<void>;
}

/** AADSTS code of each refused request, for the request log. */
const errorCodes = new WeakMap<ServerResponse, number>();

/** Tenant-independent names Entra accepts in place of a tenant ID. */
const MULTI_TENANT_NAMES = new Set(["common", "organizations", "consumers"]);
/** The public cloud's aliases, as Entra's instance discovery lists them. */
const PUBLIC_CLOUD_METADATA = {
  preferred_network: "login.microsoftonline.com",
  preferred_cache: "login.windows.net",
  aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
};

export async function startAuthority(options: AuthorityOptions): Promise<Authority> {
  const server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    res.on("finish", () =>
      options.onRequest?.({
        method: req.method ?? "",
        host: req.headers.host ?? "",
        path: (req.url ?? "").split("?")[0] ?? "",
        status: res.statusCode,
        errorCode: errorCodes.get(res),
      }),
    );
    handle(options, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, entraError(500, "server_error", 50000, `The local authority failed: ${String(error)}`).body);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    authorityHost: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(options: AuthorityOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Links point back at the host the client used: 127.0.0.1:PORT directly, or a public name through a proxy.
  const origin = `https://${req.headers.host ?? "127.0.0.1"}`;
  const url = new URL(req.url ?? "/", origin);
  const segments = url.pathname.split("/").filter(Boolean);
  const [tenantInPath = ""] = segments;
  const rest = segments.slice(1).join("/").toLowerCase();

  if (req.method === "GET" && tenantInPath.toLowerCase() === "common" && rest === "discovery/instance") {
    return sendJson(res, 200, instanceDiscovery(url, origin));
  }
  if (req.method === "GET" && (url.pathname.toLowerCase() === "/discovery/v2.0/keys" || rest === "discovery/v2.0/keys" || rest === "discovery/keys")) {
    return sendJson(res, 200, options.tokens.jwks());
  }

  const tenantKnown = MULTI_TENANT_NAMES.has(tenantInPath.toLowerCase()) || options.world.tenants.has(tenantInPath.toLowerCase());
  if (req.method === "GET" && rest === "v2.0/.well-known/openid-configuration") {
    if (!tenantKnown) return sendEntraError(res, tenantNotFound(tenantInPath));
    return sendJson(res, 200, openIdConfiguration(options, origin, tenantInPath));
  }
  if (req.method === "POST" && rest === "oauth2/v2.0/token") {
    const form = new URLSearchParams((await readBody(req)).toString("utf8"));
    const result = await exchangeClientAssertion(
      { world: options.world, tokens: options.tokens, lifetimeInSeconds: options.tokenLifetimeInSeconds },
      tenantInPath,
      form,
    );
    return result.ok ? sendJson(res, 200, result.body) : sendEntraError(res, result.error);
  }
  sendJson(res, 404, entraError(404, "invalid_request", 900561, `The endpoint ${req.method ?? ""} ${url.pathname} is not served by the local authority.`).body);
}

/**
 * Entra's answer to `common/discovery/instance`: the public cloud's aliases plus, for any other host
 * asked about (this authority), an entry naming it its own preferred network and cache.
 */
function instanceDiscovery(url: URL, origin: string): unknown {
  const authorizationEndpoint = url.searchParams.get("authorization_endpoint") ?? "";
  let askedHost: string | undefined;
  let tenant = "common";
  try {
    const asked = new URL(authorizationEndpoint);
    askedHost = asked.host;
    tenant = asked.pathname.split("/").filter(Boolean)[0] ?? "common";
  } catch {
    askedHost = undefined;
  }
  const metadata: unknown[] = [PUBLIC_CLOUD_METADATA];
  if (askedHost && !PUBLIC_CLOUD_METADATA.aliases.includes(askedHost)) {
    metadata.push({ preferred_network: askedHost, preferred_cache: askedHost, aliases: [askedHost] });
  }
  const discoveryHost = askedHost ? `https://${askedHost}` : origin;
  return {
    tenant_discovery_endpoint: `${discoveryHost}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata,
  };
}

function openIdConfiguration(options: AuthorityOptions, origin: string, tenantInPath: string): unknown {
  const tenant = options.world.tenants.get(tenantInPath.toLowerCase());
  // Multi-tenant documents carry the `{tenantid}` placeholder in the issuer, as Entra's do.
  const tenantId = tenant?.id ?? "{tenantid}";
  const pathTenant = tenant?.id ?? tenantInPath;
  return {
    token_endpoint: `${origin}/${pathTenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${origin}/${pathTenant}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: options.tokens.issuer(tenantId),
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${origin}/${pathTenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${origin}/${pathTenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${origin}/${pathTenant}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "ver", "oid", "azp", "roles"],
    kerberos_endpoint: `${origin}/${pathTenant}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

function tenantNotFound(tenant: string) {
  return entraError(400, "invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
}

function sendEntraError(res: ServerResponse, error: ReturnType<typeof entraError>): void {
  const code = error.body.error_codes[0];
  if (code !== undefined) errorCodes.set(res, code);
  sendJson(res, error.status, error.body, error.status === 401 ? { "WWW-Authenticate": 'Bearer error="invalid_client"' } : {});
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store, no-cache",
    "x-ms-request-id": randomUUID(),
    ...headers,
  });
  res.end(JSON.stringify(body));
}


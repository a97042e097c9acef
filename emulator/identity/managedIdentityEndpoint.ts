// App Service's local managed-identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER, api-version 2019-08-01):
// plain HTTP on loopback, as on a real worker, answering exactly what msal-node's AppService source reads.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt } from "jose";
import type { TokenService } from "../arm/contract";
import { resourceKey } from "../world/resourceId";
import type { Principal } from "../world/types";
import type { World } from "../world/world";
import { rolesFor } from "./clientAssertionExchange";

export interface ManagedIdentityEndpointOptions {
  world: World;
  tokens: TokenService;
  /** The function app's identities (system- and user-assigned), read at every request. */
  identities: () => Principal[];
  port?: number;
  /** Lifetime of issued tokens; default 24 hours, as managed identity tokens live. */
  lifetimeInSeconds?: number;
}

export interface ManagedIdentityEndpoint {
  /** IDENTITY_ENDPOINT, e.g. http://127.0.0.1:PORT/msi/token */
  endpoint: string;
  /** IDENTITY_HEADER: the secret clients send as X-IDENTITY-HEADER. */
  header: string;
  close(): Promise<void>;
}

const API_VERSION = "2019-08-01";
const PATH = "/msi/token";

export async function startManagedIdentityEndpoint(options: ManagedIdentityEndpointOptions): Promise<ManagedIdentityEndpoint> {
  const header = randomBytes(24).toString("hex");
  const server = createServer((req, res) => {
    const correlationId = randomUUID();
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    // App Service's error shape; msal-node reads `message` and `correlationId` from it.
    const fail = (status: number, message: string) => send(status, { statusCode: status, message, correlationId });

    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== PATH) return fail(404, `No endpoint at ${url.pathname}; the managed identity endpoint is ${PATH}.`);
    if (req.method !== "GET") return fail(405, "The managed identity endpoint only accepts GET.");
    if (req.headers["x-identity-header"] !== header) return fail(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
    if (url.searchParams.get("api-version") !== API_VERSION) {
      return fail(400, `The api-version '${url.searchParams.get("api-version") ?? ""}' is not supported; use ${API_VERSION}.`);
    }
    const resource = url.searchParams.get("resource");
    if (!resource) return fail(400, "The 'resource' query parameter is required.");

    const selected = selectIdentity(options.identities(), url.searchParams);
    if (!selected.ok) return fail(400, selected.message);
    const identity = selected.identity;
    const lifetime = options.lifetimeInSeconds ?? 24 * 3600;
    options.tokens
      .mint({
        tenantId: identity.tenantId,
        objectId: identity.objectId,
        appId: identity.appId,
        audience: resource,
        roles: rolesFor(options.world, resource, identity.appRoles),
        lifetimeInSeconds: lifetime,
        extraClaims: identity.managedIdentity ? { xms_mirid: identity.managedIdentity.resourceId } : {},
      })
      .then((accessToken) =>
        send(200, {
          access_token: accessToken,
          // From the token itself, so it agrees with the token service's clock.
          expires_on: String(decodeJwt(accessToken).exp),
          resource,
          token_type: "Bearer",
          client_id: identity.appId,
        }),
      )
      .catch((error: unknown) => fail(500, `Token issuance failed: ${String(error)}`));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${PATH}`,
    header,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

type Selection = { ok: true; identity: Principal } | { ok: false; message: string };

/** `client_id`, `mi_res_id` or `object_id`/`principal_id` pick a user-assigned identity; none means the system-assigned one. */
export function selectIdentity(identities: Principal[], query: URLSearchParams): Selection {
  const clientId = query.get("client_id");
  const resourceId = query.get("mi_res_id");
  const objectId = query.get("object_id") ?? query.get("principal_id");
  const given = [clientId, resourceId, objectId].filter((v) => v);
  if (given.length > 1) return { ok: false, message: "Only one of client_id, mi_res_id and object_id may be specified." };
  const notFound = "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.";
  let found: Principal | undefined;
  if (clientId) found = identities.find((p) => p.appId?.toLowerCase() === clientId.toLowerCase());
  else if (resourceId) found = identities.find((p) => p.managedIdentity && resourceKey(p.managedIdentity.resourceId) === resourceKey(resourceId));
  else if (objectId) found = identities.find((p) => p.objectId.toLowerCase() === objectId.toLowerCase());
  else {
    found = identities.find((p) => p.managedIdentity?.kind === "SystemAssigned");
    if (!found) {
      return { ok: false, message: "No system-assigned managed identity is enabled on this app; specify a user-assigned identity with client_id, mi_res_id or object_id." };
    }
  }
  return found ? { ok: true, identity: found } : { ok: false, message: notFound };
}

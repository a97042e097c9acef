// Drives the HTTP handlers as the Functions runtime does (HttpRequest + InvocationContext), with real token
// validation (keys made here), a scripted ConnectionsService that records its calls, and the OpenAPI schemas.
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { HttpRequest, InvocationContext, type HttpHandler, type HttpRequestInit } from "@azure/functions";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { expect } from "vitest";
import { createJwtValidator } from "../../../src/lib/auth/jwtValidator";
import type { ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionsService } from "../../../src/lib/connections/service";
import { AppError, fail, ok } from "../../../src/lib/errors";
import { buildOpenApiDocument } from "../../../src/lib/http/openApiDocument";

export const tenant = "11111111-1111-4111-8111-111111111111";
export const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
export const audience = "api://adx-connection-lifecycle";
export const subscriptionId = "11111111-2222-4222-8222-222222222222";
export const eventHubResourceId = `/subscriptions/${subscriptionId}/resourceGroups/rg-sources-demo/providers/Microsoft.EventHub/namespaces/evhns-adx-demo/eventhubs/telemetry`;
export const connectionPath = `/api/connections/${subscriptionId}/rg-adx-demo/adxdemo/telemetry/events`;
export const routeParams = { subscriptionId, resourceGroup: "rg-adx-demo", cluster: "adxdemo", database: "telemetry", name: "events" };
export const origin = "https://func-adx-lifecycle.azurewebsites.net";

export async function createTokens() {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] };
  const validator = createJwtValidator({ issuer, audiences: [audience], jwksUri: "https://unused.invalid/keys", keySet: createLocalJWKSet(jwks) });
  const tokenFor = (roles: string[] = ["Connections.Write"], claims: JWTPayload = {}) =>
    new SignJWT({ tid: tenant, oid: "11111111-3333-4333-8333-000000000005", azp: "11111111-5555-4555-8555-000000000003", roles, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(typeof claims.exp === "number" ? claims.exp : "1h")
      .sign(privateKey);
  return { validator, tokenFor };
}

type Responses = { [K in keyof ConnectionsService]?: (...args: Parameters<ConnectionsService[K]>) => ReturnType<ConnectionsService[K]> };

/** Every method records its call; unscripted methods fail the test loudly. */
export function createFakeService(responses: Responses = {}) {
  const calls: { method: keyof ConnectionsService; args: unknown[] }[] = [];
  const method =
    <K extends keyof ConnectionsService>(name: K) =>
    (...args: unknown[]) => {
      calls.push({ method: name, args });
      const respond = responses[name] as ((...a: unknown[]) => unknown) | undefined;
      if (!respond) throw new Error(`unexpected call to ${name}`);
      return respond(...args);
    };
  const service = {
    upsert: method("upsert"),
    validate: method("validate"),
    get: method("get"),
    list: method("list"),
    delete: method("delete"),
    journal: method("journal"),
    getOperation: method("getOperation"),
  } as unknown as ConnectionsService;
  return { service, calls, responses };
}

export interface Invocation {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  logs: string[];
}

export async function invoke(handler: HttpHandler, init: Omit<HttpRequestInit, "url"> & { path: string; json?: unknown }): Promise<Invocation> {
  const { path, json, ...rest } = init;
  const request = new HttpRequest({
    url: `${origin}${path}`,
    ...rest,
    ...(json === undefined ? {} : { body: { string: JSON.stringify(json) }, headers: { "content-type": "application/json", ...rest.headers } }),
  });
  const logs: string[] = [];
  const context = new InvocationContext({ functionName: "test", logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`) });
  const response = await handler(request, context);
  if (!response || "arrayBuffer" in response) throw new Error("handlers return HttpResponseInit");
  const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
  const text = typeof response.body === "string" ? response.body : undefined;
  return { status: response.status ?? 200, headers, body: text === undefined ? undefined : JSON.parse(text), logs };
}

const document = buildOpenApiDocument({ version: "test" });
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...document, $id: "https://api.example/openapi.json" });

/** Fails unless `body` matches the named schema of the OpenAPI document. */
export function expectSchema(body: unknown, schema: string): void {
  const validate = ajv.getSchema(`https://api.example/openapi.json#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

export function expectProblem(response: Invocation, status: number, code: string): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers["content-type"]).toBe("application/problem+json");
  expectSchema(response.body, "Problem");
  expect(response.body).toMatchObject({ status, code, type: `urn:adx-connection-lifecycle:problem:${code}` });
  return response.body as Record<string, unknown>;
}

export const okResult = ok;
export const failResult = fail;
export { AppError };

export function sampleConnection(overrides: Partial<ManagedConnection> = {}): ManagedConnection {
  const caller = { tenantId: tenant, objectId: "11111111-3333-4333-8333-000000000005", appId: "11111111-5555-4555-8555-000000000003" };
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/clusters/adxdemo/databases/telemetry/dataConnections/events`,
    key: routeParams,
    kind: "EventHub",
    authMode: "key",
    spec: { kind: "EventHub", location: "westeurope", properties: { eventHubResourceId, consumerGroup: "adx" } },
    binding: {
      principal: { tenantId: tenant, objectId: "11111111-3333-4333-8333-000000000002", kind: "appIdentity" },
      requirements: [
        {
          requirement: {
            source: "eventHubNamespace",
            scope: eventHubResourceId.replace(/\/eventhubs\/.*$/, ""),
            permission: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action",
            permissionKind: "action",
          },
          granted: true,
          grants: [
            {
              roleAssignmentId: `/subscriptions/${subscriptionId}/resourceGroups/rg-sources-demo/providers/Microsoft.Authorization/roleAssignments/0b0c2e27-5c7d-4a39-9a3f-2f4e3f0c8a11`,
              roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
              scope: `/subscriptions/${subscriptionId}/resourceGroups/rg-sources-demo`,
              assigneeObjectId: "11111111-3333-4333-8333-000000000002",
            },
          ],
        },
      ],
      verifiedAt: "2025-01-01T00:00:00.000Z",
    },
    sourceResourceIds: [eventHubResourceId],
    status: "Succeeded",
    provisioningState: "Succeeded",
    createdBy: caller,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedBy: caller,
    updatedAt: "2025-01-01T00:00:00.000Z",
    etag: `W/"datetime'2025-01-01T00%3A00%3A00.000Z'"`,
    ...overrides,
  };
}

export const validBody = { kind: "EventHub", location: "westeurope", properties: { eventHubResourceId, consumerGroup: "adx", tableName: "Events", dataFormat: "JSON" } };

export const notFound = () => fail(new AppError("notFound", "ConnectionNotFound", "No managed connection has that name."));

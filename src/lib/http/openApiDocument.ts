// OpenAPI 3.1 description of the API, generated from the zod schemas that validate requests (and those that
// describe responses), so the document cannot drift from what the code enforces.
import * as z from "zod/mini";
import { apiSchemas } from "../connections/schema/connectionSchemas";
import { maxConnectionNameLength, routePatterns, routeRules } from "../connections/schema/names";
import { maxBodyBytes } from "./readJsonBody";
import { defaultPageSize, maxPageSize } from "./pageQuery";
import "./responseSchemas"; // registers the response schemas in apiSchemas

export interface OpenApiOptions {
  version: string;
  /** The API's app ID URI (token audience), shown in the security scheme. */
  audience?: string;
}

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string) => ({ "application/json": { schema: ref(id) } });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const header = (description: string) => ({ description, schema: { type: "string" } });

const routeParam = (name: keyof typeof routePatterns, description: string) => ({
  name,
  in: "path",
  required: true,
  description: `${description}; ${routeRules[name]}`,
  schema: { type: "string", pattern: routePatterns[name] },
});

const connectionParams = [
  routeParam("subscriptionId", "Subscription of the Kusto cluster"),
  routeParam("resourceGroup", "Resource group of the Kusto cluster"),
  routeParam("cluster", "Kusto cluster name"),
  routeParam("database", "Kusto database name"),
  routeParam("name", `Data connection name (at most ${maxConnectionNameLength} characters; Kusto's checkNameAvailability decides the rest)`),
];

const pageParams = [
  { name: "pageSize", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: maxPageSize, default: defaultPageSize } },
  { name: "continuationToken", in: "query", required: false, description: "Opaque; take it from nextLink", schema: { type: "string" } },
];

const commonErrors = {
  "401": problem("No valid Entra bearer token (codes MissingToken, MalformedToken, InvalidSignature, UnsupportedAlgorithm, WrongIssuer, WrongAudience, WrongTenant, TokenExpired, TokenNotYetValid)"),
  "403": problem("The app role or the access policy does not allow it (MissingAppRole, NoAccessPolicy, CallerNotAllowed, ClusterNotAllowed, DatabaseNotAllowed, SourceNotAllowed, SourceTenantNotAllowed)"),
  "429": problem("Throttled; honour Retry-After"),
  "500": problem("Unexpected error; quote the correlation ID"),
  "502": problem("An Azure service failed; retry after Retry-After"),
};
const bodyErrors = {
  "400": problem("Invalid request: every problem in `errors`, each with a code and a JSON pointer (MalformedJson, MissingBody, InvalidRequest)"),
  "413": problem(`Body over ${maxBodyBytes} bytes`),
  "415": problem("Content-Type is not application/json"),
};

const correlationHeader = { name: "x-correlation-id", in: "header", required: false, description: "Echoed, logged and journalled; generated when absent", schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,128}$" } };

function componentSchemas(): Json {
  const { schemas } = z.toJSONSchema(apiSchemas, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  // Components are embedded: a per-schema $schema/$id would make each its own resource with a fragment ID.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

export function buildOpenApiDocument(options: OpenApiOptions): Json {
  const read = [{ entra: ["Connections.Read"] }, { entra: ["Connections.Write"] }];
  const write = [{ entra: ["Connections.Write"] }];
  const connectionPath = "/connections/{subscriptionId}/{resourceGroup}/{cluster}/{database}/{name}";
  return {
    openapi: "3.1.0",
    info: {
      title: "ADX connection lifecycle",
      version: options.version,
      description:
        "Creates, validates, reads, lists and deletes Azure Data Explorer (Kusto) data connections, and remembers whose access each depends on. " +
        "Callers authenticate with Entra bearer tokens; app roles and the access policy decide what they may do.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/api" }],
    security: write,
    paths: {
      "/connections": {
        get: {
          operationId: "listConnections",
          summary: "List managed connections",
          security: read,
          parameters: [
            { ...routeParam("subscriptionId", "Only this subscription"), in: "query", required: false },
            { ...routeParam("resourceGroup", "Only this resource group"), in: "query", required: false },
            { ...routeParam("cluster", "Only this cluster"), in: "query", required: false },
            { ...routeParam("database", "Only this database"), in: "query", required: false },
            { name: "status", in: "query", required: false, schema: { type: "string", enum: ["Provisioning", "Succeeded", "Failed", "Deleting", "Deleted"] } },
            ...pageParams,
            correlationHeader,
          ],
          responses: { "200": { description: "A page", content: jsonContent("ManagedConnectionPage") }, "400": bodyErrors["400"], ...commonErrors },
        },
      },
      [connectionPath]: {
        parameters: connectionParams,
        put: {
          operationId: "upsertConnection",
          summary: "Create or update a data connection (idempotent)",
          security: write,
          parameters: [correlationHeader],
          requestBody: { required: true, content: jsonContent("DataConnectionRequest") },
          responses: {
            "200": { description: "Updated, or unchanged", headers: { ETag: header("Registry version") }, content: jsonContent("ManagedConnection") },
            "201": { description: "Created", headers: { ETag: header("Registry version"), Location: header("URL of the connection") }, content: jsonContent("ManagedConnection") },
            "202": {
              description: "Kusto's operation outlived the wait; poll Location",
              headers: { Location: header("URL of the operation (/api/operations/{id})"), "Retry-After": header("Seconds before polling") },
              content: jsonContent("ManagedConnection"),
            },
            ...bodyErrors,
            "409": problem("Conflict (e.g. an operation in progress, or the name is taken)"),
            "412": problem("Changed concurrently; retry"),
            ...commonErrors,
          },
        },
        get: {
          operationId: "getConnection",
          summary: "Read a managed connection",
          security: read,
          parameters: [correlationHeader],
          responses: {
            "200": { description: "The connection", headers: { ETag: header("Registry version") }, content: jsonContent("ManagedConnection") },
            "400": bodyErrors["400"],
            "404": problem("Not managed by this app (ConnectionNotFound)"),
            ...commonErrors,
          },
        },
        delete: {
          operationId: "deleteConnection",
          summary: "Delete a data connection (journalled)",
          security: write,
          parameters: [correlationHeader],
          responses: {
            "202": { description: "Deleting; poll Location", headers: { Location: header("URL of the operation"), "Retry-After": header("Seconds before polling") } },
            "204": { description: "Deleted" },
            "400": bodyErrors["400"],
            "404": problem("Not managed by this app"),
            "409": problem("An operation is in progress"),
            ...commonErrors,
          },
        },
      },
      [`${connectionPath}/validate`]: {
        parameters: connectionParams,
        post: {
          operationId: "validateConnection",
          summary: "Dry run: every problem a PUT would meet (schema, name, Kusto validation, access, policy); changes nothing",
          security: write,
          parameters: [correlationHeader],
          requestBody: { required: true, content: jsonContent("DataConnectionRequest") },
          responses: {
            "200": { description: "The report (schema problems included, with JSON pointers)", content: jsonContent("ValidationReport") },
            "400": bodyErrors["400"],
            "413": bodyErrors["413"],
            "415": bodyErrors["415"],
            ...commonErrors,
          },
        },
      },
      [`${connectionPath}/journal`]: {
        parameters: connectionParams,
        get: {
          operationId: "listJournal",
          summary: "The connection's journal, newest first",
          security: read,
          parameters: [...pageParams, correlationHeader],
          responses: { "200": { description: "A page", content: jsonContent("JournalPage") }, "400": bodyErrors["400"], "404": problem("Not managed by this app"), ...commonErrors },
        },
      },
      "/operations/{id}": {
        get: {
          operationId: "getOperation",
          summary: "A Kusto operation that outlived its request",
          security: read,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9._~:-]{1,200}$" } }, correlationHeader],
          responses: {
            "200": { description: "The operation (Retry-After while Running)", headers: { "Retry-After": header("Seconds before polling again") }, content: jsonContent("Operation") },
            "400": bodyErrors["400"],
            "404": problem("Unknown operation"),
            ...commonErrors,
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "getOpenApi",
          summary: "This document",
          security: [],
          responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        entra: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            `An Entra access token for ${options.audience ?? "the API's app ID URI"} (client credentials: scope "{app ID URI}/.default"). ` +
            "App roles: Connections.Read (read), Connections.Write (write and read). The access policy then limits clusters, databases, sources and tenants.",
        },
      },
    },
  };
}

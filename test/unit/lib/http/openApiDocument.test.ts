import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseUpsertRequest } from "../../../../src/lib/connections/schema/parseUpsertRequest";
import { buildOpenApiDocument } from "../../../../src/lib/http/openApiDocument";
import { demo, validBody } from "../schema/arbitraries";

const document = buildOpenApiDocument({ version: "1.2.3", audience: "api://adx-connection-lifecycle" });
// Ajv resolves `$dynamicRef: "#meta"` against the wrong anchor in this schema (it applied the Parameter Object's
// rules to parameter schemas). With no dialect extending it, "#meta" means the schema's own $defs/schema (the
// only $dynamicAnchor "meta"), so the static $ref below is the same rule.
const metaSchema = JSON.parse(
  readFileSync(join(__dirname, "reference/openapi-3.1-schema.json"), "utf8").replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"'),
) as Record<string, unknown>;

// The document's own schemas, compiled as a JSON Schema 2020-12 resource (`#/components/schemas/...` refs resolve).
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...document, $id: "https://api.example/openapi.json" });
const requestSchema = ajv.getSchema("https://api.example/openapi.json#/components/schemas/DataConnectionRequest");
if (!requestSchema) throw new Error("DataConnectionRequest is missing from the document");

/** Problems only the parser can see: rules across fields that the JSON Schema does not express. */
const crossFieldCodes = new Set(["AccessModeMismatch", "MissingManagedIdentity", "ManagedIdentityMismatch"]);

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", () => {
    const meta = new Ajv2020({ strict: false, allErrors: true });
    addFormats(meta);
    const validate = meta.compile(metaSchema);
    expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The check has teeth: a path parameter that is not required, or a response without a description, fails it.
    const broken = structuredClone(document) as { paths: Record<string, { parameters?: { required?: boolean }[]; get?: { responses: Record<string, object> } }> };
    const connectionPath = Object.keys(broken.paths).find((p) => p.endsWith("{name}")) as string;
    (broken.paths[connectionPath]?.parameters?.[0] as { required?: boolean }).required = false;
    expect(validate(broken)).toBe(false);
    const undescribed = structuredClone(document) as typeof broken;
    (undescribed.paths["/connections"]?.get as { responses: Record<string, object> }).responses["200"] = { content: {} };
    expect(validate(undescribed)).toBe(false);
  });

  it("describes every route, with problem+json errors and the bearer scheme", () => {
    const paths = document.paths as Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    const base = "/connections/{subscriptionId}/{resourceGroup}/{cluster}/{database}/{name}";
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => ["get", "put", "post", "delete"].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /connections",
        `PUT ${base}`,
        `GET ${base}`,
        `DELETE ${base}`,
        `POST ${base}/validate`,
        `GET ${base}/journal`,
        "GET /operations/{id}",
        "GET /openapi.json",
      ].sort(),
    );
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === "parameters" || path === "/openapi.json") continue;
        expect(operation.responses["401"]?.content, `${method} ${path}`).toHaveProperty(["application/problem+json"]);
        expect(operation.security?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(paths["/openapi.json"]?.get?.security).toEqual([]);
    expect((document.components as { securitySchemes: Record<string, unknown> }).securitySchemes.entra).toMatchObject({ type: "http", scheme: "bearer" });
    const schemas = Object.keys((document.components as { schemas: object }).schemas);
    expect(schemas).toEqual(expect.arrayContaining(["DataConnectionRequest", "ManagedConnection", "ValidationReport", "Operation", "Problem", "JournalPage", "ManagedConnectionPage"]));
  });

  it("accepts what the parser accepts", () => {
    fc.assert(
      fc.property(validBody, (body) => {
        expect(parseUpsertRequest(body).ok).toBe(true);
        expect(requestSchema(body), JSON.stringify(requestSchema.errors)).toBe(true);
      }),
    );
  });

  it("refuses what the parser refuses, except rules across fields", () => {
    const mutations: ((b: Record<string, any>) => void)[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies are mutated freely
      (b) => delete b.properties[Object.keys(b.properties)[0] as string],
      (b) => (b.properties.tableName = 7),
      (b) => (b.properties.provisioningState = "Succeeded"),
      (b) => (b.extra = true),
      (b) => (b.kind = "EventHubWithManagedIdentity"),
      (b) => (b.location = ""),
      (b) => (b.properties.consumerGroup = "no spaces allowed"),
      (b) => (b.properties.dataFormat = "json"),
      (b) => (b.properties.eventHubResourceId = demo.storageAccountResourceId),
      (b) => (b.properties.retrievalStartDate = "2024-02-30T00:00:00Z"),
      (b) => (b.access = { mode: "managedIdentity" }),
      (b) => (b.access = { mode: "key", managedIdentityResourceId: demo.clusterResourceId }),
      (b) => (b.access = { managedIdentityResourceId: demo.identityResourceId }),
      (b) => (b.access = { sourceTenantId: "not-a-guid" }),
      (b) => (b.access = { mode: "key", extra: 1 }),
    ];
    fc.assert(
      fc.property(validBody, fc.integer({ min: 0, max: mutations.length - 1 }), (valid, which) => {
        const body = structuredClone(valid);
        (mutations[which] as (b: Record<string, unknown>) => void)(body);
        const parsed = parseUpsertRequest(body);
        const bySchema = requestSchema(body);
        if (parsed.ok) expect(bySchema, JSON.stringify(requestSchema.errors)).toBe(true);
        else if (bySchema) expect(parsed.error.problems.every((p) => crossFieldCodes.has(p.code)), JSON.stringify(parsed.error.problems)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// Ajv validators for kusto.json (Swagger 2.0) definitions. The swagger's external $refs to
// common-types do not resolve here, so they are rewritten to minimal local stubs of those types.
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export const KUSTO_REFERENCE_DIR = path.join(__dirname, "kusto");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Minimal stand-ins for common-types/resource-management/v3/types.json. */
const COMMON_STUBS: Record<string, Json> = {
  Resource: {
    type: "object",
    properties: { id: { type: "string" }, name: { type: "string" }, type: { type: "string" }, systemData: { type: "object" } },
  },
  ProxyResource: { allOf: [{ $ref: "#/definitions/common_Resource" }] },
  TrackedResource: {
    allOf: [{ $ref: "#/definitions/common_Resource" }],
    properties: { location: { type: "string" }, tags: { type: "object", additionalProperties: { type: "string" } } },
    required: ["location"],
  },
  ErrorResponse: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } },
};

export interface KustoSwagger {
  definitions: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
  validator(definition: string): ValidateFunction;
}

function rewriteRefs(node: Json, stubs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, stubs));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
      const name = value.split("/").pop() ?? "";
      stubs.add(name);
      out[key] = `#/definitions/common_${name}`;
    } else out[key] = rewriteRefs(value, stubs);
  }
  return out;
}

export function loadKustoSwagger(): KustoSwagger {
  const raw = JSON.parse(readFileSync(path.join(KUSTO_REFERENCE_DIR, "kusto.json"), "utf8")) as { definitions: Record<string, Json> };
  const stubs = new Set<string>();
  const definitions = rewriteRefs(raw.definitions, stubs) as Record<string, Json>;
  // Unknown common types (none today) validate anything rather than failing to compile.
  for (const name of stubs) definitions[`common_${name}`] = COMMON_STUBS[name] ?? {};
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addFormat("arm-id", true);
  ajv.addSchema({ $id: "kusto.json", definitions }, "kusto.json");
  return {
    definitions: raw.definitions as KustoSwagger["definitions"],
    validator(definition) {
      const validate = ajv.getSchema(`kusto.json#/definitions/${definition}`);
      if (!validate) throw new Error(`no definition ${definition}`);
      return validate;
    },
  };
}

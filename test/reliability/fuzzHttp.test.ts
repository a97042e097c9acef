// Fuzzing the HTTP surface in-process: the real handlers, the real JWT validator, request parser and schemas,
// over a recording service. Bodies (valid-shaped, mutated, garbage, oversized), headers (tokens, media types,
// lying lengths), route parameters and query strings. Properties: never a 5xx; every refusal is problem+json;
// the service (hence ARM and the registry) is called exactly when the request is authenticated and valid.
// FUZZ_RUNS sets the number of cases (default 10,000).
import fc from "fast-check";
import type { HttpHandler } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectionsHandlers } from "../../src/functions/connections";
import { parseConnectionKey } from "../../src/lib/connections/schema/parseConnectionKey";
import { parseUpsertRequest } from "../../src/lib/connections/schema/parseUpsertRequest";
import { parseListQuery } from "../../src/lib/http/listQuery";
import { parsePageQuery } from "../../src/lib/http/pageQuery";
import { maxBodyBytes } from "../../src/lib/http/readJsonBody";
import { createFakeService, notFound, okResult, sampleConnection } from "../functions/support/apiHarness";
import { validBody } from "../unit/lib/schema/arbitraries";
import { createApiTokens, tamperSignature, unsignedToken } from "../support/reliability/apiTokens";
import { send } from "../support/reliability/pipeline";
import { createResults } from "../support/reliability/results";

const runs = Number(process.env.FUZZ_RUNS ?? "10000");
const tenant = "11111111-1111-4111-8111-111111111111";
const audience = "api://adx-connection-lifecycle";
const routeNames = ["upsert", "validate", "get", "delete", "list", "journal", "getOperation"] as const;
type RouteName = (typeof routeNames)[number];

const validParams = { subscriptionId: "11111111-2222-4222-8222-222222222222", resourceGroup: "rg-adx-demo", cluster: "adxdemo", database: "telemetry", name: "events" };
const weird = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("", ".", "..", "a/b", "%2F", "con", "x".repeat(300), "events ", " events", "ev\u0000ents", "ÉVENTS", "$default", "null", "-1"),
);
const param = (valid: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: weird });
const params = fc.record({
  subscriptionId: param(validParams.subscriptionId),
  resourceGroup: param(validParams.resourceGroup),
  cluster: param(validParams.cluster),
  database: param(validParams.database),
  name: param(validParams.name),
});

/** A valid body with one thing changed: a property dropped, retyped or added, or the kind swapped. */
const mutated = fc.tuple(validBody, fc.nat(), fc.jsonValue(), fc.string({ maxLength: 20 })).map(([body, pick, value, key]) => {
  const copy = structuredClone(body) as Record<string, unknown>;
  const props = (copy.properties ?? {}) as Record<string, unknown>;
  const keys = Object.keys(props);
  const target = keys[pick % Math.max(1, keys.length)] ?? "x";
  switch (pick % 5) {
    case 0: delete props[target]; break;
    case 1: props[target] = value; break;
    case 2: props[key] = value; break;
    case 3: copy.kind = value; break;
    default: copy[key] = value;
  }
  return copy;
});
const bodies = fc.oneof(
  { weight: 3, arbitrary: validBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: mutated.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "{", "null", "[]", '{"kind":"EventHub"}', "\uFEFF{}", "x".repeat(maxBodyBytes + 1), JSON.stringify({ kind: "EventHub", properties: { pad: "y".repeat(maxBodyBytes) } })) },
);

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const contentTypes = fc.oneof(
  { weight: 4, arbitrary: fc.constant("application/json") },
  { weight: 1, arbitrary: fc.constantFrom("application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "application/xml", "application/json; charset=latin1", "multipart/form-data", "") },
  { weight: 1, arbitrary: printable },
);
const queries = fc.dictionary(
  fc.constantFrom("pageSize", "continuationToken", "subscriptionId", "resourceGroup", "cluster", "database", "status", "code", "$filter"),
  fc.oneof(fc.constantFrom("1", "50", "200", "201", "0", "-1", "1e3", "abc", "Succeeded", "Deleted", "telemetry", "bm90LWEtdG9rZW4"), printable),
  { maxKeys: 4 },
);

interface Case {
  route: RouteName;
  params: Record<string, string>;
  operationId: string;
  auth: "valid" | "none" | "garbage" | "tampered" | "none-alg" | "reader";
  body: string;
  contentType: string;
  contentLength: "true" | "absent" | "lie-small" | "lie-huge";
  query: Record<string, string>;
  correlationId: string;
}

const cases: fc.Arbitrary<Case> = fc.record({
  route: fc.constantFrom(...routeNames),
  params,
  operationId: fc.oneof(fc.constant("op-1"), weird),
  auth: fc.oneof({ weight: 6, arbitrary: fc.constant("valid" as const) }, { weight: 1, arbitrary: fc.constantFrom("none", "garbage", "tampered", "none-alg", "reader") }),
  body: bodies,
  contentType: contentTypes,
  contentLength: fc.constantFrom("true", "absent", "lie-small", "lie-huge"),
  query: queries,
  correlationId: printable,
});

/** What the handlers must accept, from the parsers alone (and authentication, media type and size). */
function oracle(c: Case, bodyBytes: number): boolean {
  // A reader is authenticated: app roles and the policy are the service's to check (tested in authMatrix).
  if (c.auth !== "valid" && c.auth !== "reader") return false;
  const query = new URLSearchParams(c.query);
  const key = () => parseConnectionKey(c.params).ok;
  const body = () => {
    const media = /^application\/json(\s*;\s*charset\s*=\s*"?utf-8"?)?\s*$/i.test(c.contentType);
    if (!media || bodyBytes > maxBodyBytes || c.contentLength === "lie-huge") return false;
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(c.body));
      return parseUpsertRequest(JSON.parse(text)).ok;
    } catch {
      return false;
    }
  };
  switch (c.route) {
    case "upsert":
    case "validate":
      return key() && body();
    case "get":
    case "delete":
      return key();
    case "journal":
      return key() && parsePageQuery(query).ok;
    case "list":
      return parseListQuery(query).ok;
    case "getOperation":
      return /^[A-Za-z0-9._~:-]{1,200}$/.test(c.operationId);
  }
}

describe("fuzzing the HTTP API in-process", () => {
  const results = createResults("fuzz");
  const stats = new Map<RouteName, { cases: number; valid: number; invalid: number; fivexx: number; callsOnInvalid: number; maxInMs: number }>();
  let tokens: Record<Case["auth"], string | undefined>;

  beforeAll(async () => {
    const api = await createApiTokens({ tenantId: tenant, audience });
    const writer = await api.tokenFor({ objectId: "11111111-3333-4333-8333-000000000005", roles: ["Connections.Write"] });
    tokens = {
      valid: writer,
      none: undefined,
      garbage: "not-a-jwt",
      tampered: tamperSignature(writer),
      "none-alg": unsignedToken({ tid: tenant, oid: "x", aud: audience, iss: api.issuer, exp: Math.floor(Date.now() / 1000) + 600, roles: ["Connections.Write"] }),
      reader: await api.tokenFor({ objectId: "11111111-6666-4666-8666-000000000002", roles: ["Connections.Read"] }),
    };
    validator = api.validator;
  });
  let validator: Awaited<ReturnType<typeof createApiTokens>>["validator"];

  afterAll(() => {
    for (const [route, s] of stats) {
      results.add({
        table: "fuzzing",
        operation: route,
        condition: `${s.cases} cases (${s.valid} valid, ${s.invalid} invalid or unauthenticated)`,
        outcome: `${s.fivexx} × 5xx; ${s.callsOnInvalid} service calls for invalid input`,
        attempts: 1,
        timeInMs: Math.round(s.maxInMs),
        inconsistencies: s.fivexx + s.callsOnInvalid,
        notes: "timeInMs: slowest case",
      });
    }
    results.write();
  });

  it(`answers ${runs} generated requests without a 5xx, and calls the service exactly for valid ones`, async () => {
    const fake = createFakeService({
      upsert: async () => okResult({ status: "created", connection: sampleConnection() }),
      validate: async () => okResult({ valid: true, problems: [] }),
      get: async () => notFound(),
      list: async () => okResult({ items: [] }),
      delete: async () => okResult({ status: "deleted" }),
      journal: async () => okResult({ items: [] }),
      getOperation: async () => notFound(),
    });
    const handlers = createConnectionsHandlers({ getService: () => fake.service, getTokenValidator: () => validator });
    const routeOf: Record<RouteName, { handler: HttpHandler; method: string }> = {
      upsert: { handler: handlers.upsert, method: "PUT" },
      validate: { handler: handlers.validate, method: "POST" },
      get: { handler: handlers.get, method: "GET" },
      delete: { handler: handlers.delete, method: "DELETE" },
      list: { handler: handlers.list, method: "GET" },
      journal: { handler: handlers.journal, method: "GET" },
      getOperation: { handler: handlers.getOperation, method: "GET" },
    };
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const { handler, method } = routeOf[c.route];
        const hasBody = method === "PUT" || method === "POST";
        const bytes = Buffer.byteLength(c.body);
        const length = c.contentLength === "true" ? String(bytes) : c.contentLength === "lie-small" ? "2" : c.contentLength === "lie-huge" ? String(maxBodyBytes + 10) : undefined;
        const token = tokens[c.auth];
        const callsBefore = fake.calls.length;
        const t0 = performance.now();
        const answer = await send(handler, {
          method,
          path: "/api/fuzz",
          params: c.route === "getOperation" ? { id: c.operationId } : c.route === "list" ? {} : c.params,
          query: c.query,
          ...(token ? { token } : {}),
          headers: { "x-correlation-id": c.correlationId, ...(hasBody ? { "content-type": c.contentType, ...(length ? { "content-length": length } : {}) } : {}) },
          ...(hasBody ? { rawBody: c.body } : {}),
        });
        const elapsed = performance.now() - t0;
        const calls = fake.calls.length - callsBefore;
        const valid = oracle(c, bytes);
        const s = stats.get(c.route) ?? { cases: 0, valid: 0, invalid: 0, fivexx: 0, callsOnInvalid: 0, maxInMs: 0 };
        s.cases += 1;
        s[valid ? "valid" : "invalid"] += 1;
        if (answer.status >= 500) s.fivexx += 1;
        if (!valid && calls > 0) s.callsOnInvalid += 1;
        s.maxInMs = Math.max(s.maxInMs, elapsed);
        stats.set(c.route, s);

        expect(answer.status, answer.text).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.headers["content-type"]).toBe("application/problem+json");
        expect(calls, `${c.route} ${c.auth} ${answer.status} ${answer.text?.slice(0, 200)}`).toBe(valid ? 1 : 0);
      }),
      { numRuns: runs },
    );
    const seconds = (performance.now() - started) / 1000;
    expect([...stats.values()].reduce((n, s) => n + s.cases, 0)).toBe(runs);
    // Every route saw both valid and invalid requests (the generators are not stuck on one side).
    for (const route of routeNames) expect(stats.get(route)?.valid, route).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(runs / 200);
  });
});

// Authentication and authorization matrix, in-process: the real handlers, JWT validator, policy and use cases
// over fakes that count every port call. Each bad token is a 401 and each refused caller a 403, as
// problem+json, with zero ARM calls and zero writes. (The same for a few cases over the local host, with the
// emulator's request log: overHttp.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectionsHandlers } from "../../src/functions/connections";
import { parseAccessPolicy } from "../../src/lib/auth/policy";
import { createConnectionsService } from "../../src/lib/connections/createConnectionsService";
import { clusterId, createConnectionsWorld, ids, sourceIds, specs } from "../support/fakes/connectionsWorld";
import { createApiTokens, tamperSignature, unsignedToken, type ApiTokens } from "../support/reliability/apiTokens";
import { countPorts } from "../support/reliability/countingPorts";
import { send } from "../support/reliability/pipeline";
import { createResults } from "../support/reliability/results";

const audience = "api://adx-connection-lifecycle";
const tenantC = "33333333-1111-4111-8111-111111111111";
const pipelineApp = "11111111-5555-4555-8555-000000000003";
const writerOid = ids.caller;

const policyJson = JSON.stringify({
  rules: [
    {
      name: "writers",
      callers: { objectIds: [writerOid] },
      actions: ["read", "write"],
      clusters: [clusterId],
      databases: ["telemetry"],
      sourceScopes: [`/subscriptions/${ids.subA}/resourceGroups/rg-sources-demo`, `/subscriptions/${ids.subB}/resourceGroups/rg-partner-demo`],
      sourceTenants: [ids.tenantB],
    },
  ],
});

type Route = "upsert" | "validate" | "delete" | "get";
interface AuthCase {
  name: string;
  route: Route;
  token: (t: ApiTokens) => Promise<string | undefined>;
  status: 401 | 403;
  code: string;
  cluster?: string;
  database?: string;
  body?: Record<string, unknown>;
}

const writer = { objectId: writerOid, appId: pipelineApp, roles: ["Connections.Read", "Connections.Write"] };
const cases: AuthCase[] = [
  { name: "no token", route: "upsert", token: async () => undefined, status: 401, code: "MissingToken" },
  { name: "malformed token", route: "upsert", token: async () => "abc.def", status: 401, code: "MalformedToken" },
  { name: "bad signature (another key)", route: "upsert", token: (t) => t.craft(writer, { foreignKey: true }), status: 401, code: "InvalidSignature" },
  { name: "bad signature (tampered)", route: "delete", token: async (t) => tamperSignature(await t.tokenFor(writer)), status: 401, code: "InvalidSignature" },
  {
    name: "alg: none",
    route: "upsert",
    token: async (t) => unsignedToken({ iss: t.issuer, aud: audience, tid: ids.tenantA, oid: writerOid, roles: writer.roles, exp: Math.floor(Date.now() / 1000) + 600 }),
    status: 401,
    code: "UnsupportedAlgorithm",
  },
  { name: "wrong issuer", route: "upsert", token: (t) => t.craft(writer, { issuer: `https://login.microsoftonline.com/${tenantC}/v2.0` }), status: 401, code: "WrongIssuer" },
  { name: "wrong audience", route: "validate", token: (t) => t.craft(writer, { audience: "https://management.azure.com/" }), status: 401, code: "WrongAudience" },
  { name: "wrong tenant (tid)", route: "upsert", token: (t) => t.craft(writer, { tenantId: tenantC }), status: 401, code: "WrongTenant" },
  { name: "expired", route: "upsert", token: (t) => t.craft(writer, { expiresInSeconds: -3600 }), status: 401, code: "TokenExpired" },
  { name: "not yet valid", route: "delete", token: (t) => t.craft(writer, { notBeforeInSeconds: 3600 }), status: 401, code: "TokenNotYetValid" },
  { name: "missing app role (reader writes)", route: "upsert", token: (t) => t.tokenFor({ ...writer, roles: ["Connections.Read"] }), status: 403, code: "MissingAppRole" },
  { name: "missing app role (reader deletes)", route: "delete", token: (t) => t.tokenFor({ ...writer, roles: ["Connections.Read"] }), status: 403, code: "MissingAppRole" },
  { name: "no app role at all (reads)", route: "get", token: (t) => t.tokenFor({ ...writer, roles: [] }), status: 403, code: "MissingAppRole" },
  { name: "caller not in the policy", route: "upsert", token: (t) => t.tokenFor({ ...writer, objectId: "11111111-6666-4666-8666-0000000000ff", appId: "11111111-5555-4555-8555-0000000000ff" }), status: 403, code: "CallerNotAllowed" },
  { name: "a cluster the policy does not allow", route: "upsert", token: (t) => t.tokenFor(writer), cluster: "otheradx", status: 403, code: "ClusterNotAllowed" },
  { name: "a cluster the policy does not allow (delete)", route: "delete", token: (t) => t.tokenFor(writer), cluster: "otheradx", status: 403, code: "ClusterNotAllowed" },
  { name: "a database the policy does not allow (dry run)", route: "validate", token: (t) => t.tokenFor(writer), database: "audit", status: 403, code: "DatabaseNotAllowed" },
  {
    name: "a source outside the allowed scopes",
    route: "upsert",
    token: (t) => t.tokenFor(writer),
    body: { ...specs.eventHub(), properties: { ...specs.eventHub().properties, eventHubResourceId: sourceIds.eventHub.replace("rg-sources-demo", "rg-elsewhere") } },
    status: 403,
    code: "SourceNotAllowed",
  },
  {
    name: "a policy-forbidden source tenant",
    route: "upsert",
    token: (t) => t.tokenFor(writer),
    body: { ...specs.partnerEventHub(), access: { sourceTenantId: tenantC } },
    status: 403,
    code: "SourceTenantNotAllowed",
  },
];

describe("authentication and authorization matrix (in-process, counting ports)", () => {
  let tokens: ApiTokens;
  const results = createResults("authMatrix");
  beforeAll(async () => {
    tokens = await createApiTokens({ tenantId: ids.tenantA, audience });
  });
  afterAll(() => results.write());

  function setup() {
    const world = createConnectionsWorld();
    const policy = parseAccessPolicy(policyJson);
    if (!policy.ok) throw policy.error;
    const counted = countPorts({ ...world.deps, policy: policy.value });
    const service = createConnectionsService(counted.deps);
    const handlers = createConnectionsHandlers({ getService: () => service, getTokenValidator: () => tokens.validator });
    return { handlers, counts: counted.counts };
  }

  it("lets the policy's writer through (the matrix's control case): the same request reaches ARM", async () => {
    const { handlers, counts } = setup();
    const params = { subscriptionId: ids.subA, resourceGroup: "rg-adx-demo", cluster: "adxdemo", database: "telemetry", name: "events" };
    const answer = await send(handlers.upsert, { method: "PUT", path: "/api/connections/x", params, token: await tokens.tokenFor(writer), json: specs.eventHub() });
    expect(answer.status, answer.text).toBe(201);
    expect(counts.arm).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s → refused with zero ARM calls and zero writes", async (_name, c) => {
    const { handlers, counts } = setup();
    const params = { subscriptionId: ids.subA, resourceGroup: "rg-adx-demo", cluster: c.cluster ?? "adxdemo", database: c.database ?? "telemetry", name: "events" };
    const token = await c.token(tokens);
    const method = { upsert: "PUT", validate: "POST", delete: "DELETE", get: "GET" }[c.route];
    const withBody = c.route === "upsert" || c.route === "validate";
    const answer = await send(handlers[c.route], { method, path: "/api/connections/x", params, ...(token ? { token } : {}), ...(withBody ? { json: c.body ?? specs.eventHub() } : {}) });
    // The dry run reports a policy refusal as its result (200, valid: false), not as an error: still no ARM call.
    const dryRunRefusal = c.route === "validate" && c.status === 403 && answer.status === 200 && answer.body?.valid === false;
    if (dryRunRefusal) expect((answer.body?.problems as { code: string }[]).map((p) => p.code)).toContain(c.code);
    else {
      expect(answer.status, answer.text).toBe(c.status);
      expect(answer.headers["content-type"]).toBe("application/problem+json");
      expect(answer.body?.code).toBe(c.code);
    }
    expect(counts.arm, counts.calls.join(", ")).toBe(0);
    expect(counts.writes, counts.calls.join(", ")).toBe(0);
    results.add({
      table: "authentication and authorization",
      operation: c.route,
      condition: c.name,
      outcome: dryRunRefusal ? `200 valid:false ${JSON.stringify((answer.body?.problems as { code: string }[]).map((p) => p.code))}` : `${answer.status} ${String(answer.body?.code)}`,
      attempts: 1,
      timeInMs: 0,
      inconsistencies: counts.arm + counts.writes,
      notes: `in-process; ARM calls ${counts.arm}, writes ${counts.writes}, registry reads ${counts.reads}`,
    });
  });
});

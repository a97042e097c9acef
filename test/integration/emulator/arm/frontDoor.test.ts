import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startArmServer, type ArmServer } from "../../../../emulator/arm/armServer";
import { ArmError, type ArmOperationRecord, type ResourceProvider } from "../../../../emulator/arm/contract";
import { createTokenService, type EmulatorTokenService } from "../../../../emulator/identity/tokenService";
import { createCertificateAuthority } from "../../../../emulator/tls/certificateAuthority";
import { World } from "../../../../emulator/world/world";
import { httpsJson } from "../../../support/httpsJson";

const TA = "aaaaaaaa-0000-4000-8000-00000000000a";
const TB = "bbbbbbbb-0000-4000-8000-00000000000b";
const SA = "aaaaaaaa-1111-4111-8111-00000000000a";
const SB = "bbbbbbbb-1111-4111-8111-00000000000b";
const ALICE = "aaaaaaaa-2222-4222-8222-000000000001";
const BOB = "aaaaaaaa-2222-4222-8222-000000000002";
const CAROL = "bbbbbbbb-2222-4222-8222-000000000003";
const RG = `/subscriptions/${SA}/resourceGroups/rg`;
const WIDGETS = `${RG}/providers/Microsoft.Test/widgets`;
const SOURCE_IN_B = `/subscriptions/${SB}/resourceGroups/rgb/providers/Microsoft.Test/widgets/source`;
const V = "2024-01-01";
const ARM = "https://management.azure.com/";

const testProvider: ResourceProvider = {
  namespace: "Microsoft.Test",
  routes: [
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Test/widgets/{name}",
      apiVersions: [V, "2023-01-01"],
      action: "Microsoft.Test/widgets/read",
      handler(req, ctx) {
        const r = ctx.world.getResource(req.path);
        if (!r) throw new ArmError(404, "ResourceNotFound", `The Resource 'Microsoft.Test/widgets/${req.params.name}' under resource group 'rg' was not found.`);
        return { status: 200, body: r.body };
      },
    },
    {
      method: "PUT",
      path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Test/widgets/{name}",
      apiVersions: [V],
      action: "Microsoft.Test/widgets/write",
      handler(req, ctx) {
        const source = (req.body as { properties?: { sourceId?: string } } | undefined)?.properties?.sourceId;
        if (source) ctx.identityForTenant(req, ctx.world.tenantOfResource(source) ?? "");
        const lro = ctx.lro.start({
          namespace: "Microsoft.Test",
          subscriptionId: req.params.subscriptionId ?? "",
          location: "westeurope",
          apiVersion: req.apiVersion,
          origin: req.url.origin,
          operationKind: "WidgetCreate",
          durationInMs: 150,
          path: req.path,
          complete: () => void ctx.world.putResource({ id: req.path, name: req.params.name, type: "Microsoft.Test/widgets", properties: { state: "Ready" } }),
          finalResult: () => ({ status: 200, body: ctx.world.getResource(req.path)?.body }),
        });
        return { status: 202, headers: lro.headers };
      },
    },
    {
      method: "DELETE",
      path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Test/widgets/{name}",
      apiVersions: [V],
      action: "Microsoft.Test/widgets/delete",
      handler(req, ctx) {
        return { status: ctx.world.deleteResource(req.path).length > 0 ? 200 : 204 };
      },
    },
    {
      method: "GET",
      path: "/providers/Microsoft.Test/operations",
      apiVersions: [V],
      action: "Microsoft.Test/operations/read",
      authorization: "authenticated",
      handler: () => ({ status: 200, body: { value: [] } }),
    },
    {
      method: "GET",
      path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Test/widgets/{name}/boom",
      apiVersions: [V],
      action: "Microsoft.Test/widgets/read",
      handler() {
        throw new Error("provider bug");
      },
    },
  ],
};

let dir: string;
let ca: string;
let arm: ArmServer;
let tokens: EmulatorTokenService;
let world: World;
const events: ArmOperationRecord[] = [];
const token = (objectId: string, tenantId = TA, extra: { audience?: string; lifetimeInSeconds?: number } = {}) =>
  tokens.mint({ tenantId, objectId, audience: extra.audience ?? ARM, lifetimeInSeconds: extra.lifetimeInSeconds });
const call = async (path: string, init: { method?: string; as?: string; tenant?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {}) =>
  httpsJson(arm.origin + path, {
    ca,
    method: init.method,
    token: init.as ? await token(init.as, init.tenant) : undefined,
    headers: init.headers,
    body: init.body,
    rawBody: init.rawBody,
  });
const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arm-front-door-"));
  const authority = await createCertificateAuthority({ dir });
  ca = authority.caPem;
  world = new World({
    tenants: [
      { id: TA, displayName: "A" },
      { id: TB, displayName: "B" },
    ],
    subscriptions: [
      { id: SA, tenantId: TA, displayName: "a" },
      { id: SB, tenantId: TB, displayName: "b" },
    ],
    resourceGroups: [
      { subscriptionId: SA, name: "rg", location: "westeurope" },
      { subscriptionId: SB, name: "rgb", location: "westeurope" },
    ],
    principals: [
      { objectId: ALICE, tenantId: TA, type: "User", displayName: "alice" },
      { objectId: BOB, tenantId: TA, type: "User", displayName: "bob" },
      { objectId: CAROL, tenantId: TB, type: "User", displayName: "carol" },
    ],
    resources: [{ id: SOURCE_IN_B, name: "source", type: "Microsoft.Test/widgets", properties: {} }],
    roleAssignments: [
      { name: "aaaaaaaa-3333-4333-8333-000000000001", scope: `/subscriptions/${SA}`, role: "Owner", principalId: ALICE },
      { scope: `/subscriptions/${SB}`, role: "Reader", principalId: CAROL },
    ],
  });
  tokens = await createTokenService({ world });
  arm = await startArmServer({ world, tokens, tls: authority, providers: [testProvider], sink: { publish: (e) => void events.push(e) } });
});

afterAll(async () => {
  await arm?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await arm.lro.drain(); // operations of earlier tests must not publish into this one's events
  arm.faults.clear();
  arm.requestLog.clear();
  arm.throttle.reset();
  events.length = 0;
});

describe("ARM front door: authentication", () => {
  it("refuses a request without a token with ARM's 401 and challenge", async () => {
    const res = await call(`${WIDGETS}/w?api-version=${V}`);
    expect(res.status).toBe(401);
    expect(errorOf(res.body)).toEqual({ code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." });
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer authorization_uri="[^"]+", error="invalid_token", error_description="/);
    expect(res.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers["x-ms-correlation-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses expired tokens and tokens for another audience", async () => {
    const expired = await token(ALICE, TA, { lifetimeInSeconds: -3600 });
    const res = await httpsJson(`${arm.origin}${WIDGETS}/w?api-version=${V}`, { ca, token: expired });
    expect(res.status).toBe(401);
    expect(errorOf(res.body).code).toBe("ExpiredAuthenticationToken");
    const graph = await token(ALICE, TA, { audience: "https://graph.microsoft.com" });
    const wrong = await httpsJson(`${arm.origin}${WIDGETS}/w?api-version=${V}`, { ca, token: graph });
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong.body).code).toBe("InvalidAuthenticationTokenAudience");
  });

  it("refuses a token from a tenant that does not own the subscription", async () => {
    const res = await call(`${WIDGETS}/w?api-version=${V}`, { as: CAROL, tenant: TB });
    expect(res.status).toBe(401);
    expect(errorOf(res.body).code).toBe("InvalidAuthenticationTokenTenant");
    expect(errorOf(res.body).message).toContain(`It must match the tenant 'https://sts.windows.net/${TA}/' associated with this subscription`);
  });

  it("answers 404 SubscriptionNotFound for an unknown subscription", async () => {
    const res = await call(`/subscriptions/cccccccc-0000-4000-8000-000000000000/resourceGroups/rg/providers/Microsoft.Test/widgets/w?api-version=${V}`, { as: ALICE });
    expect(res.status).toBe(404);
    expect(errorOf(res.body)).toEqual({ code: "SubscriptionNotFound", message: "The subscription 'cccccccc-0000-4000-8000-000000000000' could not be found." });
  });
});

describe("ARM front door: routing and api-version", () => {
  it("requires api-version", async () => {
    const res = await call(`${WIDGETS}/w`, { as: ALICE });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe("MissingApiVersionParameter");
  });

  it("lists the supported versions when the api-version is not one of them", async () => {
    const unknown = await call(`${WIDGETS}/w?api-version=2099-01-01`, { as: ALICE });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown.body).code).toBe("InvalidApiVersionParameter");
    expect(errorOf(unknown.body).message).toContain(`The supported versions are '${V},2023-01-01'`);
    // Known to the namespace but not for this operation: ARM's NoRegisteredProviderFound.
    const otherOp = await call(`${WIDGETS}/w?api-version=2023-01-01`, { as: ALICE, method: "DELETE" });
    expect(otherOp.status).toBe(400);
    expect(errorOf(otherOp.body).code).toBe("NoRegisteredProviderFound");
    expect(errorOf(otherOp.body).message).toContain("for type 'widgets'");
  });

  it("answers 404 for unknown namespaces and types and 405 for unsupported methods", async () => {
    const ns = await call(`${RG}/providers/Microsoft.Nope/things/x?api-version=${V}`, { as: ALICE });
    expect(ns.status).toBe(404);
    expect(errorOf(ns.body)).toEqual({ code: "InvalidResourceNamespace", message: "The resource namespace 'Microsoft.Nope' is invalid." });
    const type = await call(`${RG}/providers/Microsoft.Test/gadgets/x?api-version=${V}`, { as: ALICE });
    expect(type.status).toBe(404);
    expect(errorOf(type.body).code).toBe("InvalidResourceType");
    const method = await call(`${WIDGETS}/w?api-version=${V}`, { as: ALICE, method: "PATCH", body: {} });
    expect(method.status).toBe(405);
  });

  it("decodes percent-encoded paths and ignores a trailing slash", async () => {
    world.putResource({ id: `${WIDGETS}/with space`, name: "with space", type: "Microsoft.Test/widgets", properties: {} });
    const res = await call(`${WIDGETS}/with%20space/?api-version=${V}`, { as: ALICE });
    expect(res.status).toBe(200);
    expect((res.body as { name: string }).name).toBe("with space");
  });

  it("answers ResourceGroupNotFound for resources in a missing group", async () => {
    const res = await call(`/subscriptions/${SA}/resourceGroups/nope/providers/Microsoft.Test/widgets/w?api-version=${V}`, { as: ALICE });
    expect(res.status).toBe(404);
    expect(errorOf(res.body)).toEqual({ code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found." });
  });

  it("reads subscriptions and resource groups", async () => {
    const sub = await call(`/subscriptions/${SA}?api-version=2022-12-01`, { as: ALICE });
    expect(sub.body).toMatchObject({ id: `/subscriptions/${SA}`, subscriptionId: SA, tenantId: TA, state: "Enabled" });
    const rg = await call(`${RG}?api-version=2021-04-01`, { as: ALICE });
    expect(rg.body).toMatchObject({ id: RG, name: "rg", location: "westeurope", type: "Microsoft.Resources/resourceGroups" });
  });
});

describe("ARM front door: authorization", () => {
  it("refuses callers without a granting role assignment with ARM's exact message", async () => {
    const res = await call(`${WIDGETS}/w?api-version=${V}`, { as: BOB });
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toEqual({
      code: "AuthorizationFailed",
      message: `The client '${BOB}' with object id '${BOB}' does not have authorization to perform action 'Microsoft.Test/widgets/read' over scope '${WIDGETS}/w' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
  });

  it("serves routes marked authenticated to any caller with a valid token, and to nobody without one", async () => {
    const withToken = await call(`/providers/Microsoft.Test/operations?api-version=${V}`, { as: BOB });
    expect(withToken.status).toBe(200);
    const anonymous = await call(`/providers/Microsoft.Test/operations?api-version=${V}`);
    expect(anonymous.status).toBe(401);
  });

  it("lets a caller poll an operation it started with a role on the resource group only", async () => {
    const rgOnly = "aaaaaaaa-2222-4222-8222-0000000000d1";
    world.principals.set(rgOnly, { objectId: rgOnly, tenantId: TA, type: "User", displayName: "dave" });
    world.createRoleAssignment({ scope: RG, role: "Contributor", principalId: rgOnly });
    const started = await call(`${WIDGETS}/polled?api-version=${V}`, { as: rgOnly, method: "PUT", body: { properties: {} } });
    expect(started.status).toBe(202);
    const operationUrl = new URL(String(started.headers["azure-asyncoperation"]));
    const polled = await call(operationUrl.pathname + operationUrl.search, { as: rgOnly });
    expect(polled.status).toBe(200);
    expect((polled.body as { status: string }).status).toMatch(/Running|Succeeded/);
  });

  it("refuses a body that links another tenant's resource without an auxiliary token for it", async () => {
    const res = await call(`${WIDGETS}/linked?api-version=${V}`, { as: ALICE, method: "PUT", body: { properties: { sourceId: SOURCE_IN_B } } });
    expect(res.status).toBe(403);
    expect(errorOf(res.body).code).toBe("LinkedAuthorizationFailed");
    expect(errorOf(res.body).message).toBe(
      `The client has permission to perform action 'Microsoft.Test/widgets/write' on scope '${WIDGETS}/linked', however the current tenant '${TA}' is not authorized to access linked subscription '${SB}'.`,
    );
  });

  it("accepts the link with a valid auxiliary token for the other tenant", async () => {
    const aux = await token(CAROL, TB);
    const res = await call(`${WIDGETS}/linked?api-version=${V}`, {
      as: ALICE,
      method: "PUT",
      headers: { "x-ms-authorization-auxiliary": `Bearer ${aux}` },
      body: { properties: { sourceId: SOURCE_IN_B } },
    });
    expect(res.status).toBe(202);
    expect(arm.requestLog.list().at(-1)?.auxiliaryTenants).toEqual([TB]);
  });

  it("refuses an expired auxiliary token with a 401 naming it", async () => {
    const aux = await token(CAROL, TB).then(() => tokens.mint({ tenantId: TB, objectId: CAROL, audience: ARM, lifetimeInSeconds: -3600 }));
    const res = await call(`${WIDGETS}/w?api-version=${V}`, { as: ALICE, headers: { "x-ms-authorization-auxiliary": `Bearer ${aux}` } });
    expect(res.status).toBe(401);
    expect(errorOf(res.body).code).toBe("ExpiredAuthenticationToken");
    expect(errorOf(res.body).message).toContain("auxiliary token at position 1");
  });

  it("refuses a body that is not JSON", async () => {
    const res = await call(`${WIDGETS}/w?api-version=${V}`, { as: ALICE, method: "PUT", rawBody: "{not json" });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe("InvalidRequestContent");
  });

  it("turns unexpected provider errors into 500 InternalServerError", async () => {
    const res = await call(`${WIDGETS}/w/boom?api-version=${V}`, { as: ALICE });
    expect(res.status).toBe(500);
    expect(errorOf(res.body).code).toBe("InternalServerError");
  });
});

describe("ARM front door: long-running operations and events", () => {
  it("serves Azure-AsyncOperation and Location until the operation completes, then publishes the write event", async () => {
    const put = await call(`${WIDGETS}/lro?api-version=${V}`, {
      as: ALICE,
      method: "PUT",
      body: {},
      headers: { "x-ms-client-request-id": "client-1", "x-ms-correlation-request-id": "corr-1" },
    });
    expect(put.status).toBe(202);
    expect(put.headers["x-ms-correlation-request-id"]).toBe("corr-1");
    expect(put.headers["x-ms-client-request-id"]).toBe("client-1");
    const asyncUrl = put.headers["azure-asyncoperation"] as string;
    const location = put.headers.location as string;
    expect(asyncUrl).toMatch(new RegExp(`^${arm.origin}/subscriptions/${SA}/providers/Microsoft.Test/locations/westeurope/operationResults/[0-9a-f-]+\\?api-version=${V}$`));
    expect(location).toBe(`${asyncUrl}&operationResultResponseType=Location`);
    // 150 ms left: Retry-After can only say whole seconds, so it is left out and the client picks its interval.
    expect(put.headers["retry-after"]).toBeUndefined();

    const tokenA = await token(ALICE);
    const running = await httpsJson(asyncUrl, { ca, token: tokenA });
    expect(running.body).toMatchObject({ status: "Running", percentComplete: expect.any(Number) });
    expect((await httpsJson(location, { ca, token: tokenA })).status).toBe(202);
    expect(events).toEqual([]); // ARM raises the event when the operation has succeeded

    await arm.lro.drain();
    const done = await httpsJson(asyncUrl, { ca, token: tokenA });
    expect(done.body).toMatchObject({ status: "Succeeded", percentComplete: 100, endTime: expect.any(String), startTime: expect.any(String) });
    const final = await httpsJson(location, { ca, token: tokenA });
    expect(final).toMatchObject({ status: 200, body: { properties: { state: "Ready" } } });

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      resourceUri: `${WIDGETS}/lro`,
      operationName: "Microsoft.Test/widgets/write",
      resourceProvider: "Microsoft.Test",
      subscriptionId: SA,
      resourceGroup: "rg",
      tenantId: TA,
      correlationId: "corr-1",
      httpRequest: { clientRequestId: "client-1", method: "PUT" },
      authorization: {
        scope: `${WIDGETS}/lro`,
        action: "Microsoft.Test/widgets/write",
        evidence: { role: "Owner", roleAssignmentId: "aaaaaaaa333343338333000000000001", principalType: "User", roleAssignmentScope: `/subscriptions/${SA}` },
      },
    });
  });

  it("ends an operation Failed when the admin asked for it, without an event", async () => {
    arm.faults.add({ pattern: "/widgets/doomed$", failLro: true });
    const put = await call(`${WIDGETS}/doomed?api-version=${V}`, { as: ALICE, method: "PUT", body: {} });
    await arm.lro.drain();
    const result = await httpsJson(put.headers["azure-asyncoperation"] as string, { ca, token: await token(ALICE) });
    expect(result.body).toMatchObject({ status: "Failed", error: { code: "InternalServerError" } });
    expect(world.getResource(`${WIDGETS}/doomed`)).toBeUndefined();
    expect(events).toEqual([]);
  });

  it("publishes a delete event for a synchronous delete", async () => {
    world.putResource({ id: `${WIDGETS}/gone`, name: "gone", type: "Microsoft.Test/widgets", properties: {} });
    const res = await call(`${WIDGETS}/gone?api-version=${V}`, { as: ALICE, method: "DELETE" });
    expect(res.status).toBe(200);
    expect(events.map((e) => [e.eventType, e.operationName])).toEqual([["Microsoft.Resources.ResourceDeleteSuccess", "Microsoft.Test/widgets/delete"]]);
  });
});

describe("ARM front door: throttling, faults and the request log", () => {
  it("throttles reads per principal after the 250-request burst with ARM's 429", async () => {
    const t = await token(ALICE);
    const first = await httpsJson(`${arm.origin}${WIDGETS}/missing?api-version=${V}`, { ca, token: t });
    expect(first.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBe("249");
    // The bucket refills at 25/s while the burst is sent, so a few more than 250 may pass.
    let allowed = 1;
    let throttled = first;
    while (allowed < 400) {
      throttled = await httpsJson(`${arm.origin}${WIDGETS}/missing?api-version=${V}`, { ca, token: t });
      if (throttled.status === 429) break;
      expect(throttled.status).toBe(404);
      allowed++;
    }
    expect(throttled.status).toBe(429);
    expect(allowed).toBeGreaterThanOrEqual(250);
    expect(allowed).toBeLessThan(300);
    expect(throttled.headers["retry-after"]).toBe("1");
    expect(errorOf(throttled.body).code).toBe("SubscriptionRequestsThrottled");
    expect(errorOf(throttled.body).message).toContain(`Number of 'read' requests for subscription '${SA}' actor '${ALICE}' exceeded`);
    // Writes have their own bucket.
    const write = await call(`${WIDGETS}/w2?api-version=${V}`, { as: ALICE, method: "DELETE" });
    expect(write.headers["x-ms-ratelimit-remaining-subscription-deletes"]).toBe("199");
  });

  it("injects 429s, 5xx and connection resets on matching routes", async () => {
    arm.faults.add({ id: "t", pattern: "^GET .+/widgets/t$", throttleRate: 1, retryAfterSeconds: 3 });
    arm.faults.add({ id: "e", pattern: "^GET .+/widgets/e$", errorRate: 1, errorStatus: 503 });
    arm.faults.add({ id: "r", pattern: "^GET .+/widgets/r$", resetRate: 1 });
    const t = await call(`${WIDGETS}/t?api-version=${V}`, { as: ALICE });
    expect([t.status, t.headers["retry-after"]]).toEqual([429, "3"]);
    const e = await call(`${WIDGETS}/e?api-version=${V}`, { as: ALICE });
    expect([e.status, errorOf(e.body).code]).toEqual([503, "ServiceUnavailable"]);
    await expect(call(`${WIDGETS}/r?api-version=${V}`, { as: ALICE })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(arm.requestLog.list().map((x) => x.fault)).toEqual(["t", "e", "r"]);
  });

  it("logs method, path, api-version, principal, action, status and duration", async () => {
    await call(`${WIDGETS}/missing?api-version=${V}`, { as: ALICE });
    const [entry] = arm.requestLog.list();
    expect(entry).toMatchObject({
      method: "GET",
      path: `${WIDGETS}/missing`,
      apiVersion: V,
      principal: { objectId: ALICE, tenantId: TA },
      action: "Microsoft.Test/widgets/read",
      status: 404,
      errorCode: "ResourceNotFound",
    });
    expect(entry?.durationInMs).toBeGreaterThanOrEqual(0);
  });
});

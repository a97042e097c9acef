import type { HttpHandler } from "@azure/functions";
import { beforeAll, describe, expect, it } from "vitest";
import { createConnectionsHandlers } from "../../src/functions/connections";
import type { ConnectionsService } from "../../src/lib/connections/service";
import {
  AppError,
  connectionPath,
  createFakeService,
  createTokens,
  expectProblem,
  expectSchema,
  failResult,
  invoke,
  notFound,
  okResult,
  origin,
  routeParams,
  sampleConnection,
  subscriptionId,
  validBody,
} from "./support/apiHarness";

let tokens: Awaited<ReturnType<typeof createTokens>>;
let writerToken: string;
beforeAll(async () => {
  tokens = await createTokens();
  writerToken = await tokens.tokenFor(["Connections.Write"]);
});

const setup = (responses: Parameters<typeof createFakeService>[0] = {}) => {
  const fake = createFakeService(responses);
  const handlers = createConnectionsHandlers({ getService: () => fake.service, getTokenValidator: () => tokens.validator, pollAfterInSeconds: 3 });
  return { ...fake, handlers };
};
const auth = () => ({ authorization: `Bearer ${writerToken}` });

describe("every route authenticates first", () => {
  const routes: [keyof ReturnType<typeof setup>["handlers"], string, string, Record<string, string>][] = [
    ["upsert", "PUT", connectionPath, routeParams],
    ["validate", "POST", `${connectionPath}/validate`, routeParams],
    ["get", "GET", connectionPath, routeParams],
    ["delete", "DELETE", connectionPath, routeParams],
    ["journal", "GET", `${connectionPath}/journal`, routeParams],
    ["list", "GET", "/api/connections", {}],
    ["getOperation", "GET", "/api/operations/op-1", { id: "op-1" }],
  ];

  it.each(routes)("%s: 401 problem without a token, before reading anything, with zero service calls", async (route, method, path, params) => {
    const { handlers, calls } = setup();
    // A bad body, a bad route and a wrong content type: authentication still answers first.
    const response = await invoke(handlers[route], {
      method,
      path,
      params: { ...params, name: "bad/name" },
      headers: { "content-type": "text/plain", "x-correlation-id": "corr-401" },
      ...(method === "GET" || method === "DELETE" ? {} : { body: { string: "x".repeat(70_000) } }),
    });
    const problem = expectProblem(response, 401, "MissingToken");
    expect(response.headers["www-authenticate"]).toBe("Bearer");
    expect(problem.correlationId).toBe("corr-401");
    expect(calls).toEqual([]);
  });

  it.each(routes)("%s: 401 with an expired token", async (route, method, path, params) => {
    const { handlers, calls } = setup();
    const expired = await tokens.tokenFor(["Connections.Write"], { exp: Math.floor(Date.now() / 1000) - 3600 });
    const response = await invoke(handlers[route], { method, path, params, headers: { authorization: `Bearer ${expired}` } });
    expectProblem(response, 401, "TokenExpired");
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/);
    expect(calls).toEqual([]);
  });
});

describe("PUT /api/connections/{...}/{name}", () => {
  const put = (handler: HttpHandler, init: { json?: unknown; headers?: Record<string, string>; body?: { string: string }; params?: Record<string, string> } = {}) =>
    invoke(handler, { method: "PUT", path: connectionPath, ...init, params: init.params ?? routeParams, headers: { ...auth(), ...init.headers } });

  it("201 on create, with Location, ETag and the managed connection; the service gets the parsed request", async () => {
    const connection = sampleConnection();
    const { handlers, calls } = setup({ upsert: async () => okResult({ status: "created", connection }) });
    const response = await put(handlers.upsert, { json: validBody, headers: { "x-correlation-id": "corr-1" } });
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe(`${origin}${connectionPath}`);
    expect(response.headers.etag).toBe(connection.etag);
    expect(response.headers["x-correlation-id"]).toBe("corr-1");
    expectSchema(response.body, "ManagedConnection");
    expect(response.body).toMatchObject({ id: connection.id, kind: "EventHub", authMode: "key", status: "Succeeded", name: "events" });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0]).toEqual({
      caller: { tenantId: expect.any(String), objectId: "11111111-3333-4333-8333-000000000005", appId: expect.any(String), roles: ["Connections.Write"] },
      key: routeParams,
      spec: { kind: "EventHub", location: "westeurope", properties: validBody.properties },
      access: { mode: "key" },
      correlationId: "corr-1",
    });
  });

  it.each(["updated", "unchanged"] as const)("200 when %s", async (status) => {
    const { handlers } = setup({ upsert: async () => okResult({ status, connection: sampleConnection() }) });
    const response = await put(handlers.upsert, { json: validBody });
    expect(response.status).toBe(200);
    expect(response.headers.location).toBeUndefined();
    expectSchema(response.body, "ManagedConnection");
  });

  it("202 with the operation's Location and Retry-After when Kusto outlives the wait", async () => {
    const connection = sampleConnection({ status: "Provisioning", operation: { id: "op-42", kind: "create", startedAt: "2025-01-01T00:00:00.000Z", resumeToken: "secret-poller-state" } });
    const { handlers } = setup({ upsert: async () => okResult({ status: "accepted", connection, operationId: "op-42" }) });
    const response = await put(handlers.upsert, { json: validBody });
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(`${origin}/api/operations/op-42`);
    expect(response.headers["retry-after"]).toBe("3");
    expectSchema(response.body, "ManagedConnection");
    expect(response.body).toMatchObject({ status: "Provisioning", operation: { id: "op-42", href: "/api/operations/op-42" } });
    expect(JSON.stringify(response.body)).not.toContain("secret-poller-state");
  });

  it("413 over 64 KiB, by Content-Length or by size, with zero service calls", async () => {
    const { handlers, calls } = setup();
    const big = JSON.stringify({ ...validBody, padding: "x".repeat(70_000) });
    expectProblem(await put(handlers.upsert, { body: { string: big }, headers: { "content-type": "application/json" } }), 413, "PayloadTooLarge");
    expectProblem(
      await put(handlers.upsert, { body: { string: "{}" }, headers: { "content-type": "application/json", "content-length": "1000000" } }),
      413,
      "PayloadTooLarge",
    );
    expect(calls).toEqual([]);
  });

  it("415 unless the body is application/json, with zero service calls", async () => {
    const { handlers, calls } = setup();
    expectProblem(await put(handlers.upsert, { body: { string: JSON.stringify(validBody) }, headers: { "content-type": "text/plain" } }), 415, "UnsupportedMediaType");
    expect(calls).toEqual([]);
  });

  it("400 for malformed JSON or no body, with zero service calls", async () => {
    const { handlers, calls } = setup();
    expectProblem(await put(handlers.upsert, { body: { string: '{"kind": "EventHub",' }, headers: { "content-type": "application/json" } }), 400, "MalformedJson");
    expectProblem(await put(handlers.upsert, { headers: { "content-type": "application/json" } }), 400, "MissingBody");
    expect(calls).toEqual([]);
  });

  it("400 listing every route and body problem with JSON pointers, with zero service calls", async () => {
    const { handlers, calls } = setup();
    const response = await put(handlers.upsert, {
      params: { ...routeParams, subscriptionId: "nope", name: "a/b" },
      json: { kind: "EventHub", properties: { eventHubResourceId: "/subscriptions/x", consumerGroup: "adx", surprise: 1 } },
    });
    const problem = expectProblem(response, 400, "InvalidRequest");
    expect((problem.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(
      ["/properties/eventHubResourceId", "/properties/surprise", "/route/name", "/route/subscriptionId"].sort(),
    );
    expect(calls).toEqual([]);
  });

  it("maps the service's refusals to problems (403 policy, 409 conflict, 429 with Retry-After)", async () => {
    const cases: [AppError, number][] = [
      [new AppError("forbidden", "SourceNotAllowed", "Source is outside your scopes."), 403],
      [new AppError("conflict", "OperationInProgress", "Another operation is running."), 409],
      [new AppError("throttled", "ArmThrottled", "Slow down.", { retryAfterInSeconds: 17 }), 429],
    ];
    for (const [error, status] of cases) {
      const { handlers } = setup({ upsert: async () => failResult(error) });
      const response = await put(handlers.upsert, { json: validBody });
      expectProblem(response, status, error.code);
      if (status === 429) expect(response.headers["retry-after"]).toBe("17");
    }
  });

  it("500 without details when the service throws, and logs it with the correlation ID", async () => {
    const { handlers } = setup({
      upsert: async () => {
        throw new Error("Endpoint=sb://x;SharedAccessKey=abc");
      },
    });
    const response = await put(handlers.upsert, { json: validBody, headers: { "x-correlation-id": "corr-500" } });
    const problem = expectProblem(response, 500, "InternalError");
    expect(JSON.stringify(problem)).not.toContain("SharedAccessKey");
    expect(response.logs.join("\n")).toContain("corr-500");
    expect(response.logs.join("\n")).not.toContain("SharedAccessKey");
  });
});

describe("POST .../{name}/validate", () => {
  const post = (handler: HttpHandler, json: unknown, params = routeParams) =>
    invoke(handler, { method: "POST", path: `${connectionPath}/validate`, params, headers: auth(), json });

  it("reports schema problems in the report shape, with zero service calls", async () => {
    const { handlers, calls } = setup();
    const response = await post(handlers.validate, { kind: "EventHub", properties: { consumerGroup: 5 } }, { ...routeParams, cluster: "x" });
    expect(response.status).toBe(200);
    expectSchema(response.body, "ValidationReport");
    expect(response.body).toMatchObject({ valid: false });
    expect((response.body as { problems: { path: string }[] }).problems.map((p) => p.path).sort()).toEqual(
      ["/properties/consumerGroup", "/properties/eventHubResourceId", "/route/cluster"].sort(),
    );
    expect(calls).toEqual([]);
  });

  it("returns the service's report for a valid request", async () => {
    const binding = sampleConnection().binding;
    const { handlers, calls } = setup({
      validate: async () => okResult({ valid: false, problems: [{ code: "NameNotAvailable", message: "taken", path: "/route/name" }], binding }),
    });
    const response = await post(handlers.validate, validBody);
    expect(response.status).toBe(200);
    expectSchema(response.body, "ValidationReport");
    expect(response.body).toMatchObject({ valid: false, problems: [{ code: "NameNotAvailable" }], binding: { principal: { kind: "appIdentity" } } });
    expect(calls.map((c) => c.method)).toEqual(["validate"]);
  });

  it("still answers 413/415 as HTTP errors", async () => {
    const { handlers } = setup();
    const response = await invoke(handlers.validate, { method: "POST", path: `${connectionPath}/validate`, params: routeParams, headers: { ...auth(), "content-type": "application/xml" }, body: { string: "<x/>" } });
    expectProblem(response, 415, "UnsupportedMediaType");
  });
});

describe("GET and DELETE .../{name}", () => {
  it("GET returns the connection with its ETag", async () => {
    const connection = sampleConnection();
    const { handlers, calls } = setup({ get: async () => okResult(connection) });
    const response = await invoke(handlers.get, { method: "GET", path: connectionPath, params: routeParams, headers: auth() });
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe(connection.etag);
    expectSchema(response.body, "ManagedConnection");
    expect(calls[0]?.args[1]).toEqual(routeParams);
  });

  it("GET 404 for a connection the app does not manage; 400 for a bad name without calling the service", async () => {
    const { handlers, calls } = setup({ get: async () => notFound() });
    expectProblem(await invoke(handlers.get, { method: "GET", path: connectionPath, params: routeParams, headers: auth() }), 404, "ConnectionNotFound");
    expectProblem(await invoke(handlers.get, { method: "GET", path: connectionPath, params: { ...routeParams, name: "x".repeat(41) }, headers: auth() }), 400, "InvalidRequest");
    expect(calls).toHaveLength(1);
  });

  it("DELETE 204 when done, 202 with the operation when Kusto outlives the wait", async () => {
    const done = setup({ delete: async () => okResult({ status: "deleted" as const }) });
    const deleted = await invoke(done.handlers.delete, { method: "DELETE", path: connectionPath, params: routeParams, headers: { ...auth(), "x-correlation-id": "corr-d" } });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(done.calls[0]?.args.slice(1)).toEqual([routeParams, "corr-d"]);
    const slow = setup({ delete: async () => okResult({ status: "accepted" as const, operationId: "op-del" }) });
    const accepted = await invoke(slow.handlers.delete, { method: "DELETE", path: connectionPath, params: routeParams, headers: auth() });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.location).toBe(`${origin}/api/operations/op-del`);
    expect(accepted.headers["retry-after"]).toBe("3");
  });
});

describe("paged lists", () => {
  it("GET /api/connections passes filters and paging, and links the next page", async () => {
    const { handlers, calls } = setup({
      list: async (_caller, _filter, page) =>
        okResult(page.continuationToken === undefined ? { items: [sampleConnection()], continuationToken: "rk:events|pk:adxdemo" } : { items: [] }),
    });
    const first = await invoke(handlers.list, { method: "GET", path: `/api/connections?subscriptionId=${subscriptionId}&cluster=adxdemo&status=Succeeded&pageSize=1`, headers: auth() });
    expect(first.status).toBe(200);
    expectSchema(first.body, "ManagedConnectionPage");
    const nextLink = (first.body as { nextLink: string }).nextLink;
    expect(new URL(nextLink).origin).toBe(origin);
    expect(new URL(nextLink).searchParams.get("cluster")).toBe("adxdemo");
    expect(calls[0]?.args.slice(1)).toEqual([{ subscriptionId, cluster: "adxdemo", status: "Succeeded" }, { pageSize: 1 }]);

    const second = await invoke(handlers.list, { method: "GET", path: nextLink.slice(origin.length), headers: auth() });
    expect(second.body).toEqual({ value: [] });
    expect(calls[1]?.args[2]).toEqual({ pageSize: 1, continuationToken: "rk:events|pk:adxdemo" });
  });

  it("400 for bad filters or paging, with zero service calls; unknown parameters are ignored", async () => {
    const { handlers, calls } = setup();
    const response = await invoke(handlers.list, { method: "GET", path: "/api/connections?subscriptionId=x&status=Gone&pageSize=0&continuationToken=%25&code=functionkey", headers: auth() });
    const problem = expectProblem(response, 400, "InvalidRequest");
    expect((problem.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(
      ["/query/continuationToken", "/query/pageSize", "/query/status", "/query/subscriptionId"].sort(),
    );
    expect(calls).toEqual([]);
  });

  it("GET .../journal pages the journal", async () => {
    const entry = { id: "j1", connectionId: sampleConnection().id, at: "2025-01-01T00:00:00.000Z", action: "create" as const, phase: "intent" as const, actor: { system: "revocation" }, correlationId: "c" };
    const { handlers, calls } = setup({ journal: async () => okResult({ items: [entry], continuationToken: "next" }) });
    const response = await invoke(handlers.journal, { method: "GET", path: `${connectionPath}/journal?pageSize=10`, params: routeParams, headers: auth() });
    expect(response.status).toBe(200);
    expectSchema(response.body, "JournalPage");
    expect((response.body as { nextLink: string }).nextLink).toContain(`${connectionPath}/journal?pageSize=10&continuationToken=`);
    expect(calls[0]?.args.slice(1)).toEqual([routeParams, { pageSize: 10 }]);
  });
});

describe("GET /api/operations/{id}", () => {
  it("returns the operation, with Retry-After while it runs", async () => {
    const view = { id: "op-1", kind: "create" as const, status: "Running" as const, connectionId: sampleConnection().id, startedAt: "2025-01-01T00:00:00.000Z" };
    const { handlers } = setup({ getOperation: async () => okResult(view) });
    const running = await invoke(handlers.getOperation, { method: "GET", path: "/api/operations/op-1", params: { id: "op-1" }, headers: auth() });
    expect(running.status).toBe(200);
    expect(running.headers["retry-after"]).toBe("3");
    expectSchema(running.body, "Operation");
    const done = setup({ getOperation: async () => okResult({ ...view, status: "Failed" as const, error: { code: "KustoFailed", message: "no" } }) });
    const failed = await invoke(done.handlers.getOperation, { method: "GET", path: "/api/operations/op-1", params: { id: "op-1" }, headers: auth() });
    expect(failed.headers["retry-after"]).toBeUndefined();
    expect(failed.body).toMatchObject({ status: "Failed", error: { code: "KustoFailed" } });
  });

  it("400 for an ID it never issued, without calling the service", async () => {
    const { handlers, calls } = setup();
    expectProblem(await invoke(handlers.getOperation, { method: "GET", path: "/api/operations/x", params: { id: "../../etc" }, headers: auth() }), 400, "InvalidRequest");
    expect(calls).toEqual([]);
  });
});

describe("a read-only caller", () => {
  it("reaches the service, which applies roles and policy (the handler does not second-guess it)", async () => {
    const readerToken = await tokens.tokenFor(["Connections.Read"]);
    const { handlers, calls } = setup({ upsert: async () => failResult(new AppError("forbidden", "MissingAppRole", "Needs Connections.Write.")) });
    const response = await invoke(handlers.upsert, { method: "PUT", path: connectionPath, params: routeParams, headers: { authorization: `Bearer ${readerToken}` }, json: validBody });
    expectProblem(response, 403, "MissingAppRole");
    expect((calls[0]?.args[0] as Parameters<ConnectionsService["upsert"]>[0]).caller.roles).toEqual(["Connections.Read"]);
  });
});

// The audit's HTTP handlers as the runtime drives them (HttpRequest + InvocationContext), with real token
// validation and the real AuditService over the audit's fake world: status codes, headers, and the HTML report.
import { HttpRequest, InvocationContext, type HttpHandler } from "@azure/functions";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuditHandlers } from "../../../src/functions/audits";
import { createAdoptFunction } from "../../../src/functions/adopt";
import { createAuditService } from "../../../src/lib/audit/service";
import { keyOf, specs } from "../../support/fakes/demoIds";
import { createAuditWorld } from "../../unit/lib/audit/support/auditWorld";
import { createTokens, origin, routeParams } from "../support/apiHarness";

let tokens: Awaited<ReturnType<typeof createTokens>>;
beforeAll(async () => {
  tokens = await createTokens();
});

async function invoke(handler: HttpHandler, method: string, path: string, options: { token?: string; params?: Record<string, string>; body?: string } = {}) {
  const request = new HttpRequest({
    method,
    url: `${origin}${path}`,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body ? { "content-type": "application/json" } : {}) },
    params: options.params ?? {},
    ...(options.body ? { body: { string: options.body } } : {}),
  });
  const response = await handler(request, new InvocationContext({ functionName: "test" }));
  const init = response as { status: number; headers: Record<string, string>; body?: string };
  return { status: init.status, headers: init.headers, body: init.body ?? "" };
}

function setup() {
  const world = createAuditWorld();
  const service = createAuditService(world.deps);
  const handlers = createAuditHandlers({ getService: () => service, getTokenValidator: () => tokens.validator });
  return { world, handlers };
}

describe("audit routes", () => {
  it("answers 401 without a token and 403 without Audit.Run, before starting anything", async () => {
    const { world, handlers } = setup();
    expect((await invoke(handlers.start, "POST", "/api/audits")).status).toBe(401);
    const refused = await invoke(handlers.start, "POST", "/api/audits", { token: await tokens.tokenFor(["Connections.Write"]) });
    expect(refused.status).toBe(403);
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    expect(world.queued).toEqual([]);
    expect(world.runs.size).toBe(0);
  });

  it("POST /api/audits answers 202 with the run's Location and Retry-After; GET follows it", async () => {
    const { world, handlers } = setup();
    await world.manage("a", specs.eventHub());
    const token = await tokens.tokenFor(["Audit.Run"]);
    const started = await invoke(handlers.start, "POST", "/api/audits", { token });
    expect(started.status).toBe(202);
    const run = JSON.parse(started.body) as { runId: string; status: string };
    expect(started.headers.location).toBe(`${origin}/api/audits/${run.runId}`);
    expect(started.headers["retry-after"]).toBe("10");
    const running = await invoke(handlers.get, "GET", `/api/audits/${run.runId}`, { token, params: { runId: run.runId } });
    expect(JSON.parse(running.body)).toMatchObject({ status: "running", shards: { pending: 1 } });
    const notYet = await invoke(handlers.reportHtml, "GET", `/api/audits/${run.runId}/report.html`, { token, params: { runId: run.runId } });
    expect(notYet.status).toBe(409);
  });

  it("serves the report as escaped HTML with a strict content security policy", async () => {
    const { world, handlers } = setup();
    world.kusto.seed(keyOf("<img src=x onerror=alert(1)>"), specs.iotHub());
    await world.manage("a", specs.eventHub());
    const token = await tokens.tokenFor(["Audit.Run"]);
    const run = JSON.parse((await invoke(handlers.start, "POST", "/api/audits", { token })).body) as { runId: string };
    const { runShard } = await import("../../../src/lib/audit/runShard");
    await runShard(world.deps, world.queued[0]!, 1);
    const html = await invoke(handlers.reportHtml, "GET", `/api/audits/${run.runId}/report.html`, { token, params: { runId: run.runId } });
    expect(html.status).toBe(200);
    expect(html.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(html.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(html.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html.body).not.toContain("<img");
    const latest = await invoke(handlers.latest, "GET", "/api/audits/latest", { token });
    expect(JSON.parse(latest.body)).toMatchObject({ runId: run.runId, status: "completed", summary: { byType: { unmanagedConnection: 1 } } });
  });

  it("refuses a malformed run ID (400) and an unknown one (404)", async () => {
    const { handlers } = setup();
    const token = await tokens.tokenFor(["Audit.Run"]);
    expect((await invoke(handlers.get, "GET", "/api/audits/x", { token, params: { runId: "../../etc" } })).status).toBe(400);
    expect((await invoke(handlers.get, "GET", "/api/audits/x", { token, params: { runId: "20250101T000000Z-none" } })).status).toBe(404);
  });
});

describe("adopt route", () => {
  it("answers 401 first, 400 for an unknown access field, and passes the access block on", async () => {
    const inputs: unknown[] = [];
    const handler = createAdoptFunction({ adopt: async (input) => (inputs.push(input), { ok: false, error: new (await import("../../../src/lib/errors")).AppError("notFound", "ConnectionNotInKusto", "none") }), getTokenValidator: () => tokens.validator });
    const path = "/api/connections/x/adopt";
    expect((await invoke(handler, "POST", path, { params: routeParams, body: "{}" })).status).toBe(401);
    const token = await tokens.tokenFor(["Connections.Write"]);
    expect((await invoke(handler, "POST", path, { token, params: routeParams, body: JSON.stringify({ access: { bogus: 1 } }) })).status).toBe(400);
    expect(inputs).toEqual([]);
    const notFound = await invoke(handler, "POST", path, { token, params: routeParams, body: JSON.stringify({ access: { mode: "key" } }) });
    expect(notFound.status).toBe(404);
    expect(inputs).toMatchObject([{ key: { name: "events" }, access: { mode: "key" } }]);
  });
});

// Telemetry of ARM calls over the emulator, through the host's own wiring: every ARM request a create or delete
// makes carries the request's correlation ID (x-ms-correlation-request-id, seen in the emulator's request log),
// the Azure SDK's spans carry it as app.correlation_id and hold no token, key or SAS, and the metrics count them.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { useInstrumenter } from "@azure/core-tracing";
import { createOpenTelemetryInstrumenter } from "@azure/opentelemetry-instrumentation-azure-sdk";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../../emulator/stack";
import type { Caller, TokenValidator } from "../../../src/lib/auth/caller";
import { createConnectionsApi } from "../../../src/lib/http/connectionsApi";
import { silentLogger } from "../../../src/lib/logging/logger";
import type { HttpRequestLike } from "../../../src/lib/http/httpTypes";
import { createOtelMetrics, metricNames } from "../../../src/lib/azure/telemetryMetrics";
import { correlationAttribute } from "../../../src/lib/azure/telemetryPolicy";
import type { ConnectionKey, DataConnectionSpec } from "../../../src/lib/connections/model";
import { wireConnections } from "../../../src/lib/root";
import { httpsJson } from "../../support/httpsJson";
import { inProcessApp } from "../../support/inProcessApp";
import { createMetricsReader } from "../../unit/lib/telemetry/metricsReader";

interface LogEntry {
  method: string;
  path: string;
  status: number;
  correlationId: string;
  principal?: { objectId: string };
}

describe("telemetry of the ARM calls", () => {
  let stack: Stack;
  let stateDir: string;
  let m: Record<string, string>;
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const contextManager = new AsyncLocalStorageContextManager();
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  const key = (name: string): ConnectionKey => ({ subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database: "telemetry", name });
  const alice = (): Caller => ({ tenantId: m.kustoTenantId!, objectId: m.adminUserObjectId!, name: "alice", roles: ["Connections.Read", "Connections.Write"] });
  const eventHubSpec = (): DataConnectionSpec => ({
    kind: "EventHub",
    location: m.location,
    properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" },
  });
  const requestLog = async (): Promise<LogEntry[]> => {
    const { body } = await httpsJson(`${stack.adminUrl}/requests`, { ca: stack.emulator.caPem });
    return (Array.isArray(body) ? body : (body as { value: LogEntry[] }).value) as LogEntry[];
  };

  beforeAll(async () => {
    mkdirSync(".local", { recursive: true });
    stateDir = mkdtempSync(join(".local", "telemetry-it-"));
    stack = await startStack({ stateDir, host: false, timeScale: 0.05, throttling: false, writeStackFile: false });
    m = stack.world;
    // What telemetrySdk.ts sets up, with an in-memory exporter: a context manager, a tracer provider, and
    // OpenTelemetry's instrumenter for the Azure SDK's core-tracing.
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(tracerProvider);
    useInstrumenter(createOpenTelemetryInstrumenter());
  });

  afterAll(async () => {
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    else process.env.IDENTITY_ENDPOINT = saved.endpoint;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    else process.env.IDENTITY_HEADER = saved.header;
    trace.disable();
    context.disable();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("sends the request's correlation ID on every ARM call of a create and a delete, tags the spans with it, and counts both", async () => {
    const reader = createMetricsReader();
    const app = inProcessApp(stack, { REGISTRY_TABLE_PREFIX: `tel${process.pid}`, KUSTO_WAIT_MS: "5000" });
    const { service } = wireConnections(app.settings, app.clients, app.policy, { metrics: createOtelMetrics({ meterProvider: reader.meterProvider }) });
    const appIdentity = m.appIdentityObjectId!;
    const before = (await requestLog()).length;

    const created = await service.upsert({ caller: alice(), key: key("tel-eh"), spec: eventHubSpec(), access: {}, correlationId: "corr-create-tel-eh" });
    if (!created.ok) throw created.error;
    expect(created.value.status).toBe("created");
    const afterCreate = await requestLog();
    const createCalls = afterCreate.slice(before).filter((r) => r.principal?.objectId === appIdentity);
    // Cluster and database reads, name check, role reads, Kusto's validation, the PUT and its polls: all of them.
    expect(createCalls.length).toBeGreaterThan(4);
    expect(createCalls.some((r) => r.method === "PUT" && r.path.includes("/dataConnections/tel-eh"))).toBe(true);
    expect(createCalls.some((r) => r.path.includes("/providers/Microsoft.Authorization/roleAssignments"))).toBe(true);
    expect(createCalls.filter((r) => r.correlationId !== "corr-create-tel-eh")).toEqual([]);

    expect(await service.delete(alice(), key("tel-eh"), "corr-delete-tel-eh")).toEqual({ ok: true, value: { status: "deleted" } });
    const deleteCalls = (await requestLog()).slice(afterCreate.length).filter((r) => r.principal?.objectId === appIdentity);
    expect(deleteCalls.some((r) => r.method === "DELETE" && r.path.includes("/dataConnections/tel-eh"))).toBe(true);
    expect(deleteCalls.map((r) => r.correlationId)).toEqual(deleteCalls.map(() => "corr-delete-tel-eh"));

    // The SDK's HTTP spans to ARM carry the correlation ID; none is left without one.
    const armHost = new URL(stack.emulator.armEndpoint).host;
    // (The emulator serves the notifications topic on the same host: ARM's paths are the ones under /subscriptions.)
    const armSpans = spans.getFinishedSpans().filter((s) => String(s.attributes["url.full"] ?? s.attributes["http.url"] ?? "").startsWith(`https://${armHost}/subscriptions/`));
    expect(armSpans.length).toBeGreaterThanOrEqual(createCalls.length);
    const tagged = new Set(armSpans.map((s) => s.attributes[correlationAttribute]));
    expect([...tagged].sort()).toEqual(["corr-create-tel-eh", "corr-delete-tel-eh"]);

    const points = await reader.points();
    expect(points.filter((p) => p.name === metricNames.connectionsCreated).map((p) => p.value)).toEqual([1]);
    expect(points.filter((p) => p.name === metricNames.connectionsDeleted).map((p) => [p.attributes.reason, p.value])).toEqual([["request", 1]]);
  });

  it("routes that only read (GET, operation poll) send their correlation ID on the ARM requests they make", async () => {
    const app = inProcessApp(stack, { REGISTRY_TABLE_PREFIX: `telr${process.pid}`, KUSTO_WAIT_MS: "0" });
    const { service } = wireConnections(app.settings, app.clients, app.policy);
    const api = createConnectionsApi({ getService: () => service, getTokenValidator: () => ({ validate: async () => ({ ok: true, value: alice() }) }) as unknown as TokenValidator });
    const request = (method: string, path: string, params: Record<string, string>, correlationId: string, body?: unknown): HttpRequestLike => ({
      method,
      url: `https://app.example${path}`,
      headers: new Headers({ authorization: "Bearer x", "x-correlation-id": correlationId, ...(body ? { "content-type": "application/json" } : {}) }),
      params,
      query: new URLSearchParams(),
      body: body ? (new Blob([JSON.stringify(body)]).stream() as HttpRequestLike["body"]) : null,
    });
    const k = key("tel-read");
    const params = { ...k } as unknown as Record<string, string>;
    const path = `/api/connections/${k.subscriptionId}/${k.resourceGroup}/${k.cluster}/${k.database}/${k.name}`;
    const put = await api.upsert(request("PUT", path, params, "corr-put-read", eventHubSpec()), silentLogger);
    expect(put.status).toBe(202); // KUSTO_WAIT_MS 0: the PUT answers with an operation to poll
    const operationId = (JSON.parse(put.body!) as { operationId?: string; operation?: { id: string } }).operationId ?? decodeURIComponent(put.headers.location!.split("/").pop()!);
    const before = (await requestLog()).length;
    const poll = await api.getOperation(request("GET", `/api/operations/${operationId}`, { id: operationId }, "corr-poll-read"), silentLogger);
    expect(poll.status).toBe(200);
    const pollCalls = (await requestLog()).slice(before).filter((r) => r.principal?.objectId === m.appIdentityObjectId);
    expect(pollCalls.length).toBeGreaterThan(0);
    expect(pollCalls.map((r) => r.correlationId)).toEqual(pollCalls.map(() => "corr-poll-read"));
  });

  it("puts no token, key, SAS or connection string in any span attribute", async () => {
    const app = inProcessApp(stack, { REGISTRY_TABLE_PREFIX: `tel${process.pid}s`, KUSTO_WAIT_MS: "5000" });
    const { service } = wireConnections(app.settings, app.clients, app.policy);
    const created = await service.upsert({ caller: alice(), key: key("tel-secret"), spec: eventHubSpec(), access: {}, correlationId: "corr-secrets" });
    if (!created.ok) throw created.error;
    const token = (await app.clients.credential.getToken(`${app.settings.armAudience}.default`))?.token;
    expect(token?.length).toBeGreaterThan(20);
    const all = spans.getFinishedSpans();
    expect(all.length).toBeGreaterThan(0);
    const values = all.flatMap((s) => [s.name, ...Object.entries(s.attributes).map(([k, v]) => `${k}=${String(v)}`), ...s.events.map((e) => JSON.stringify(e.attributes ?? {}))]);
    for (const value of values) {
      expect(value).not.toContain(token!);
      expect(value).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/); // any JWT
      expect(value).not.toMatch(/bearer\s/i);
      expect(value).not.toMatch(/SharedAccessKey|AccountKey=|[?&]sig=/i);
    }
    await service.delete(alice(), key("tel-secret"), "corr-secrets-delete");
  });
});

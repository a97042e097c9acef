// The audit on the local stack, over HTTP and the host's own triggers: the timer fired through the admin URL,
// shards on Azurite's queue (base64 messages, as the host decodes them), findings in the run and the HTML
// report; a shard that fails on every attempt ends in the poison queue and the run closes incomplete.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { QueueServiceClient, type StoragePipelineOptions } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../../emulator/stack";
import { createKustoGateway } from "../../../src/lib/azure/kustoGateway";
import { adminOf, loggedRequests, mintToken } from "../../support/emulatorAdmin";
import { httpsJson } from "../../support/httpsJson";
import { inProcessApp } from "../../support/inProcessApp";
import { ensureBundle } from "../ensureBundle";

interface RunView {
  runId: string;
  status: string;
  summary?: { clusters: number; clustersFailed: number; connections: number; managed: number; byType: Record<string, number>; incomplete: boolean };
  shards: { completed: number; failed: number; pending: number };
}

describe("the audit on the local stack", () => {
  let stack: Stack;
  let stateDir: string;
  let m: Record<string, string>;
  let auditor: string;

  async function call(method: string, path: string, token?: string) {
    const response = await fetch(path.startsWith("http") ? path : `${stack.hostUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await response.text();
    const json = response.headers.get("content-type")?.includes("json") && text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    return { status: response.status, headers: response.headers, text, json };
  }

  async function settled(url: string): Promise<RunView> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await call("GET", url, auditor);
      const run = res.json as unknown as RunView | undefined;
      if (res.status === 200 && run && run.status !== "running") return run;
      if (Date.now() > deadline) throw new Error(`run did not finish: ${res.status} ${res.text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    ensureBundle();
    mkdirSync(join(process.cwd(), ".local"), { recursive: true });
    stateDir = mkdtempSync(join(process.cwd(), ".local", "audit-e2e-"));
    // The production bundle under a host.json whose queues retry at once (visibility 0) and poll fast.
    const appRoot = join(stateDir, "app");
    mkdirSync(appRoot);
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "audit-e2e", private: true, main: resolve("dist/index.js") }));
    writeFileSync(
      join(appRoot, "host.json"),
      JSON.stringify({ version: "2.0", extensions: { queues: { maxDequeueCount: 5, batchSize: 16, visibilityTimeout: "00:00:00", maxPollingInterval: "00:00:00.200" } } }),
    );
    // A schedule that never comes during the test: the timer runs when the admin URL says so.
    stack = await startStack({ stateDir, appRoot, timeScale: 0, appSettings: { AUDIT_SCHEDULE: "0 0 0 1 1 *" } });
    m = stack.world;
    auditor = await mintToken(adminOf(stack), m.adminUserObjectId as string, m.apiAudience as string);

    // One managed key-mode connection through the API, one made behind the app's back directly in Kusto.
    const body = { kind: "EventHub", location: m.location, properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" } };
    const put = await fetch(`${stack.hostUrl}/api/connections/${m.kustoSubscriptionId}/${m.kustoResourceGroup}/${m.kustoClusterName}/telemetry/audit-managed`, {
      method: "PUT",
      headers: { authorization: `Bearer ${auditor}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(put.status).toBe(201);
    const app = inProcessApp(stack);
    const kusto = createKustoGateway({ clientFor: (s, auth) => app.clients.kusto(s, auth) });
    const stray = await kusto.createOrUpdate(
      { subscriptionId: m.kustoSubscriptionId as string, resourceGroup: m.kustoResourceGroup as string, cluster: m.kustoClusterName as string, database: "audit", name: "audit-stray" },
      { kind: "EventHub", location: m.location, properties: { ...body.properties, tableName: "Stray" } },
      {},
      { waitInMs: 10_000 },
    );
    expect(stray.succeeded).toBe(true);
  });

  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("refuses callers without a token (401) or without the Audit.Run role (403)", async () => {
    expect((await call("POST", "/api/audits")).status).toBe(401);
    const reader = await mintToken(adminOf(stack), m.pipelineObjectId as string, m.apiAudience as string);
    const refused = await call("POST", "/api/audits", reader);
    expect(refused.status).toBe(403);
    expect(refused.json?.code).toBe("MissingAppRole");
  });

  it("the timer fans out one shard per cluster; the shard lists each database once and reports the unmanaged key-based connection", async () => {
    const fired = await fetch(`${stack.hostUrl}/admin/functions/auditTimer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: "" }) });
    expect(fired.status).toBe(202);
    const run = await settled("/api/audits/latest");
    expect(run.status).toBe("completed");
    expect(run.summary).toMatchObject({ clusters: 1, clustersFailed: 0, connections: 2, managed: 1, incomplete: false });
    expect(run.summary?.byType).toMatchObject({ unmanagedConnection: 1, accessRevoked: 0, connectionMissing: 0, specDrift: 0 });

    const lists = await loggedRequests(adminOf(stack), { path: "/dataConnections", method: "GET" });
    const perDatabase = lists.filter((r) => /\/databases\/[^/]+\/dataConnections$/i.test(r.path));
    expect(perDatabase.map((r) => r.path.split("/").at(-2)).sort()).toEqual(["audit", "telemetry"]);

    const html = await call("GET", `/api/audits/${run.runId}/report.html`, auditor);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html.text).toContain("audit-stray");
    expect(html.text).toMatch(/unmanagedConnection/);
    expect(html.text).not.toMatch(/<script/i);
  });

  it("adopting the unmanaged connection (201, verified like a create) clears the finding in the next run", async () => {
    const adoptUrl = `/api/connections/${m.kustoSubscriptionId}/${m.kustoResourceGroup}/${m.kustoClusterName}/audit/audit-stray/adopt`;
    const adopted = await fetch(`${stack.hostUrl}${adoptUrl}`, { method: "POST", headers: { authorization: `Bearer ${auditor}`, "content-type": "application/json" }, body: "{}" });
    expect(adopted.status).toBe(201);
    expect(await adopted.json()).toMatchObject({ authMode: "key", status: "Succeeded" });
    const again = await fetch(`${stack.hostUrl}${adoptUrl}`, { method: "POST", headers: { authorization: `Bearer ${auditor}`, "content-type": "application/json" }, body: "{}" });
    expect(again.status).toBe(409);

    const started = await call("POST", "/api/audits", auditor);
    const run = await settled(started.headers.get("location") as string);
    expect(run.summary).toMatchObject({ managed: 2, byType: { unmanagedConnection: 0 } });
  });

  it("a shard that fails on every attempt goes to the poison queue, and the run closes incomplete", async () => {
    const admin = adminOf(stack);
    await httpsJson(`${admin.adminUrl}/faults`, { ca: admin.caPem, method: "POST", body: { id: "no-databases", pattern: "^GET .*/clusters/adxdemo/databases$", errorRate: 1, errorStatus: 403 } });
    try {
      const started = await call("POST", "/api/audits", auditor);
      expect(started.status).toBe(202);
      const location = started.headers.get("location") as string;
      expect(location).toMatch(/\/api\/audits\/[A-Za-z0-9-]+$/);
      const run = await settled(location);
      expect(run.status).toBe("incomplete");
      expect(run.summary).toMatchObject({ clustersFailed: 1, incomplete: true, byType: { shardFailed: 1 } });
      // The storage SDK's option type lacks tlsOptions, but passes them on to its core pipeline.
      const poison = QueueServiceClient.fromConnectionString(stack.storage.connectionString, { tlsOptions: { ca: stack.emulator.caPem } } as StoragePipelineOptions).getQueueClient("audit-shards-poison");
      const peeked = await poison.peekMessages({ numberOfMessages: 32 });
      const texts = peeked.peekedMessageItems.map((p) => p.messageText).map((t) => (t.trim().startsWith("{") ? t : Buffer.from(t, "base64").toString("utf8")));
      expect(texts.filter((t) => t.includes(run.runId))).toHaveLength(1);
    } finally {
      await httpsJson(`${admin.adminUrl}/faults`, { ca: admin.caPem, method: "DELETE" });
    }
  });
});

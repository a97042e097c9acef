// The connections API over HTTP on the local host (the production bundle, as `npm start` runs it), over the
// whole local Azure: callers' tokens minted by the emulator for the API's audience, the demo access policy,
// all four kinds, idempotent PUTs, 401/403, and the full cross-tenant chain.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../../emulator/stack";
import { adminOf, loggedRequests, mintToken } from "../../support/emulatorAdmin";

interface Problem {
  status: number;
  code: string;
  errors?: { code: string; path?: string; message: string }[];
}

describe("the connections API on the local stack", () => {
  let stack: Stack;
  let stateDir: string;
  let m: Record<string, string>;
  let pipelineToken: string;

  const url = (name?: string, database = "telemetry") =>
    `${stack.hostUrl}/api/connections${name === undefined ? "" : `/${m.kustoSubscriptionId}/${m.kustoResourceGroup}/${m.kustoClusterName}/${database}/${name}`}`;

  async function call(method: string, target: string, options: { token?: string; body?: unknown } = {}) {
    const response = await fetch(target, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  }

  /** What the README shows: the emulator's admin API mints a caller's token (roles from the principal's app roles). */
  const token = (objectId: string) => mintToken(adminOf(stack), objectId, m.apiAudience as string);
  const requests = (path: string) => loggedRequests(adminOf(stack), { path });

  const bodies = (): Record<string, Record<string, unknown>> => ({
    "e2e-eh": { kind: "EventHub", location: m.location, properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" } },
    "e2e-eg": {
      kind: "EventGrid",
      location: m.location,
      properties: { storageAccountResourceId: m.storageAccountResourceId, eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Blobs", dataFormat: "CSV" },
      access: { mode: "managedIdentity", managedIdentityResourceId: m.kustoClusterResourceId },
    },
    "e2e-iot": {
      kind: "IotHub",
      location: m.location,
      properties: { iotHubResourceId: m.iotHubResourceId, consumerGroup: m.iotHubConsumerGroup, sharedAccessPolicyName: "iothubowner", tableName: "Devices", dataFormat: "JSON" },
    },
    "e2e-cosmos": {
      kind: "CosmosDb",
      location: m.location,
      properties: { tableName: "Readings", managedIdentityResourceId: m.kustoClusterResourceId, cosmosDbAccountResourceId: m.cosmosDbAccountResourceId, cosmosDbDatabase: m.cosmosDbDatabase, cosmosDbContainer: m.cosmosDbContainer },
    },
  });

  beforeAll(async () => {
    // The host loads dist/index.js: rebuild it so it holds this tree's code.
    execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "ignore" });
    mkdirSync(".local", { recursive: true });
    stateDir = mkdtempSync(join(".local", "e2e-connections-"));
    stack = await startStack({ stateDir, timeScale: 0.05, throttling: false, writeStackFile: false });
    m = stack.world;
    pipelineToken = await token(m.pipelineObjectId!);
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("refuses a call without a token (401) and a reader's write (403), as problem+json, before any ARM call", async () => {
    const before = (await requests("/dataConnections")).length;
    const anonymous = await call("PUT", url("e2e-refused"), { body: bodies()["e2e-eh"] });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toContain("application/problem+json");
    expect((anonymous.body as unknown as Problem).code).toBe("MissingToken");

    const bob = await token(m.operatorUserObjectId!);
    const reader = await call("PUT", url("e2e-refused"), { token: bob, body: bodies()["e2e-eh"] });
    expect(reader.status).toBe(403);
    expect((reader.body as unknown as Problem).code).toBe("MissingAppRole");
    // Bob may read.
    expect((await call("GET", `${url()}?database=telemetry`, { token: bob })).status).toBe(200);
    expect((await requests("/dataConnections")).length).toBe(before);
  });

  it("creates, reads, lists, validates and deletes a connection of every kind", async () => {
    for (const [name, body] of Object.entries(bodies())) {
      const validated = await call("POST", `${url(name)}/validate`, { token: pipelineToken, body });
      expect(validated.status, name).toBe(200);
      expect(validated.body.valid, JSON.stringify(validated.body)).toBe(true);

      const created = await call("PUT", url(name), { token: pipelineToken, body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ name, kind: body.kind, status: "Succeeded", createdBy: { objectId: m.pipelineObjectId } });
      expect(created.headers.get("location")).toContain(`/api/connections/`);

      const read = await call("GET", url(name), { token: pipelineToken });
      expect(read.status).toBe(200);
      expect((read.body.binding as { principal: { objectId: string } }).principal.objectId).toBe(
        body.kind === "EventHub" || body.kind === "IotHub" ? m.appIdentityObjectId : m.kustoClusterPrincipalId,
      );
    }
    const listed = await call("GET", `${url()}?database=telemetry&pageSize=50`, { token: pipelineToken });
    expect(listed.status).toBe(200);
    const names = (listed.body.value as { name: string }[]).map((c) => c.name);
    expect(names.filter((n) => n.startsWith("e2e-")).sort()).toEqual(Object.keys(bodies()).sort());

    for (const name of Object.keys(bodies())) {
      const deleted = await call("DELETE", url(name), { token: pipelineToken });
      expect(deleted.status, name).toBe(204);
      expect((await call("GET", url(name), { token: pipelineToken })).status).toBe(404);
      const journal = await call("GET", `${url(name)}/journal`, { token: pipelineToken });
      const entries = journal.body.value as { action: string; phase: string }[];
      expect(entries.map((e) => `${e.action}:${e.phase}`)).toEqual(["delete:completed", "delete:intent", "create:completed", "create:intent"]);
    }
  });

  it("the same PUT twice is one connection: 201 then 200, and a single ARM write", async () => {
    const body = bodies()["e2e-eh"];
    const first = await call("PUT", url("e2e-twice"), { token: pipelineToken, body });
    const second = await call("PUT", url("e2e-twice"), { token: pipelineToken, body });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.id).toBe(first.body.id);
    expect((await requests("/dataConnections/e2e-twice")).filter((r) => r.method === "PUT")).toHaveLength(1);
    expect((await call("DELETE", url("e2e-twice"), { token: pipelineToken })).status).toBe(204);
  });

  it("reports every problem of a bad request at once, with zero writes", async () => {
    const before = await requests("/dataConnections");
    const body = { ...bodies()["e2e-eh"], properties: { ...(bodies()["e2e-eh"]!.properties as object), consumerGroup: "no-such-group" }, access: { mode: "managedIdentity", managedIdentityResourceId: m.kustoClusterResourceId } };
    const validated = await call("POST", `${url("e2e-bad")}/validate`, { token: pipelineToken, body });
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    const problems = validated.body.problems as { code: string; message: string }[];
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(["KustoValidationFailed"]));
    expect(problems.some((p) => p.message.includes("no-such-group"))).toBe(true);
    const after = await requests("/dataConnections");
    expect(after.slice(before.length).filter((r) => r.method !== "GET" && r.method !== "POST")).toEqual([]);
  });

  it("creates an Event Hub connection in tenant B through the full chain: MI → federated credential → auxiliary header", async () => {
    const body = {
      kind: "EventHub",
      location: m.location,
      properties: { eventHubResourceId: m.sourceEventHubResourceId, consumerGroup: m.sourceConsumerGroup, tableName: "Partner", dataFormat: "JSON" },
      access: { mode: "key", sourceTenantId: m.sourceTenantId },
    };
    const created = await call("PUT", url("e2e-partner"), { token: pipelineToken, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((created.body.binding as { principal: unknown }).principal).toEqual({
      tenantId: m.sourceTenantId,
      objectId: m.multiTenantAppServicePrincipalIdSourceTenant,
      kind: "crossTenantApp",
    });
    const put = (await requests("/dataConnections/e2e-partner")).find((r) => r.method === "PUT" && r.status < 300);
    expect(put?.principal?.objectId).toBe(m.appIdentityObjectId);
    expect(put?.auxiliaryTenants).toEqual([m.sourceTenantId]);
    expect((await call("DELETE", url("e2e-partner"), { token: pipelineToken })).status).toBe(204);
  });

  it("without the source tenant the app cannot vouch for tenant B's source: a clear 403, and Kusto is never asked to write", async () => {
    const body = {
      kind: "EventHub",
      location: m.location,
      properties: { eventHubResourceId: m.sourceEventHubResourceId, consumerGroup: m.sourceConsumerGroup, tableName: "Partner", dataFormat: "JSON" },
    };
    const refused = await call("PUT", url("e2e-partner-no-tenant"), { token: pipelineToken, body });
    expect(refused.status).toBe(403);
    expect((refused.body as unknown as Problem).code).toBe("SourceAccessUnreadable");
    expect(JSON.stringify(refused.body)).toContain("sourceTenantId");
    expect((await requests("/dataConnections/e2e-partner-no-tenant")).filter((r) => r.method === "PUT")).toEqual([]);
  });
});

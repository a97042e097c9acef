// Custom topics: created through the provider, published to with the real EventGridPublisherClient over
// HTTPS with an Entra TokenCredential, checked for the events/send/action data action.
import https from "node:https";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { createRbac } from "../../../../emulator/arm/rbac";
import { createEventGrid } from "../../../../emulator/eventgrid";
import type { EventGridService } from "../../../../emulator/eventgrid";
import { createTokenService } from "../../../../emulator/identity";
import type { EmulatorTokenService } from "../../../../emulator/identity";
import { createCertificateAuthority } from "../../../../emulator/tls/certificateAuthority";
import { World } from "../../../../emulator/world/world";
import { RG_ID, SUB, TENANT } from "./harness";

const SENDER = "0b1f2c3d-0000-4000-8000-0000000000aa";
const OUTSIDER = "0b1f2c3d-0000-4000-8000-0000000000bb";

let world: World;
let tokens: EmulatorTokenService;
let eventGrid: EventGridService;
let server: https.Server;
let origin = "";
let ca = "";
let dir = "";

function credentialFor(objectId: string, audience = "https://eventgrid.azure.net"): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const token = await tokens.mint({ tenantId: TENANT, objectId, audience });
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

beforeAll(async () => {
  mkdirSync(path.join(process.cwd(), ".local"), { recursive: true });
  dir = mkdtempSync(path.join(process.cwd(), ".local", "eventgrid-test-"));
  const authority = await createCertificateAuthority({ dir });
  ca = authority.caPem;
  world = new World({
    tenants: [{ id: TENANT, displayName: "Contoso" }],
    subscriptions: [{ id: SUB, tenantId: TENANT, displayName: "Events" }],
    resourceGroups: [{ subscriptionId: SUB, name: "rg-events", location: "westeurope" }],
    principals: [
      { objectId: SENDER, tenantId: TENANT, type: "ServicePrincipal", displayName: "sender", appId: "11111111-0000-4000-8000-000000000001" },
      { objectId: OUTSIDER, tenantId: TENANT, type: "ServicePrincipal", displayName: "outsider", appId: "11111111-0000-4000-8000-000000000002" },
    ],
  });
  tokens = await createTokenService({ world });
  const clock = { now: () => Date.now(), timeScale: () => 0.001 };
  eventGrid = createEventGrid({ world, tokens, clock, origin: () => origin, rbac: createRbac(world) });
  server = https.createServer({ cert: authority.certPem, key: authority.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void eventGrid.handleDataPlane(req, res, Buffer.concat(chunks)).then((handled) => {
        if (!handled) void eventGrid.handleAdmin(req, res, Buffer.concat(chunks)).then((h) => (h ? undefined : res.writeHead(404).end()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await eventGrid.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function createTopic(name: string, properties: Record<string, unknown> = {}): Promise<{ id: string; endpoint: string }> {
  const route = eventGrid.provider.routes.find((r) => r.method === "PUT" && r.path.endsWith("/topics/{topicName}"));
  if (!route) throw new Error("no topics PUT route");
  const p = `${RG_ID}/providers/Microsoft.EventGrid/topics/${name}`;
  const url = new URL(`https://management.azure.com${p}?api-version=2025-02-15`);
  const res = await route.handler(
    {
      method: "PUT",
      path: p,
      query: url.searchParams,
      apiVersion: "2025-02-15",
      headers: {},
      body: { location: "westeurope", properties },
      params: { subscriptionId: SUB, resourceGroupName: "rg-events", topicName: name },
      caller: { tenantId: TENANT, objectId: SENDER, appId: undefined, claims: {} },
      auxiliary: [],
      requestId: "r",
      correlationId: "c",
      url,
    },
    // Topic PUT only touches the world.
    { world } as never,
  );
  const body = res.body as { id: string; properties: { endpoint: string } };
  return { id: body.id, endpoint: body.properties.endpoint };
}

describe("custom topic publishing", () => {
  it("gives the topic an endpoint on the emulator's data plane", async () => {
    const topic = await createTopic("notifications");
    expect(topic.endpoint).toBe(`${origin}/eventgrid/topics/notifications/api/events`);
  });

  it("accepts CloudEvents from EventGridPublisherClient with a token holding events/send/action", async () => {
    const topic = await createTopic("audit-ce", { inputSchema: "CloudEventSchemaV1_0" });
    world.createRoleAssignment({ scope: topic.id, role: "EventGrid Data Sender", principalId: SENDER });
    const client = new EventGridPublisherClient(topic.endpoint, "CloudEvent", credentialFor(SENDER), { tlsOptions: { ca } } as never);
    await client.send([{ type: "Adx.Audit.Completed", source: "/adx-lifecycle/audit", data: { findings: 2 } }]);
    const [stored] = eventGrid.published("audit-ce");
    expect(stored?.event).toMatchObject({ type: "Adx.Audit.Completed", source: "/adx-lifecycle/audit", specversion: "1.0", data: { findings: 2 } });
    expect(stored?.publisher).toBe(SENDER);
  });

  it("accepts Event Grid schema events and stamps the topic", async () => {
    const topic = await createTopic("audit-eg");
    world.createRoleAssignment({ scope: topic.id, role: "EventGrid Data Sender", principalId: SENDER });
    const client = new EventGridPublisherClient(topic.endpoint, "EventGrid", credentialFor(SENDER), { tlsOptions: { ca } } as never);
    await client.send([{ eventType: "Adx.Connection.Removed", subject: "conn/1", dataVersion: "1.0", data: { id: 1 } }]);
    expect(eventGrid.published("audit-eg")[0]?.event).toMatchObject({ eventType: "Adx.Connection.Removed", topic: topic.id, metadataVersion: "1" });
  });

  it("refuses a principal without the data action, and a token for another audience", async () => {
    const topic = await createTopic("guarded", { inputSchema: "CloudEventSchemaV1_0" });
    const outsider = new EventGridPublisherClient(topic.endpoint, "CloudEvent", credentialFor(OUTSIDER), { tlsOptions: { ca } } as never);
    await expect(outsider.send([{ type: "x", source: "/y", data: {} }])).rejects.toMatchObject({ statusCode: 401 });
    world.createRoleAssignment({ scope: topic.id, role: "EventGrid Data Sender", principalId: OUTSIDER });
    const wrongAudience = new EventGridPublisherClient(topic.endpoint, "CloudEvent", credentialFor(OUTSIDER, "https://management.azure.com"), { tlsOptions: { ca } } as never);
    await expect(wrongAudience.send([{ type: "x", source: "/y", data: {} }])).rejects.toMatchObject({ statusCode: 401 });
    expect(eventGrid.published("guarded")).toHaveLength(0);
  });

  it("takes the topic's access key unless disableLocalAuth", async () => {
    const open = await createTopic("keyed");
    const listKeys = eventGrid.provider.routes.find((r) => r.path.endsWith("/listKeys"));
    const keys = (await listKeys?.handler({ path: `${open.id}/listKeys`, params: { topicName: "keyed" } } as never, { world } as never))?.body as { key1: string };
    const client = new EventGridPublisherClient(open.endpoint, "EventGrid", new AzureKeyCredential(keys.key1), { tlsOptions: { ca } } as never);
    await client.send([{ eventType: "t", subject: "s", dataVersion: "1", data: {} }]);
    expect(eventGrid.published("keyed")).toHaveLength(1);

    const locked = await createTopic("locked", { disableLocalAuth: true });
    const lockedKeys = (await listKeys?.handler({ path: `${locked.id}/listKeys`, params: { topicName: "locked" } } as never, { world } as never))?.body as { key1: string };
    const refused = new EventGridPublisherClient(locked.endpoint, "EventGrid", new AzureKeyCredential(lockedKeys.key1), { tlsOptions: { ca } } as never);
    await expect(refused.send([{ eventType: "t", subject: "s", dataVersion: "1", data: {} }])).rejects.toMatchObject({ statusCode: 401 });
  });

  it("rejects Event Grid events that lack required fields", async () => {
    const strict = await createTopic("strict");
    const listKeys = eventGrid.provider.routes.find((r) => r.path.endsWith("/listKeys"));
    const keys = (await listKeys?.handler({ path: `${strict.id}/listKeys`, params: { topicName: "strict" } } as never, { world } as never))?.body as { key1: string };
    const url = `${origin}/eventgrid/topics/strict/api/events?api-version=2018-01-01`;
    expect((await post(url, [{ id: "1", eventType: "t" }], {})).status).toBe(401);
    expect((await post(url, [{ id: "1", eventType: "t" }], { "aeg-sas-key": keys.key1 })).status).toBe(400);
    expect((await post(url, [{ id: "1", eventType: "t", subject: "s", eventTime: new Date().toISOString(), dataVersion: "1" }], { "aeg-sas-key": keys.key1 })).status).toBe(200);
    expect(eventGrid.published("strict")).toHaveLength(1);
  });
});

/** Raw POST trusting the test CA. */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: "POST", ca, headers: { "content-type": "application/json", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

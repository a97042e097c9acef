// Test harness for the Event Grid emulator: a small world, the real token service and LRO manager, the
// provider's routes called in-process, and a recording webhook server on port 0.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import type { ArmOperationRecord, ArmRequest, ArmResponse, EmulatorContext, HttpMethod } from "../../../../emulator/arm/contract";
import { ArmError } from "../../../../emulator/arm/contract";
import { createLroManager } from "../../../../emulator/arm/lroManager";
import type { EventGridService } from "../../../../emulator/eventgrid";
import { createEventGrid } from "../../../../emulator/eventgrid";
import { createTokenService } from "../../../../emulator/identity";
import type { EmulatorTokenService } from "../../../../emulator/identity";
import { World } from "../../../../emulator/world/world";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const SUB = "11111111-2222-3333-4444-555555555555";
export const RG = "rg-events";
export const SUB_ID = `/subscriptions/${SUB}`;
export const RG_ID = `${SUB_ID}/resourceGroups/${RG}`;
export const API = "2025-02-15";

export interface Harness {
  world: World;
  tokens: EmulatorTokenService;
  eventGrid: EventGridService;
  ctx: EmulatorContext;
  scale: { value: number };
  arm(method: HttpMethod, path: string, body?: unknown): Promise<ArmResponse>;
  /** PUT an event subscription and wait for its LRO; returns the final resource. */
  subscribe(topic: string, name: string, properties: Record<string, unknown>): Promise<{ status: string; error?: { code: string; message: string }; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function createHarness(options: { timeScale?: number; random?: () => number } = {}): Promise<Harness> {
  const world = new World({
    tenants: [{ id: TENANT, displayName: "Contoso" }],
    subscriptions: [{ id: SUB, tenantId: TENANT, displayName: "Events" }],
    resourceGroups: [{ subscriptionId: SUB, name: RG, location: "westeurope" }],
    principals: [{ objectId: "0b1f2c3d-0000-4000-8000-000000000001", tenantId: TENANT, type: "User", displayName: "Ada" }],
  });
  const scale = { value: options.timeScale ?? 0.001 };
  const clock = { now: () => Date.now(), timeScale: () => scale.value };
  const tokens = await createTokenService({ world });
  const lro = createLroManager({ clock, shouldFail: () => false });
  const ctx: EmulatorContext = {
    world,
    rbac: { isAllowed: () => true },
    identityForTenant: (req) => req.caller,
    lro,
    faults: { shouldFailLro: () => false },
    clock,
  };
  const eventGrid = createEventGrid({ world, tokens, clock, origin: () => "https://127.0.0.1:1", ...(options.random ? { random: options.random } : {}) });

  async function arm(method: HttpMethod, path: string, body?: unknown): Promise<ArmResponse> {
    for (const route of eventGrid.provider.routes) {
      if (route.method !== method) continue;
      const params = match(route.path, path);
      if (!params) continue;
      const url = new URL(`https://management.azure.com${path}?api-version=${API}`);
      const req: ArmRequest = {
        method,
        path,
        query: url.searchParams,
        apiVersion: API,
        headers: {},
        body,
        params,
        caller: { tenantId: TENANT, objectId: "0b1f2c3d-0000-4000-8000-000000000001", appId: undefined, claims: {} },
        auxiliary: [],
        requestId: randomUUID(),
        correlationId: randomUUID(),
        url,
      };
      try {
        return await route.handler(req, ctx);
      } catch (e) {
        if (e instanceof ArmError) return { status: e.status, body: { error: { code: e.code, message: e.message } } };
        throw e;
      }
    }
    throw new Error(`no Event Grid route for ${method} ${path}`);
  }

  async function subscribe(topic: string, name: string, properties: Record<string, unknown>) {
    const path = `${RG_ID}/providers/Microsoft.EventGrid/systemTopics/${topic}/eventSubscriptions/${name}`;
    const res = await arm("PUT", path, { properties });
    if (res.status >= 400) return { status: "Rejected", error: (res.body as { error: { code: string; message: string } }).error, body: res.body as Record<string, unknown> };
    const operationUrl = res.headers?.["Azure-AsyncOperation"] ?? res.headers?.["azure-asyncoperation"] ?? "";
    const id = Object.values(res.headers ?? {}).map((v) => /operationResults\/([^?/]+)/i.exec(v)?.[1]).find(Boolean) ?? operationUrl;
    const record = lro.get(String(id));
    if (!record) throw new Error(`no LRO for ${path}: ${JSON.stringify(res.headers)}`);
    await record.settled;
    const final = world.getResource(path)?.body ?? {};
    return { status: record.status, ...(record.error ? { error: record.error } : {}), body: final };
  }

  return { world, tokens, eventGrid, ctx, scale, arm, subscribe, close: async () => { await eventGrid.close(); lro.reset(); } };
}

function match(template: string, path: string): Record<string, string> | undefined {
  const t = template.split("/").filter(Boolean);
  const p = path.split("/").filter(Boolean);
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i] as string;
    const value = p[i] as string;
    if (seg.startsWith("{")) params[seg.slice(1, -1)] = value;
    else if (seg.toLowerCase() !== value.toLowerCase()) return undefined;
  }
  return params;
}

/** A system topic for the whole Azure subscription. */
export async function createSubscriptionTopic(h: Harness, name = "azsub"): Promise<void> {
  const res = await h.arm("PUT", `${RG_ID}/providers/Microsoft.EventGrid/systemTopics/${name}`, {
    location: "global",
    properties: { source: SUB_ID, topicType: "Microsoft.Resources.Subscriptions" },
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`system topic: ${JSON.stringify(res.body)}`);
}

export function operation(overrides: Partial<ArmOperationRecord> = {}): ArmOperationRecord {
  const resourceUri = overrides.resourceUri ?? `${RG_ID}/providers/Microsoft.EventHub/namespaces/ns1/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`;
  return {
    eventType: "Microsoft.Resources.ResourceDeleteSuccess",
    resourceUri,
    operationName: "Microsoft.Authorization/roleAssignments/delete",
    resourceProvider: "Microsoft.Authorization",
    subscriptionId: SUB,
    resourceGroup: RG,
    tenantId: TENANT,
    caller: { tenantId: TENANT, objectId: "0b1f2c3d-0000-4000-8000-000000000001", appId: undefined, claims: { aud: "https://management.azure.com/", ver: "1.0" } },
    authorization: { scope: resourceUri, action: "Microsoft.Authorization/roleAssignments/delete", evidence: { role: "Owner" } },
    correlationId: randomUUID(),
    httpRequest: { clientRequestId: randomUUID(), clientIpAddress: "127.0.0.1", method: "DELETE", url: `https://management.azure.com${resourceUri}?api-version=2022-04-01` },
    time: new Date(),
    ...overrides,
  };
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface Webhook {
  url: string;
  received: Received[];
  notifications(): Received[];
  /** Decides the response to a Notification (default 200). */
  respond: (req: Received, index: number) => number | { status: number; delayInMs?: number };
  close(): Promise<void>;
}

/** A webhook that answers the validation handshake (both kinds) and records every request. */
export async function startWebhook(): Promise<Webhook> {
  const received: Received[] = [];
  let notificationIndex = 0;
  const hook: Webhook = {
    url: "",
    received,
    notifications: () => received.filter((r) => r.headers["aeg-event-type"] === "Notification"),
    respond: () => 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json };
      received.push(r);
      if (req.method === "OPTIONS") {
        res.writeHead(200, { "WebHook-Allowed-Origin": String(req.headers["webhook-request-origin"] ?? "") });
        res.end();
        return;
      }
      if (req.headers["aeg-event-type"] === "SubscriptionValidation") {
        const code = (json as { data: { validationCode: string } }[])[0]?.data.validationCode;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ validationResponse: code }));
        return;
      }
      const decision = hook.respond(r, notificationIndex++);
      const { status, delayInMs } = typeof decision === "number" ? { status: decision, delayInMs: 0 } : decision;
      setTimeout(() => {
        res.writeHead(status);
        res.end();
      }, delayInMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events?code=secret`;
  return hook;
}

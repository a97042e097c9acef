// End to end through the ARM emulator: a role-assignment DELETE makes a subscribed webhook receive the
// real Microsoft.Resources.ResourceDeleteSuccess event.
import https from "node:https";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import type { EmulatorHandle } from "../../../../emulator";
import { startEmulator } from "../../../../emulator";
import { RG, RG_ID, startWebhook, SUB, SUB_ID, TENANT } from "./harness";
import type { Webhook } from "./harness";

const OWNER = "0b1f2c3d-0000-4000-8000-0000000000c1";
const READER = "0b1f2c3d-0000-4000-8000-0000000000c2";
const ASSIGNMENT = "7d0e8a9c-1111-4222-8333-944455556666";

let emulator: EmulatorHandle;
let hook: Webhook;
let dir = "";
let token = "";

beforeAll(async () => {
  mkdirSync(path.join(process.cwd(), ".local"), { recursive: true });
  dir = mkdtempSync(path.join(process.cwd(), ".local", "eventgrid-e2e-"));
  emulator = await startEmulator({
    stateDir: dir,
    throttling: false,
    timeScale: 0.001,
    world: {
      tenants: [{ id: TENANT, displayName: "Contoso" }],
      subscriptions: [{ id: SUB, tenantId: TENANT, displayName: "Events" }],
      resourceGroups: [{ subscriptionId: SUB, name: RG, location: "westeurope" }],
      principals: [
        { objectId: OWNER, tenantId: TENANT, type: "User", displayName: "owner" },
        { objectId: READER, tenantId: TENANT, type: "User", displayName: "reader" },
      ],
      roleAssignments: [
        { scope: SUB_ID, role: "Owner", principalId: OWNER },
        { scope: RG_ID, role: "Reader", principalId: READER, name: ASSIGNMENT },
      ],
    },
  });
  hook = await startWebhook();
  token = await emulator.tokens.mint({ tenantId: TENANT, objectId: OWNER, audience: "https://management.azure.com/" });
});

afterAll(async () => {
  await hook?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

function arm(method: string, p: string, body?: unknown, apiVersion = "2025-02-15"): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${emulator.armEndpoint}${p}?api-version=${apiVersion}`,
      { method, ca: emulator.caPem, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined });
        });
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutInMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

it("delivers ResourceDeleteSuccess for a role-assignment DELETE to a subscribed webhook", async () => {
  const topic = `${RG_ID}/providers/Microsoft.EventGrid/systemTopics/azsub`;
  const created = await arm("PUT", topic, { location: "global", properties: { source: SUB_ID, topicType: "Microsoft.Resources.Subscriptions" } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const subscription = `${topic}/eventSubscriptions/revocations`;
  const put = await arm("PUT", subscription, {
    properties: {
      destination: { endpointType: "WebHook", properties: { endpointUrl: hook.url } },
      filter: { includedEventTypes: ["Microsoft.Resources.ResourceDeleteSuccess"] },
    },
  });
  expect(put.status, JSON.stringify(put.json)).toBe(201);
  await until(async () => {
    const got = await arm("GET", subscription);
    return (got.json as { properties: { provisioningState: string } }).properties.provisioningState === "Succeeded" ? true : undefined;
  });

  const assignmentId = `${RG_ID}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}`;
  const deleted = await arm("DELETE", assignmentId, undefined, "2022-04-01");
  expect(deleted.status).toBe(200);

  const delivery = await until(() => hook.notifications()[0]);
  const [event] = await new EventGridDeserializer().deserializeEventGridEvents(delivery.body);
  if (!event || !isSystemEvent("Microsoft.Resources.ResourceDeleteSuccess", event)) throw new Error("not a ResourceDeleteSuccess event");
  expect(event.topic).toBe(SUB_ID);
  expect(event.subject.toLowerCase()).toBe(assignmentId.toLowerCase());
  expect(event.data.operationName).toBe("Microsoft.Authorization/roleAssignments/delete");
  expect(event.data.resourceProvider).toBe("Microsoft.Authorization");
  expect(event.data.tenantId).toBe(TENANT);
  expect(event.data.status).toBe("Succeeded");
  expect(event.data.httpRequest.method).toBe("DELETE");
  expect(hook.notifications()).toHaveLength(1);
});

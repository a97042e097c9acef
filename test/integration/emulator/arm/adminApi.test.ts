import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../../emulator/index";
import { httpsJson } from "../../../support/httpsJson";

const DEMO = resolve(__dirname, "../../../../emulator/worlds/demo.json");
let dir: string;
let emulator: EmulatorHandle;
let meta: Record<string, string>;
const admin = (path: string, init: { method?: string; body?: unknown } = {}) => httpsJson(`${emulator.adminUrl}${path}`, { ca: emulator.caPem, ...init });
const arm = (path: string, token: string, init: { method?: string; body?: unknown } = {}) => httpsJson(`${emulator.armEndpoint}${path}`, { ca: emulator.caPem, token, ...init });
const mint = async (objectId: string, extra: Record<string, unknown> = {}) =>
  ((await admin("/tokens", { method: "POST", body: { objectId, ...extra } })).body as { accessToken: string }).accessToken;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arm-admin-"));
  // actionLogFile "": these requests test the emulator as the app's identity; they are not the app's own actions.
  emulator = await startEmulator({ stateDir: dir, world: DEMO, timeScale: 0, actionLogFile: "" });
  meta = ((await import(DEMO)) as { default: { meta: Record<string, string> } }).default.meta;
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("startEmulator with the demo world", () => {
  it("serves the demo's resources to the app's identity over ARM", async () => {
    const token = await mint(meta.appIdentityObjectId!);
    const rg = await arm(`/subscriptions/${meta.kustoSubscriptionId}/resourceGroups/${meta.kustoResourceGroup}?api-version=2021-04-01`, token);
    expect(rg.status).toBe(200);
    const assignments = await arm(`${meta.eventHubResourceId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()`, token);
    expect(assignments.status).toBe(200);
    const principals = (assignments.body as { value: { properties: { principalId: string } }[] }).value.map((v) => v.properties.principalId);
    expect(principals).toContain(meta.kustoClusterPrincipalId);
  });

  it("hands out MI tokens for the app's identity and exposes the CA file", async () => {
    const res = await fetch(`${emulator.identityEndpoint}?api-version=2019-08-01&resource=https://management.azure.com&client_id=${meta.appIdentityClientId}`, {
      headers: { "X-IDENTITY-HEADER": emulator.identityHeader },
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const identity = await emulator.tokens.verify(access_token, "https://management.azure.com/");
    expect(identity).toMatchObject({ objectId: meta.appIdentityObjectId, tenantId: meta.kustoTenantId });
    expect(emulator.caFile).toBe(join(dir, "ca.pem"));
  });
});

describe("admin API", () => {
  it("mints tokens for any principal and audience, with the principal's app roles", async () => {
    const token = await mint(meta.pipelineObjectId!, { audience: meta.apiAudience });
    const identity = await emulator.tokens.verify(token, meta.apiAudience!);
    expect(identity).toMatchObject({ objectId: meta.pipelineObjectId, tenantId: meta.kustoTenantId, appId: meta.pipelineAppId });
    const bad = await admin("/tokens", { method: "POST", body: { objectId: "99999999-0000-4000-8000-000000000000" } });
    expect(bad.status).toBe(400);
  });

  it("reads and changes settings", async () => {
    expect((await admin("/settings")).body).toEqual({ timeScale: 0, throttling: true });
    expect((await admin("/settings", { method: "POST", body: { throttling: false, timeScale: 0.5 } })).body).toEqual({ timeScale: 0.5, throttling: false });
    expect((await admin("/settings", { method: "POST", body: { timeScale: -1 } })).status).toBe(400);
    await admin("/settings", { method: "POST", body: { throttling: true, timeScale: 0 } });
  });

  it("adds, lists and removes fault rules, which then apply to ARM requests", async () => {
    const added = await admin("/faults", { method: "POST", body: { id: "boom", pattern: "^GET /subscriptions/[^/]+$", errorRate: 1, errorStatus: 500 } });
    expect(added.status).toBe(201);
    expect((await admin("/faults")).body).toMatchObject({ rules: [{ id: "boom" }] });
    const token = await mint(meta.adminUserObjectId!);
    expect((await arm(`/subscriptions/${meta.kustoSubscriptionId}?api-version=2022-12-01`, token)).status).toBe(500);
    expect((await admin("/faults/boom", { method: "DELETE" })).status).toBe(204);
    expect((await arm(`/subscriptions/${meta.kustoSubscriptionId}?api-version=2022-12-01`, token)).status).toBe(200);
    expect((await admin("/faults", { method: "POST", body: { pattern: "(" } })).status).toBe(400);
  });

  it("returns and clears the request log", async () => {
    await admin("/requests", { method: "DELETE" });
    const token = await mint(meta.adminUserObjectId!);
    await arm(`/subscriptions/${meta.kustoSubscriptionId}?api-version=2022-12-01`, token);
    const log = (await admin("/requests")).body as { value: { method: string; path: string; action: string; status: number; principal: { objectId: string } }[] };
    expect(log.value).toEqual([
      expect.objectContaining({
        method: "GET",
        path: `/subscriptions/${meta.kustoSubscriptionId}`,
        action: "Microsoft.Resources/subscriptions/read",
        status: 200,
        principal: expect.objectContaining({ objectId: meta.adminUserObjectId }),
      }),
    ]);
    await admin("/requests", { method: "DELETE" });
    expect((await admin("/requests")).body).toEqual({ value: [] });
  });

  it("replaces the world and resets it to the starting seed", async () => {
    const replaced = await admin("/world", {
      method: "POST",
      body: { tenants: [{ id: "t1", displayName: "t" }], subscriptions: [{ id: "s1", tenantId: "t1", displayName: "s" }], principals: [] },
    });
    expect(replaced.body).toMatchObject({ tenants: 1, subscriptions: 1, resources: 0 });
    expect(emulator.world.getResource(meta.kustoClusterResourceId!)).toBeUndefined();
    expect((await admin("/world", { method: "POST", body: { nope: true } })).status).toBe(400);
    const reset = await admin("/reset", { method: "POST" });
    expect(reset.body).toMatchObject({ tenants: 2, subscriptions: 2 });
    expect(emulator.world.getResource(meta.kustoClusterResourceId!)).toBeDefined();
  });

  it("answers 404 for unknown admin routes", async () => {
    expect((await admin("/nope")).status).toBe(404);
  });
});

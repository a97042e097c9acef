// The Kusto gateway through @azure/arm-kusto against the emulator on the demo world, as the app's managed
// identity: reads, name availability, validation, bounded waits and resumable operations, error mapping,
// and the cross-tenant chain (MI → federated credential → auxiliary header) — and ARM's refusal without it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../emulator/index";
import type { WorldSeed } from "../../../emulator/world/types";
import { createKustoGateway } from "../../../src/lib/azure/kustoGateway";
import type { ConnectionKey, DataConnectionSpec } from "../../../src/lib/connections/model";
import type { KustoGateway } from "../../../src/lib/connections/ports";
import { httpsJson } from "../../support/httpsJson";
import { emulatorClients, type EmulatorClients } from "./emulatorClients";

const seed = JSON.parse(readFileSync(join(__dirname, "../../../emulator/worlds/demo.json"), "utf8")) as WorldSeed;
const m = seed.meta as Record<string, string>;
const key = (name: string): ConnectionKey => ({ subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database: "telemetry", name });
const eventHub = (hub = m.eventHubResourceId!, consumerGroup = m.eventHubConsumerGroup!): DataConnectionSpec => ({
  kind: "EventHub",
  location: m.location,
  properties: { eventHubResourceId: hub, consumerGroup, tableName: "Events", dataFormat: "JSON" },
});
const partner = (): DataConnectionSpec => eventHub(m.sourceEventHubResourceId, m.sourceConsumerGroup);
const wait = { waitInMs: 5_000 };

describe("the Kusto gateway against the emulator", () => {
  let emulator: EmulatorHandle;
  let stateDir: string;
  let env: EmulatorClients;
  let kusto: KustoGateway;

  const setTimeScale = (timeScale: number) => httpsJson(`${emulator.adminUrl}/settings`, { ca: emulator.caPem, method: "POST", body: { timeScale } });

  beforeAll(async () => {
    mkdirSync(".local", { recursive: true });
    stateDir = mkdtempSync(join(".local", "kusto-gateway-"));
    emulator = await startEmulator({ stateDir, world: seed, timeScale: 0.05, throttling: false });
    env = emulatorClients(emulator, m);
    kusto = createKustoGateway({ clientFor: (sub, auth) => env.clients.kusto(sub, auth), pollIntervalInMs: 10 });
  });

  afterAll(async () => {
    env?.restoreEnv();
    await emulator?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("reads the cluster's system identity and finds databases", async () => {
    const cluster = await kusto.getCluster(key("x"));
    expect(cluster?.systemIdentity).toEqual({ principalId: m.kustoClusterPrincipalId, tenantId: m.kustoTenantId });
    expect(cluster?.userAssignedIdentities).toEqual({});
    expect(await kusto.getCluster({ ...key("x"), cluster: "nosuchcluster" })).toBeUndefined();
    expect(await kusto.databaseExists(key("x"))).toBe(true);
    expect(await kusto.databaseExists({ ...key("x"), database: "nosuchdb" })).toBe(false);
  });

  it("validates with Kusto's messages, and creates, reads, lists and deletes within the wait", async () => {
    expect(await kusto.validate(key("gw-eh"), eventHub(), {})).toEqual([]);
    const messages = await kusto.validate(key("gw-eh"), eventHub(m.eventHubResourceId, "no-such-group"), {});
    expect(messages.join(" ")).toContain("no-such-group");

    expect(await kusto.checkNameAvailability(key("gw-eh"))).toEqual({ nameAvailable: true });
    const created = await kusto.createOrUpdate(key("gw-eh"), eventHub(), {}, wait);
    expect(created).toMatchObject({ done: true, succeeded: true, result: { kind: "EventHub", provisioningState: "Succeeded" } });
    expect(created.result?.properties.consumerGroup).toBe(m.eventHubConsumerGroup);
    expect(await kusto.checkNameAvailability(key("gw-eh"))).toMatchObject({ nameAvailable: false, reason: "AlreadyExists" });

    const read = await kusto.get(key("gw-eh"));
    expect(read).toMatchObject({ kind: "EventHub", provisioningState: "Succeeded", properties: { tableName: "Events" } });
    const listed: string[] = [];
    for await (const c of kusto.listByDatabase(key("gw-eh"))) listed.push(c.name);
    expect(listed).toContain(`${m.kustoClusterName}/telemetry/gw-eh`);

    expect(await kusto.delete(key("gw-eh"), wait)).toEqual({ done: true, succeeded: true });
    expect(await kusto.get(key("gw-eh"))).toBeUndefined();
    // Deleting what is gone is done, not an error.
    expect(await kusto.delete(key("gw-eh"), wait)).toEqual({ done: true, succeeded: true });
  });

  it("hands back a resumable state when the operation outlives the wait, and resumes it from the token alone", async () => {
    await setTimeScale(2); // the emulator's 200 ms operation now takes 400 ms
    try {
      const started = await kusto.createOrUpdate(key("gw-slow"), eventHub(), {}, { waitInMs: 20 });
      expect(started.done).toBe(false);
      expect(typeof started.resumeToken).toBe("string");
      // A fresh gateway (another instance) resumes from the stored token.
      const other = createKustoGateway({ clientFor: (sub, auth) => env.clients.kusto(sub, auth), pollIntervalInMs: 10 });
      const soon = await other.resume(started.resumeToken!, { waitInMs: 0 });
      expect(soon.done).toBe(false);
      const finished = await other.resume(soon.resumeToken ?? started.resumeToken!, { waitInMs: 5_000 });
      expect(finished).toMatchObject({ done: true, succeeded: true, result: { provisioningState: "Succeeded" } });

      const deleting = await kusto.delete(key("gw-slow"), { waitInMs: 20 });
      expect(deleting.done).toBe(false);
      expect(await other.resume(deleting.resumeToken!, { waitInMs: 5_000 })).toEqual({ done: true, succeeded: true });
      expect(await kusto.get(key("gw-slow"))).toBeUndefined();
    } finally {
      await setTimeScale(0.05);
    }
  });

  it("maps Kusto's refusals: 400 KustoRejected with Kusto's message, 409 OperationInProgress, 404 for a missing database", async () => {
    await expect(kusto.createOrUpdate(key("gw-bad"), eventHub(m.eventHubResourceId, "no-such-group"), {}, wait)).rejects.toMatchObject({
      kind: "validation",
      code: "KustoRejected",
      problems: [expect.objectContaining({ message: expect.stringContaining("no-such-group") })],
    });
    await setTimeScale(2);
    try {
      const first = await kusto.createOrUpdate(key("gw-busy"), eventHub(), {}, { waitInMs: 0 });
      expect(first.done).toBe(false);
      await expect(kusto.createOrUpdate(key("gw-busy"), eventHub(), {}, { waitInMs: 0 })).rejects.toMatchObject({ kind: "conflict", code: "OperationInProgress" });
    } finally {
      await setTimeScale(0.05);
    }
    await expect(kusto.checkNameAvailability({ ...key("x"), database: "nosuchdb" })).rejects.toMatchObject({ kind: "notFound", code: "KustoResourceNotFound" });
  });

  it("creates a cross-tenant connection with the auxiliary token of the federated chain", async () => {
    const state = await kusto.createOrUpdate(key("gw-partner"), partner(), { auxiliaryTenantId: m.sourceTenantId }, wait);
    expect(state).toMatchObject({ done: true, succeeded: true });
    const { body } = await httpsJson(`${emulator.adminUrl}/requests?path=${encodeURIComponent("/dataConnections/gw-partner")}&method=PUT`, { ca: emulator.caPem });
    const entries = (Array.isArray(body) ? body : (body as { value: unknown[] }).value) as { status: number; principal?: { objectId: string }; auxiliaryTenants?: string[] }[];
    const put = entries.find((e) => e.status < 300);
    expect(put?.principal?.objectId).toBe(m.appIdentityObjectId);
    expect(put?.auxiliaryTenants).toEqual([m.sourceTenantId]);
    await kusto.delete(key("gw-partner"), wait);
  });

  it("without the auxiliary token ARM refuses the cross-tenant source: LinkedAuthorizationFailed, explained", async () => {
    // The same request with the cross-tenant app not configured: no auxiliary credential exists.
    const unconfigured = emulatorClients(emulator, m, { CROSS_TENANT_APP_CLIENT_ID: undefined });
    const bare = createKustoGateway({ clientFor: (sub, auth) => unconfigured.clients.kusto(sub, auth), pollIntervalInMs: 10 });
    const refusal = bare.createOrUpdate(key("gw-partner-2"), partner(), { auxiliaryTenantId: m.sourceTenantId }, wait);
    await expect(refusal).rejects.toMatchObject({ kind: "forbidden", code: "LinkedAuthorizationFailed" });
    await expect(refusal).rejects.toThrow(/CROSS_TENANT_APP_CLIENT_ID/);
    await expect(bare.validate(key("gw-partner-2"), partner(), {})).rejects.toMatchObject({ code: "LinkedAuthorizationFailed" });
  });
});

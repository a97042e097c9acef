// The connections service as the host wires it (wireConnections), over the real adapters: the emulator's ARM
// (Kusto, Authorization, the federated chain, the notifications topic) and Azurite's tables. Callers are
// given directly (token validation is the HTTP layer's, tested there and end to end).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../../emulator/stack";
import type { Caller } from "../../../src/lib/auth/caller";
import type { ConnectionKey, DataConnectionSpec } from "../../../src/lib/connections/model";
import type { ConnectionsService } from "../../../src/lib/connections/service";
import { wireConnections } from "../../../src/lib/root";
import { adminOf, loggedRequests } from "../../support/emulatorAdmin";
import { httpsJson } from "../../support/httpsJson";
import { inProcessApp } from "../../support/inProcessApp";


describe("the connections service over the emulator and Azurite", () => {
  let stack: Stack;
  let stateDir: string;
  let m: Record<string, string>;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  let counter = 0;

  const key = (name: string, database = "telemetry"): ConnectionKey => ({
    subscriptionId: m.kustoSubscriptionId!,
    resourceGroup: m.kustoResourceGroup!,
    cluster: m.kustoClusterName!,
    database,
    name,
  });
  const alice = (): Caller => ({ tenantId: m.kustoTenantId!, objectId: m.adminUserObjectId!, name: "alice", roles: ["Connections.Read", "Connections.Write"] });

  /** A service on a fresh set of tables, as the host would build it. */
  function service(env: Record<string, string> = {}): ConnectionsService {
    const app = inProcessApp(stack, { REGISTRY_TABLE_PREFIX: `it${process.pid}x${++counter}`, KUSTO_WAIT_MS: "5000", ...env });
    return wireConnections(app.settings, app.clients, app.policy).service;
  }

  const requests = (path: string) => loggedRequests(adminOf(stack), { path });


  const specs = (): Record<string, { spec: DataConnectionSpec; mode: "key" | "managedIdentity" }> => ({
    "it-eh": { mode: "key", spec: { kind: "EventHub", location: m.location, properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" } } },
    "it-eg": {
      mode: "managedIdentity",
      spec: {
        kind: "EventGrid",
        location: m.location,
        properties: {
          storageAccountResourceId: m.storageAccountResourceId,
          eventHubResourceId: m.eventHubResourceId,
          consumerGroup: m.eventHubConsumerGroup,
          tableName: "Blobs",
          dataFormat: "CSV",
          managedIdentityResourceId: m.kustoClusterResourceId,
        },
      },
    },
    "it-iot": {
      mode: "key",
      spec: { kind: "IotHub", location: m.location, properties: { iotHubResourceId: m.iotHubResourceId, consumerGroup: m.iotHubConsumerGroup, sharedAccessPolicyName: "iothubowner", tableName: "Devices", dataFormat: "JSON" } },
    },
    "it-cosmos": {
      mode: "managedIdentity",
      spec: {
        kind: "CosmosDb",
        location: m.location,
        properties: { tableName: "Readings", managedIdentityResourceId: m.kustoClusterResourceId, cosmosDbAccountResourceId: m.cosmosDbAccountResourceId, cosmosDbDatabase: m.cosmosDbDatabase, cosmosDbContainer: m.cosmosDbContainer },
      },
    },
  });

  beforeAll(async () => {
    mkdirSync(".local", { recursive: true });
    stateDir = mkdtempSync(join(".local", "connections-it-"));
    stack = await startStack({ stateDir, host: false, timeScale: 0.05, throttling: false, writeStackFile: false });
    m = stack.world;
    process.env.IDENTITY_ENDPOINT = stack.identityEndpoint;
    process.env.IDENTITY_HEADER = stack.identityHeader;
  });

  afterAll(async () => {
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    else process.env.IDENTITY_ENDPOINT = saved.endpoint;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    else process.env.IDENTITY_HEADER = saved.header;
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("creates, reads, lists and deletes a connection of every kind, journalled and notified", async () => {
    const svc = service();
    for (const [name, { spec, mode }] of Object.entries(specs())) {
      const result = await svc.upsert({ caller: alice(), key: key(name), spec, access: {}, correlationId: `it-${name}` });
      if (!result.ok) throw result.error;
      expect(result.value.status, name).toBe("created");
      const c = result.value.connection;
      expect(c.authMode, name).toBe(mode);
      expect(c.status, name).toBe("Succeeded");
      expect(c.binding.principal.objectId, name).toBe(mode === "key" ? m.appIdentityObjectId : m.kustoClusterPrincipalId);
      expect(c.binding.requirements.every((r) => r.granted && r.grants.length > 0), name).toBe(true);
    }
    const listed = await svc.list(alice(), { database: "telemetry" }, { pageSize: 10 });
    expect(listed.ok && listed.value.items.map((c) => c.key.name).sort()).toEqual(Object.keys(specs()).sort());
    const got = await svc.get(alice(), key("it-eg"));
    expect(got.ok && got.value.binding.requirements.map((r) => r.requirement.permission).sort()).toEqual([
      "Microsoft.EventHub/namespaces/messages/receive/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    ]);
    const journal = await svc.journal(alice(), key("it-eh"), { pageSize: 10 });
    expect(journal.ok && journal.value.items.map((e) => `${e.action}:${e.phase}`)).toEqual(["create:completed", "create:intent"]);

    const published = await httpsJson(`${stack.adminUrl}/eventgrid/published?topic=${m.notificationsTopicName}`, { ca: stack.emulator.caPem });
    const events = (published.body as { value: { event: { type: string; subject: string } }[] }).value.map((p) => p.event);
    expect(events.filter((e) => e.type === "adx.connection.created").map((e) => e.subject.split("/").pop()).sort()).toEqual(Object.keys(specs()).sort());

    for (const name of Object.keys(specs())) {
      expect(await svc.delete(alice(), key(name), `del-${name}`)).toEqual({ ok: true, value: { status: "deleted" } });
    }
    const after = await svc.list(alice(), { database: "telemetry" }, { pageSize: 10 });
    expect(after.ok && after.value.items).toEqual([]);
    const inKusto = await requests("/databases/telemetry/dataConnections");
    expect(inKusto.filter((r) => r.method === "DELETE" && r.status < 300)).toHaveLength(4);
  });

  it("the same PUT twice is one connection and one ARM write", async () => {
    const svc = service();
    const { spec } = specs()["it-eh"]!;
    const first = await svc.upsert({ caller: alice(), key: key("it-twice"), spec, access: {}, correlationId: "a" });
    const second = await svc.upsert({ caller: alice(), key: key("it-twice"), spec, access: {}, correlationId: "b" });
    expect(first.ok && first.value.status).toBe("created");
    expect(second.ok && second.value.status).toBe("unchanged");
    const puts = (await requests("/dataConnections/it-twice")).filter((r) => r.method === "PUT");
    expect(puts).toHaveLength(1);
    await svc.delete(alice(), key("it-twice"), "c");
  });

  it("creates a cross-tenant Event Hub connection through the federated chain, bound to the app's service principal in tenant B", async () => {
    const svc = service();
    const spec: DataConnectionSpec = { kind: "EventHub", location: m.location, properties: { eventHubResourceId: m.sourceEventHubResourceId, consumerGroup: m.sourceConsumerGroup, tableName: "Partner", dataFormat: "JSON" } };
    const result = await svc.upsert({ caller: alice(), key: key("it-partner"), spec, access: { sourceTenantId: m.sourceTenantId }, correlationId: "x" });
    if (!result.ok) throw result.error;
    expect(result.value.connection.binding.principal).toEqual({ tenantId: m.sourceTenantId, objectId: m.multiTenantAppServicePrincipalIdSourceTenant, kind: "crossTenantApp" });
    expect(result.value.connection.binding.requirements[0]?.grants[0]?.roleAssignmentId).toContain("22222222-8888-4888-8888-000000000002");
    const put = (await requests("/dataConnections/it-partner")).find((r) => r.method === "PUT" && r.status < 300);
    expect(put?.principal?.objectId).toBe(m.appIdentityObjectId);
    expect(put?.auxiliaryTenants).toEqual([m.sourceTenantId]);
    // The role-assignment reads for tenant B went out as the multi-tenant app's service principal there.
    const reads = await requests("/providers/Microsoft.Authorization/roleAssignments");
    expect(reads.some((r) => r.path.includes(m.sourceSubscriptionId!) && r.principal?.objectId === m.multiTenantAppServicePrincipalIdSourceTenant)).toBe(true);
    await svc.delete(alice(), key("it-partner"), "y");
  });

  it("validates without writing: Kusto's message and the missing access both reported", async () => {
    const svc = service();
    const spec: DataConnectionSpec = {
      kind: "EventHub",
      location: m.location,
      // The cluster identity may receive from hub "telemetry" only, and "nope" is no consumer group.
      properties: { eventHubResourceId: m.eventHubResourceId!.replace(/telemetry$/, "audit"), consumerGroup: "nope", tableName: "Audit", dataFormat: "JSON", managedIdentityResourceId: m.kustoClusterResourceId },
    };
    const before = (await requests("/dataConnections")).length;
    const result = await svc.validate({ caller: alice(), key: key("it-invalid"), spec, access: {}, correlationId: "v" });
    if (!result.ok) throw result.error;
    expect(result.value.valid).toBe(false);
    const codes = result.value.problems.map((p) => p.code);
    expect(codes).toContain("RequirementNotGranted");
    expect(codes).toContain("KustoValidationFailed");
    expect(result.value.problems.find((p) => p.code === "KustoValidationFailed")?.message).toContain("nope");
    const writes = (await requests("/dataConnections")).slice(before).filter((r) => r.method === "PUT" || r.method === "DELETE");
    expect(writes).toEqual([]);
    expect((await svc.get(alice(), key("it-invalid"))).ok).toBe(false);
  });

  it("answers accepted when Kusto outlives the wait, and the operation completes the record when polled", async () => {
    const svc = service({ KUSTO_WAIT_MS: "30" });
    await httpsJson(`${stack.adminUrl}/settings`, { ca: stack.emulator.caPem, method: "POST", body: { timeScale: 2 } });
    try {
      const result = await svc.upsert({ caller: alice(), key: key("it-slow"), spec: specs()["it-iot"]!.spec, access: {}, correlationId: "s" });
      if (!result.ok) throw result.error;
      expect(result.value.status).toBe("accepted");
      if (result.value.status !== "accepted") return;
      const operationId = result.value.operationId;
      let status = "Running";
      for (let i = 0; i < 50 && status === "Running"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const op = await svc.getOperation(alice(), operationId);
        if (!op.ok) throw op.error;
        status = op.value.status;
      }
      expect(status).toBe("Succeeded");
      const got = await svc.get(alice(), key("it-slow"));
      expect(got.ok && got.value.status).toBe("Succeeded");
    } finally {
      await httpsJson(`${stack.adminUrl}/settings`, { ca: stack.emulator.caPem, method: "POST", body: { timeScale: 0.05 } });
    }
    await svc.delete(alice(), key("it-slow"), "d");
  });
});

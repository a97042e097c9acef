// Revocation end to end on the local stack: real ARM DELETEs sent to the emulator make it emit the real
// ResourceDeleteSuccess events, Event Grid delivers them to the production bundle on the local host (the
// revocationEvents trigger for the Kusto side, the Entra-protected /api/events for the partner tenant), and the
// connections disappear, stay, or are left alone as live state says.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../../emulator/stack";
import eventFilter from "../../../infra/contract/eventFilter.json";
import { createTableJournal } from "../../../src/lib/azure/tableJournal";
import { createTableRegistry } from "../../../src/lib/azure/tableRegistry";
import type { Caller } from "../../../src/lib/auth/caller";
import type { ConnectionKey, DataConnectionSpec, JournalEntry, ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, JournalStore } from "../../../src/lib/connections/ports";
import type { ConnectionsService } from "../../../src/lib/connections/service";
import { wireConnections } from "../../../src/lib/root";
import { adminOf, loggedRequests, mintToken } from "../../support/emulatorAdmin";
import { httpsJson } from "../../support/httpsJson";
import { inProcessApp } from "../../support/inProcessApp";
import { ensureBundle } from "../ensureBundle";

const ARM = "https://management.azure.com/";
const receiverRole = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
const ownerRole = "f526a384-b230-433a-b45c-95f59c4a2dec";
const senderRole = "2b629674-e913-4c01-ae53-ef4638d8f975";
const receiveLessRole = "5e5e5e5e-1111-4222-8333-000000000001";
const groupId = "11111111-7777-4777-8777-0000000000aa";

describe("revocation on the local stack", () => {
  let stack: Stack;
  let stateDir: string;
  let m: Record<string, string>;
  let service: ConnectionsService;
  let registry: ConnectionRegistry;
  let journal: JournalStore;
  let alice = "";
  let carol = "";

  const subA = () => `/subscriptions/${m.kustoSubscriptionId}`;
  const rgSources = () => `${subA()}/resourceGroups/${m.localSourcesResourceGroup}`;
  const hub = (name: string) => `${m.eventHubNamespaceResourceId}/eventhubs/${name}`;
  const assignmentId = (scope: string, name: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
  const key = (name: string): ConnectionKey => ({ subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database: "telemetry", name });
  const aliceCaller = (): Caller => ({ tenantId: m.kustoTenantId!, objectId: m.adminUserObjectId!, name: "alice", roles: ["Connections.Read", "Connections.Write"] });

  const arm = async (method: string, path: string, token: string, body?: unknown, apiVersion = "2022-04-01") => {
    const res = await httpsJson(`${stack.armEndpoint}${path}?api-version=${apiVersion}`, { ca: stack.emulator.caPem, method, token, ...(body === undefined ? {} : { body }) });
    return res as { status: number; body: Record<string, unknown> };
  };
  const assign = async (scope: string, role: string, principalId: string) => {
    const name = randomUUID();
    const res = await arm("PUT", assignmentId(scope, name), alice, { properties: { roleDefinitionId: `${subA()}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return assignmentId(scope, name);
  };
  const unassign = async (id: string, token = alice) => expect((await arm("DELETE", id, token)).status).toBe(200);

  async function create(name: string, spec: DataConnectionSpec, access: { mode?: "key" | "managedIdentity"; sourceTenantId?: string } = {}): Promise<ManagedConnection> {
    const result = await service.upsert({ caller: aliceCaller(), key: key(name), spec, access, correlationId: `create-${name}` });
    if (!result.ok) throw result.error;
    expect(result.value.status).toBe("created");
    return result.value.connection;
  }
  const miHub = (hubName: string, consumerGroup = "adx"): DataConnectionSpec => ({
    kind: "EventHub",
    location: m.location,
    properties: { eventHubResourceId: hub(hubName), consumerGroup, tableName: "Events", dataFormat: "JSON", managedIdentityResourceId: m.kustoClusterResourceId },
  });
  const keyHub = (hubId: string, consumerGroup: string): DataConnectionSpec => ({ kind: "EventHub", location: m.location, properties: { eventHubResourceId: hubId, consumerGroup, tableName: "Events", dataFormat: "JSON" } });

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutInMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutInMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const statusOf = async (name: string) => (await registry.get(key(name)))?.status;
  const untilStatus = (name: string, status: string) => until(`${name} ${status}`, async () => ((await statusOf(name)) === status ? true : undefined));
  const journalOf = async (name: string): Promise<JournalEntry[]> => (await journal.list(`/subscriptions/${key(name).subscriptionId}/resourceGroups/${key(name).resourceGroup}/providers/Microsoft.Kusto/clusters/${key(name).cluster}/databases/telemetry/dataConnections/${name}`, { pageSize: 100 })).items;
  const kustoDeletes = async (name: string) => (await loggedRequests(adminOf(stack), { path: `/dataConnections/${name}`, method: "DELETE" })).length;

  async function subscribe(topicPath: string, source: string, token: string, destination: Record<string, unknown>) {
    const topic = await arm("PUT", topicPath, token, { location: "global", properties: { source, topicType: "Microsoft.Resources.Subscriptions" } }, "2025-02-15");
    expect(topic.status, JSON.stringify(topic.body)).toBe(201);
    const subscription = `${topicPath}/eventSubscriptions/revocation`;
    const put = await arm(
      "PUT",
      subscription,
      token,
      {
        properties: {
          destination,
          filter: {
            includedEventTypes: eventFilter.eventTypes,
            advancedFilters: [{ operatorType: "StringIn", key: "data.operationName", values: eventFilter.operations.map((o) => o.operationName) }],
          },
        },
      },
      "2025-02-15",
    );
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const state = await until("the event subscription", async () => {
      const got = await arm("GET", subscription, token, undefined, "2025-02-15");
      const s = (got.body.properties as { provisioningState?: string } | undefined)?.provisioningState;
      return s === "Succeeded" || s === "Failed" ? s : undefined;
    });
    expect(state).toBe("Succeeded");
  }

  beforeAll(async () => {
    ensureBundle();
    mkdirSync(".local", { recursive: true });
    stateDir = mkdtempSync(join(".local", "revocation-e2e-"));
    stack = await startStack({ stateDir, timeScale: 0.02, throttling: false, writeStackFile: false });
    m = stack.world;
    const admin = adminOf(stack);
    alice = await mintToken(admin, m.adminUserObjectId!, ARM);
    carol = await mintToken(admin, m.sourceAdminUserObjectId!, ARM);
    // A group holding the cluster's identity, and a custom role that owns Event Hubs data except receiving.
    const merge = await httpsJson(`${stack.adminUrl}/world?mode=merge`, {
      ca: stack.emulator.caPem,
      method: "POST",
      body: {
        tenants: [],
        subscriptions: [],
        principals: [{ objectId: groupId, tenantId: m.kustoTenantId, type: "Group", displayName: "adx-ingest", members: [m.kustoClusterPrincipalId] }],
        customRoles: [
          {
            name: receiveLessRole,
            roleName: "Event Hubs data, no receive",
            type: "CustomRole",
            permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.EventHub/*"], notDataActions: ["Microsoft.EventHub/namespaces/messages/receive/action"] }],
            assignableScopes: [subA()],
          },
        ],
      },
    });
    expect(merge.status, JSON.stringify(merge.body)).toBeLessThan(300);
    const app = inProcessApp(stack);
    service = wireConnections(app.settings, app.clients, app.policy).service;
    const tables = { tableClient: (name: string) => app.clients.tableClient(name)!, tablePrefix: app.settings.registry.tablePrefix };
    registry = createTableRegistry(tables);
    journal = createTableJournal(tables);
    // The Kusto side: the subscription's system topic → the revocationEvents function (as infra does it).
    await subscribe(`${subA()}/resourceGroups/${m.kustoResourceGroup}/providers/Microsoft.EventGrid/systemTopics/kusto-resources`, subA(), alice, {
      endpointType: "AzureFunction",
      properties: { resourceId: `${m.functionAppResourceId}/functions/revocationEvents`, maxEventsPerBatch: 1 },
    });
    // The partner tenant: its subscription's system topic → /api/events with an Entra token for the API.
    await subscribe(`/subscriptions/${m.sourceSubscriptionId}/resourceGroups/${m.sourceResourceGroup}/providers/Microsoft.EventGrid/systemTopics/partner-resources`, `/subscriptions/${m.sourceSubscriptionId}`, carol, {
      endpointType: "WebHook",
      properties: { endpointUrl: `${stack.hostUrl}/api/events`, azureActiveDirectoryTenantId: m.kustoTenantId, azureActiveDirectoryApplicationIdOrUri: m.apiAudience },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("keeps a connection still granted through an inherited Data Owner assignment, then removes it when that goes too; an unmanaged one is left alone", async () => {
    const created = await create("rv-hub", miHub("telemetry"));
    const direct = created.binding.requirements[0]!.grants.map((g) => g.roleAssignmentId);
    expect(direct).toHaveLength(1);
    const unmanaged = `${m.kustoClusterResourceId}/databases/telemetry/dataConnections/rv-unmanaged`;
    const put = await arm("PUT", unmanaged, alice, { kind: "EventHub", location: m.location, properties: miHub("telemetry").properties }, "2023-08-15");
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    const inherited = await assign(rgSources(), ownerRole, m.kustoClusterPrincipalId!);

    await unassign(direct[0]!);
    const kept = await until("the keep decision", async () => (await journalOf("rv-hub")).find((e) => e.action === "keep" && e.phase === "completed"));
    expect(kept.actor).toEqual({ system: "revocation" });
    const record = await registry.get(key("rv-hub"));
    expect(record?.status).toBe("Succeeded");
    expect(record?.binding.requirements[0]?.grants.map((g) => g.roleAssignmentId.toLowerCase())).toEqual([inherited.toLowerCase()]);

    await unassign(inherited);
    await untilStatus("rv-hub", "Deleted");
    await until("the journal's completion", async () => ((await journalOf("rv-hub")).some((e) => e.action === "revoke" && e.phase === "completed") ? true : undefined));
    expect((await arm("GET", `${m.kustoClusterResourceId}/databases/telemetry/dataConnections/rv-hub`, alice, undefined, "2023-08-15")).status).toBe(404);
    const revoke = (await journalOf("rv-hub")).filter((e) => e.action === "revoke").reverse();
    expect(revoke.map((e) => e.phase)).toEqual(["intent", "completed"]);
    expect(await kustoDeletes("rv-hub")).toBe(1);
    // Never managed, never touched (the audit reports it).
    expect((await arm("GET", unmanaged, alice, undefined, "2023-08-15")).status).toBe(200);
    expect(await kustoDeletes("rv-unmanaged")).toBe(0);
  });

  it("removes a connection when its only (group) assignment goes, however often Event Grid delivers the event; Sender and a receive-less custom role do not keep it", async () => {
    const cg = await arm("PUT", `${hub("audit")}/consumergroups/adx`, alice, { properties: {} }, "2024-01-01");
    expect(cg.status).toBeLessThan(300);
    const group = await assign(hub("audit"), receiverRole, groupId);
    await assign(hub("audit"), senderRole, m.kustoClusterPrincipalId!);
    await assign(m.eventHubNamespaceResourceId!, receiveLessRole, m.kustoClusterPrincipalId!);
    const created = await create("rv-group", miHub("audit"));
    expect(created.binding.requirements[0]!.grants.map((g) => g.assigneeObjectId)).toEqual([groupId]);

    await httpsJson(`${stack.adminUrl}/eventgrid/settings`, { ca: stack.emulator.caPem, method: "POST", body: { duplicateRate: 1 } });
    try {
      await unassign(group);
      await untilStatus("rv-group", "Deleted");
      // Both deliveries (and a replay of the event to the host) done: still one DELETE.
      await until("the duplicate delivery", async () => {
        const res = await httpsJson(`${stack.adminUrl}/eventgrid/deliveries`, { ca: stack.emulator.caPem });
        const mine = (res.body as { value: { kind: string; success: boolean; url: string }[] }).value.filter((d) => d.kind === "Notification" && d.url.includes("revocationEvents") && d.success);
        return mine.length >= 2 ? true : undefined;
      });
    } finally {
      await httpsJson(`${stack.adminUrl}/eventgrid/settings`, { ca: stack.emulator.caPem, method: "POST", body: { duplicateRate: 0 } });
    }
    expect(await kustoDeletes("rv-group")).toBe(1);
    expect((await registry.get(key("rv-group")))?.status).toBe("Deleted");
  });

  it("touches nothing on a forged event while the assignment exists, and drops events of unknown tenants", async () => {
    const created = await create("rv-key", keyHub(hub("telemetry"), "adx"));
    const grant = created.binding.requirements[0]!.grants[0]!.roleAssignmentId;
    const forged = (tenantId: string, id: string) => ({
      id,
      topic: subA(),
      subject: grant,
      eventType: "Microsoft.Resources.ResourceDeleteSuccess",
      eventTime: new Date().toISOString(),
      dataVersion: "2",
      metadataVersion: "1",
      data: { operationName: "Microsoft.Authorization/roleAssignments/delete", resourceUri: grant, tenantId, subscriptionId: m.kustoSubscriptionId, status: "Succeeded", correlationId: id, claims: {} },
    });
    const post = (body: unknown) =>
      fetch(`${stack.hostUrl}/runtime/webhooks/eventgrid?functionName=revocationEvents`, { method: "POST", headers: { "content-type": "application/json", "aeg-event-type": "Notification" }, body: JSON.stringify(body) });
    expect((await post([forged("99999999-1111-4111-8111-111111111111", "forged-foreign")])).status).toBe(202);
    expect((await journalOf("rv-key")).filter((e) => e.action === "keep")).toHaveLength(0);
    expect((await post([forged(m.kustoTenantId!, "forged-1")])).status).toBe(202);
    const entry = (await journalOf("rv-key")).find((e) => e.action === "keep");
    expect(entry).toMatchObject({ phase: "skipped", correlationId: "forged-1" });
    expect(entry?.reason).toContain("still exists");
    expect((await registry.get(key("rv-key")))?.status).toBe("Succeeded");
    expect(await kustoDeletes("rv-key")).toBe(0);
  });

  it("removes the connections of a deleted Event Hubs namespace", async () => {
    const ns = `${rgSources()}/providers/Microsoft.EventHub/namespaces/evhns-rv-gone`;
    expect((await arm("PUT", ns, alice, { location: m.location, sku: { name: "Standard", tier: "Standard" }, properties: {} }, "2024-01-01")).status).toBeLessThan(300);
    expect((await arm("PUT", `${ns}/eventhubs/h`, alice, { properties: {} }, "2024-01-01")).status).toBeLessThan(300);
    expect((await arm("PUT", `${ns}/eventhubs/h/consumergroups/adx`, alice, { properties: {} }, "2024-01-01")).status).toBeLessThan(300);
    await create("rv-ns", keyHub(`${ns}/eventhubs/h`, "adx"));
    expect((await arm("DELETE", ns, alice, undefined, "2024-01-01")).status).toBeLessThan(300);
    await untilStatus("rv-ns", "Deleted");
    // The record is saved before the journal completes the intent: wait for that entry.
    const revoke = await until("the journal's completion", async () => (await journalOf("rv-ns")).find((e) => e.action === "revoke" && e.phase === "completed"));
    expect(revoke.after).toMatchObject({ reason: "sourceDeleted" });
  });

  it("removes a cross-tenant connection when the partner tenant deletes the grant (webhook, Entra token)", async () => {
    const created = await create("rv-partner", keyHub(m.sourceEventHubResourceId!, m.sourceConsumerGroup!), { sourceTenantId: m.sourceTenantId! });
    expect(created.binding.principal.tenantId).toBe(m.sourceTenantId);
    const grants = created.binding.requirements.flatMap((r) => r.grants.map((g) => g.roleAssignmentId));
    expect(grants).toHaveLength(1);
    await unassign(grants[0]!, carol);
    await untilStatus("rv-partner", "Deleted");
    // The delivery is recorded once the webhook has answered, after the record was saved.
    const webhook = await until("the webhook's answer", async () => {
      const deliveries = await httpsJson(`${stack.adminUrl}/eventgrid/deliveries`, { ca: stack.emulator.caPem });
      const mine = (deliveries.body as { value: { kind: string; url: string; status: number }[] }).value.filter((d) => d.url.endsWith("/api/events"));
      return mine.length >= 2 ? mine : undefined;
    });
    expect(webhook.map((d) => [d.kind, d.status])).toEqual([
      ["SubscriptionValidation", 200],
      ["Notification", 200],
    ]);
  });
});

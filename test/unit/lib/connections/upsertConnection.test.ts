// The create/update use case over in-memory fakes: every branch, and what it writes (registry, journal,
// Kusto, notifications) or, for refusals, that it writes nothing.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../../src/lib/errors";
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import type { UpsertInput } from "../../../../src/lib/connections/service";
import { clusterId, createConnectionsWorld, ids, keyOf, sourceIds, specs, uamiId, writer } from "../../../support/fakes/connectionsWorld";

function setup(overrides: Parameters<typeof createConnectionsWorld>[0] = {}) {
  const world = createConnectionsWorld(overrides);
  return { ...world, service: createConnectionsService(world.deps) };
}

const put = (name: string, spec = specs.eventHub(), access: UpsertInput["access"] = {}): UpsertInput => ({
  caller: writer(),
  key: keyOf(name),
  spec,
  access,
  correlationId: `corr-${name}`,
});

function expectNoWrites(world: ReturnType<typeof setup>) {
  expect(world.kusto.count("createOrUpdate")).toBe(0);
  expect(world.registry.calls.save).toBe(0);
  expect(world.journal.entries).toEqual([]);
  expect(world.notifier.published).toEqual([]);
}

describe("creating a connection", () => {
  it("creates a key-mode Event Hub connection bound to the app's identity, journalled and notified", async () => {
    const w = setup();
    const result = await w.service.upsert(put("events"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.status).toBe("created");
    const c = result.value.connection;
    expect(c.status).toBe("Succeeded");
    expect(c.authMode).toBe("key");
    expect(c.binding.principal).toEqual({ tenantId: ids.tenantA, objectId: ids.appPrincipal, kind: "appIdentity" });
    expect(c.binding.requirements).toHaveLength(1);
    expect(c.binding.requirements[0]?.requirement.scope.toLowerCase()).toBe(sourceIds.namespace.toLowerCase());
    expect(c.binding.requirements[0]?.grants[0]?.roleAssignmentId).toContain("roleAssignments/");
    expect(c.createdBy.objectId).toBe(ids.caller);
    expect(c.sourceResourceIds).toEqual([sourceIds.eventHub]);
    expect(w.kusto.calls.map((x) => x.method)).toEqual(["checkNameAvailability", "validate", "createOrUpdate"]);
    const journal = w.journal.of(c.id);
    expect(journal.map((e) => `${e.action}:${e.phase}`)).toEqual(["create:intent", "create:completed"]);
    expect(journal[1]?.intentId).toBe(journal[0]?.id);
    expect(journal[0]?.correlationId).toBe("corr-events");
    expect(w.notifier.published.map((e) => [e.type, e.subject])).toEqual([["adx.connection.created", c.id]]);
    expect((await w.registry.get(keyOf("events")))?.status).toBe("Succeeded");
  });

  it("binds a managed-identity connection to the cluster's system identity read from the cluster", async () => {
    const w = setup();
    const result = await w.service.upsert(put("readings", specs.cosmosDb()));
    if (!result.ok) throw result.error;
    expect(result.value.connection.authMode).toBe("managedIdentity");
    expect(result.value.connection.binding.principal).toMatchObject({ kind: "clusterIdentity", objectId: ids.clusterPrincipal, resourceId: clusterId });
    expect(w.kusto.count("getCluster")).toBe(1);
  });

  it("binds to a user-assigned identity attached to the cluster, named in the access block", async () => {
    const w = setup();
    w.verifier.grants.push({ principalObjectId: ids.uamiPrincipal, scope: sourceIds.eventHub, permission: "*", roleAssignmentId: `${sourceIds.eventHub}/providers/Microsoft.Authorization/roleAssignments/u1` });
    const result = await w.service.upsert(put("ua", specs.eventHub(), { mode: "managedIdentity", managedIdentityResourceId: uamiId }));
    if (!result.ok) throw result.error;
    expect(result.value.connection.binding.principal).toMatchObject({ kind: "userAssignedIdentity", objectId: ids.uamiPrincipal });
    // The identity from the access block is what Kusto gets.
    expect(result.value.connection.spec.properties.managedIdentityResourceId).toBe(uamiId);
  });

  it("refuses an identity that is not attached to the cluster, before any write", async () => {
    const w = setup();
    const other = uamiId.replace("id-ingest", "id-elsewhere");
    const result = await w.service.upsert(put("ua", specs.eventHub(), { managedIdentityResourceId: other }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: "validation", code: "IdentityNotAttachedToCluster" });
    expect(result.error.problems[0]?.path).toBe("/access/managedIdentityResourceId");
    expectNoWrites(w);
  });

  it("creates a cross-tenant key-mode connection as the multi-tenant app's service principal, with the auxiliary tenant on every Kusto call", async () => {
    const w = setup();
    const result = await w.service.upsert(put("partner", specs.partnerEventHub(), { sourceTenantId: ids.tenantB }));
    if (!result.ok) throw result.error;
    expect(result.value.connection.binding.principal).toEqual({ tenantId: ids.tenantB, objectId: ids.crossTenantSp, kind: "crossTenantApp" });
    const withAuth = w.kusto.calls.filter((c) => c.method === "validate" || c.method === "createOrUpdate");
    expect(withAuth.map((c) => c.auth)).toEqual([{ auxiliaryTenantId: ids.tenantB }, { auxiliaryTenantId: ids.tenantB }]);
    expect(w.policy.requests[0]).toMatchObject({ action: "write", sourceTenantId: ids.tenantB, clusterId });
  });

  it("refuses a source tenant that is not allowed, with no ARM call", async () => {
    const w = setup({ sourceTenants: [] });
    const result = await w.service.upsert(put("partner", specs.partnerEventHub(), { sourceTenantId: ids.tenantB }));
    expect(result.ok || result.error).toMatchObject({ kind: "forbidden", code: "SourceTenantNotAllowed" });
    expect(w.kusto.calls).toEqual([]);
    expectNoWrites(w);
  });

  it("refuses managed-identity mode across tenants (a Kusto identity cannot reach another tenant)", async () => {
    const w = setup();
    const result = await w.service.upsert(put("partner", specs.partnerEventHub(), { sourceTenantId: ids.tenantB, mode: "managedIdentity", managedIdentityResourceId: clusterId }));
    expect(result.ok || result.error).toMatchObject({ kind: "validation", code: "CrossTenantRequiresKeyMode" });
    expectNoWrites(w);
  });

  it("refuses key mode with a managed identity in the properties", async () => {
    const w = setup();
    const spec = specs.eventHub();
    spec.properties.managedIdentityResourceId = clusterId;
    const result = await w.service.upsert(put("x", spec, { mode: "key" }));
    expect(result.ok || result.error).toMatchObject({ code: "ManagedIdentityInKeyMode" });
    expectNoWrites(w);
  });

  it("stops at the policy: no ARM call, no write", async () => {
    const w = setup();
    w.policy.deny = (_c, r) => (r.database === "telemetry" ? "DatabaseNotAllowed" : undefined);
    const result = await w.service.upsert(put("events"));
    expect(result.ok || result.error).toMatchObject({ kind: "forbidden", code: "DatabaseNotAllowed" });
    expect(w.kusto.calls).toEqual([]);
    expect(w.registry.calls.get).toBe(0);
    expectNoWrites(w);
  });

  it("requires the Connections.Write app role", async () => {
    const w = setup();
    const result = await w.service.upsert({ ...put("events"), caller: writer(["Connections.Read"]) });
    expect(result.ok || result.error).toMatchObject({ kind: "forbidden", code: "MissingAppRole" });
    expect(w.kusto.calls).toEqual([]);
  });

  it("refuses with 403 RequirementNotGranted naming the permission, scope and principal when the binding principal lacks access", async () => {
    const w = setup();
    w.verifier.grants = w.verifier.grants.filter((g) => g.principalObjectId !== ids.clusterPrincipal);
    const result = await w.service.upsert(put("blobs", specs.eventGrid(), { mode: "managedIdentity", managedIdentityResourceId: clusterId }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: "forbidden", code: "RequirementNotGranted" });
    expect(result.error.problems.map((p) => p.path).sort()).toEqual(["/properties/eventHubResourceId", "/properties/storageAccountResourceId"]);
    expect(result.error.problems[0]?.message).toContain(ids.clusterPrincipal);
    expect(result.error.problems.some((p) => p.message.includes("Microsoft.EventHub/namespaces/messages/receive/action") && p.message.includes(sourceIds.eventHub))).toBe(true);
    expectNoWrites(w);
  });

  it("explains a source whose access the app cannot read, suggesting the source tenant", async () => {
    const w = setup();
    w.verifier.failWith = new AppError("upstream", "AccessReadFailed", "InvalidAuthenticationTokenTenant");
    const result = await w.service.upsert(put("partner", specs.partnerEventHub()));
    expect(result.ok || result.error).toMatchObject({ kind: "forbidden", code: "SourceAccessUnreadable" });
    if (!result.ok) expect(result.error.message).toContain("access.sourceTenantId");
    expectNoWrites(w);
  });

  it("answers 409 NameNotAvailable when Kusto has an unmanaged connection of that name", async () => {
    const w = setup();
    w.kusto.seed(keyOf("taken"), specs.iotHub());
    const result = await w.service.upsert(put("taken"));
    expect(result.ok || result.error).toMatchObject({ kind: "conflict", code: "NameNotAvailable" });
    expectNoWrites(w);
  });

  it("reports a name Kusto calls invalid at /name", async () => {
    const w = setup();
    w.kusto.invalidName = (n) => (n.includes(" ") ? "Names cannot contain spaces." : undefined);
    const result = await w.service.upsert(put("bad name"));
    expect(result.ok || result.error).toMatchObject({ kind: "validation", code: "InvalidConnectionName" });
    if (!result.ok) expect(result.error.problems).toEqual([{ code: "InvalidConnectionName", message: "Names cannot contain spaces.", path: "/name" }]);
    expectNoWrites(w);
  });

  it("returns every message of Kusto's validation and writes nothing", async () => {
    const w = setup();
    w.kusto.validationMessages = () => ["Consumer group 'adx' not found.", "Table 'Events' not found."];
    const result = await w.service.upsert(put("events"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("KustoValidationFailed");
    expect(result.error.problems.map((p) => p.message)).toEqual(["Consumer group 'adx' not found.", "Table 'Events' not found."]);
    expectNoWrites(w);
  });
});

describe("long-running operations", () => {
  it("answers accepted with an operation when Kusto outlives the wait, and completes it when polled", async () => {
    const w = setup();
    w.kusto.pollsToFinish = 2;
    const result = await w.service.upsert(put("slow"));
    if (!result.ok) throw result.error;
    expect(result.value.status).toBe("accepted");
    if (result.value.status !== "accepted") return;
    const { operationId, connection } = result.value;
    expect(connection.status).toBe("Provisioning");
    expect(connection.operation?.resumeToken).toBeDefined();
    expect(w.journal.of(connection.id).map((e) => e.phase)).toEqual(["intent"]);
    expect(w.notifier.published).toEqual([]);

    const first = await w.service.getOperation(writer(), operationId);
    expect(first.ok && first.value.status).toBe("Running");
    const second = await w.service.getOperation(writer(), operationId);
    expect(second.ok && second.value).toMatchObject({ status: "Succeeded", kind: "create", connectionId: connection.id });

    const stored = await w.registry.get(keyOf("slow"));
    expect(stored?.status).toBe("Succeeded");
    expect(stored?.operation?.resumeToken).toBeUndefined();
    const journal = w.journal.of(connection.id);
    expect(journal.map((e) => e.phase)).toEqual(["intent", "completed"]);
    expect(journal[1]?.intentId).toBe(journal[0]?.id);
    expect(w.notifier.published.map((e) => e.type)).toEqual(["adx.connection.created"]);
    // Asking again changes nothing more.
    const third = await w.service.getOperation(writer(), operationId);
    expect(third.ok && third.value.status).toBe("Succeeded");
    expect(w.journal.of(connection.id)).toHaveLength(2);
  });

  it("a repeated PUT while the operation runs answers accepted with the same operation", async () => {
    const w = setup();
    w.kusto.pollsToFinish = 5;
    const first = await w.service.upsert(put("slow"));
    const second = await w.service.upsert(put("slow"));
    if (!first.ok || !second.ok) throw new Error("expected both to succeed");
    expect(second.value.status).toBe("accepted");
    expect(second.value.status === "accepted" && first.value.status === "accepted" && second.value.operationId === first.value.operationId).toBe(true);
    expect(w.kusto.count("createOrUpdate")).toBe(1);
  });

  it("records a Kusto operation that fails as Failed and reports it", async () => {
    const w = setup();
    w.kusto.failOperations = true;
    const result = await w.service.upsert(put("doomed"));
    expect(result.ok || result.error).toMatchObject({ kind: "upstream", code: "KustoOperationFailed" });
    expect((await w.registry.get(keyOf("doomed")))?.status).toBe("Failed");
    expect(w.journal.entries.map((e) => e.phase)).toEqual(["intent", "failed"]);
    expect(w.notifier.published).toEqual([]);
  });

  it("journals a refused Kusto write as failed and passes the error on", async () => {
    const w = setup();
    w.kusto.failNextWrite = new AppError("conflict", "OperationInProgress", "busy");
    const result = await w.service.upsert(put("busy"));
    expect(result.ok || result.error).toMatchObject({ kind: "conflict", code: "OperationInProgress" });
    expect(w.journal.entries.map((e) => `${e.phase}:${e.error?.code ?? ""}`)).toEqual(["intent:", "failed:OperationInProgress"]);
    // The claim saved before the ARM write is given back: the name has no live record, a retry creates it.
    expect(w.registry.calls.save).toBe(2);
    expect((await w.registry.get(keyOf("busy")))?.status).toBe("Deleted");
    expect((await w.service.get(writer(), keyOf("busy"))).ok).toBe(false);
    const retried = await w.service.upsert(put("busy"));
    expect(retried.ok && retried.value.status).toBe("created");
  });
});

describe("idempotency and convergence", () => {
  it("the same PUT twice is one connection: the second is unchanged, with no ARM write and one ARM read", async () => {
    const w = setup();
    await w.service.upsert(put("events"));
    const before = w.kusto.calls.length;
    const again = await w.service.upsert(put("events"));
    if (!again.ok) throw again.error;
    expect(again.value.status).toBe("unchanged");
    expect(w.kusto.calls.slice(before).map((c) => c.method)).toEqual(["get"]);
    expect(w.registry.all()).toHaveLength(1);
    expect(w.journal.entries).toHaveLength(2);
    expect(w.notifier.published).toHaveLength(1);
  });

  it("treats property order and resource-ID case as the same spec", async () => {
    const w = setup();
    await w.service.upsert(put("events"));
    const spec = specs.eventHub();
    const reordered = { ...spec, properties: { dataFormat: "JSON", tableName: "Events", consumerGroup: "adx", eventHubResourceId: sourceIds.eventHub.toUpperCase() } };
    const again = await w.service.upsert(put("events", reordered));
    expect(again.ok && again.value.status).toBe("unchanged");
  });

  it("re-creates a connection that was deleted in Kusto behind the app's back", async () => {
    const w = setup();
    await w.service.upsert(put("events"));
    w.kusto.connections.clear();
    const again = await w.service.upsert(put("events"));
    expect(again.ok && again.value.status).toBe("updated");
    expect(w.kusto.count("createOrUpdate")).toBe(2);
  });

  it("updates a changed spec, journalling before and after, and notifies updated", async () => {
    const w = setup();
    await w.service.upsert(put("events"));
    const changed = specs.eventHub();
    changed.properties.tableName = "Events2";
    const result = await w.service.upsert(put("events", changed));
    if (!result.ok) throw result.error;
    expect(result.value.status).toBe("updated");
    expect(w.kusto.count("checkNameAvailability")).toBe(1);
    const intent = w.journal.entries.find((e) => e.action === "update" && e.phase === "intent");
    expect(intent?.before).toMatchObject({ properties: { tableName: "Events" } });
    expect(intent?.after).toMatchObject({ properties: { tableName: "Events2" } });
    expect(w.notifier.published.map((e) => e.type)).toEqual(["adx.connection.created", "adx.connection.updated"]);
    expect(result.value.connection.createdAt).toBeDefined();
  });

  it("refuses to change a connection's kind", async () => {
    const w = setup();
    await w.service.upsert(put("events"));
    const result = await w.service.upsert(put("events", specs.iotHub()));
    expect(result.ok || result.error).toMatchObject({ kind: "validation", code: "KindChangeNotAllowed" });
  });

  it("converges after a crash between Kusto's PUT and the record: the retry records the connection Kusto has", async () => {
    const w = setup();
    const key = keyOf("crashed");
    // The crashed attempt: an intent in the journal, the connection in Kusto, nothing in the registry.
    await w.journal.append({ connectionId: `/subscriptions/${ids.subA}/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/clusters/adxdemo/databases/telemetry/dataConnections/crashed`, action: "create", phase: "intent", actor: writer(), correlationId: "crash", after: specs.eventHub() });
    w.kusto.seed(key, specs.eventHub());
    const result = await w.service.upsert(put("crashed"));
    if (!result.ok) throw result.error;
    expect(result.value.status).toBe("created");
    expect(w.kusto.count("createOrUpdate")).toBe(0);
    const phases = w.journal.entries.map((e) => `${e.phase}:${e.intentId ?? ""}`);
    expect(phases).toEqual(["intent:", "completed:j1"]);
    expect((await w.registry.get(key))?.status).toBe("Succeeded");
  });

  it("does not adopt a same-named connection with a different spec, even with a pending intent", async () => {
    const w = setup();
    await w.journal.append({ connectionId: `/subscriptions/${ids.subA}/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/clusters/adxdemo/databases/telemetry/dataConnections/crashed`, action: "create", phase: "intent", actor: writer(), correlationId: "crash" });
    w.kusto.seed(keyOf("crashed"), specs.iotHub());
    const result = await w.service.upsert(put("crashed"));
    expect(result.ok || result.error).toMatchObject({ code: "NameNotAvailable" });
  });

  it("two identical concurrent PUTs: the one that claims second never reaches ARM and answers unchanged with the first one's record", async () => {
    const w = setup();
    let winner: unknown;
    w.registry.beforeNextSave = async () => {
      // Another instance finishes the same request first.
      const other = createConnectionsService({ ...w.deps });
      w.registry.beforeNextSave = undefined;
      winner = await other.upsert(put("twin"));
    };
    const result = await w.service.upsert(put("twin"));
    if (!result.ok) throw result.error;
    expect((winner as { ok: boolean; value: { status: string } }).value.status).toBe("created");
    expect(result.value.status).toBe("unchanged");
    expect(w.registry.all()).toHaveLength(1);
    expect(w.kusto.count("createOrUpdate")).toBe(1);
    // The winner's intent completed; the loser's ended unexecuted (its claim lost), none left open.
    expect(w.journal.entries.map((e) => e.phase).sort()).toEqual(["completed", "intent", "intent", "skipped"]);
  });

  it("a failed notification is journalled and never fails the request", async () => {
    const w = setup();
    w.notifier.failing = true;
    const result = await w.service.upsert(put("events"));
    expect(result.ok && result.value.status).toBe("created");
    expect(w.notifier.undelivered.map((e) => e.type)).toEqual(["adx.connection.created"]);
    const notify = w.journal.entries.find((e) => e.action === "notify");
    expect(notify).toMatchObject({ phase: "failed", error: { code: "NotificationNotDelivered", message: "topic unavailable" } });
  });

  it("journals nothing when no notifications topic is configured (nothing to retry)", async () => {
    const w = setup();
    w.deps.notifier = { publish: async () => ({ delivered: false, error: "NotConfigured" }) };
    const result = await createConnectionsService(w.deps).upsert(put("events"));
    expect(result.ok && result.value.status).toBe("created");
    expect(w.journal.entries.map((e) => e.action)).toEqual(["create", "create"]);
  });
});

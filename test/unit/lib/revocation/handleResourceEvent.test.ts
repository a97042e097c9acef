// The revocation use case over fakes: delete when access is gone, keep when another grant holds it, touch
// nothing for a forged or stale event, no ARM call without candidates, duplicates and races yield one DELETE,
// report mode, failures rethrown and counted, source and cluster deletions.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../../src/lib/errors";
import { createRevocationHandler, handleResourceEvent } from "../../../../src/lib/revocation/handleResourceEvent";
import { currentCorrelationId } from "../../../../src/lib/telemetry/correlation";
import { clusterId, createRevocationWorld, deleteAssignmentEvent, ids, keyOf, resourceEvent, sourceIds, specs } from "./revocationWorld";

const ra = (scope: string, n: number) => `${scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-00000000000${n}`;
const rgSources = `/subscriptions/${ids.subA}/resourceGroups/rg-sources-demo`;
const receive = "Microsoft.EventHub/namespaces/messages/receive/action";
const miEventHub = () => ({ ...specs.eventHub(), properties: { ...specs.eventHub().properties, managedIdentityResourceId: clusterId } });

describe("revocation of a deleted role assignment", () => {
  it("removes an MI-mode connection whose only grant was deleted: journal, DELETE, tombstone, notification, metrics", async () => {
    const w = createRevocationWorld();
    const created = await w.create("mi-events", miEventHub());
    const grant = ra(sourceIds.eventHub, 2);
    expect(created.binding.requirements[0]?.grants.map((g) => g.roleAssignmentId)).toEqual([grant]);
    w.deleteAssignment(grant);
    const event = deleteAssignmentEvent(grant);

    const outcome = await handleResourceEvent(w.deps, event);

    expect(outcome).toMatchObject({ status: "processed", effect: "grant", deleted: [created.id], kept: [] });
    expect(w.kusto.count("delete")).toBe(1);
    expect(w.kusto.connections.size).toBe(0);
    const record = await w.record(keyOf("mi-events"));
    expect(record?.status).toBe("Deleted");
    expect(await w.registry.findByRoleAssignment(grant)).toEqual([]);
    const journal = w.journal.of(created.id).filter((e) => e.action === "revoke");
    expect(journal.map((e) => e.phase)).toEqual(["intent", "completed"]);
    expect(journal.every((e) => JSON.stringify(e.actor) === JSON.stringify({ system: "revocation" }) && e.correlationId === event.data?.correlationId)).toBe(true);
    expect(journal[1]?.intentId).toBe(journal[0]?.id);
    expect(journal[0]?.reason).toContain(receive);
    const revoked = w.notifier.published.filter((e) => e.type === "adx.connection.revoked");
    expect(revoked).toHaveLength(1);
    expect(revoked[0]?.data).toMatchObject({ connectionId: created.id, reason: "revoked", enforced: true, deletedBy: { objectId: ids.caller }, correlationId: event.data?.correlationId, deletedResourceId: grant });
    expect(w.counts.deleted).toEqual(["revoked"]);
  });

  it("removes a key-mode connection when the app identity's inherited grant on the resource group goes", async () => {
    const w = createRevocationWorld();
    const created = await w.create("key-events", specs.eventHub());
    expect(created.authMode).toBe("key");
    w.deleteAssignment(ra(rgSources, 1));
    const outcome = await handleResourceEvent(w.deps, deleteAssignmentEvent(ra(rgSources, 1)));
    expect(outcome.deleted).toEqual([created.id]);
    expect(w.kusto.count("delete")).toBe(1);
  });

  it("keeps the connection when access is still held through another grant, and records that grant", async () => {
    const w = createRevocationWorld();
    const created = await w.create("mi-events", miEventHub());
    const inherited = ra(rgSources, 7);
    w.verifier.grants.push({ principalObjectId: ids.clusterPrincipal, scope: rgSources, permission: receive, roleAssignmentId: inherited });
    w.deleteAssignment(ra(sourceIds.eventHub, 2));

    const outcome = await handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.eventHub, 2)));

    expect(outcome).toMatchObject({ status: "processed", deleted: [], kept: [created.id] });
    expect(w.kusto.count("delete")).toBe(0);
    const record = await w.record(keyOf("mi-events"));
    expect(record?.status).toBe("Succeeded");
    expect(record?.binding.requirements[0]?.grants.map((g) => g.roleAssignmentId)).toEqual([inherited]);
    expect(await w.registry.findByRoleAssignment(inherited)).toHaveLength(1);
    expect(w.journal.of(created.id).at(-1)).toMatchObject({ action: "keep", phase: "completed" });
    expect(w.counts.kept).toBe(1);
  });

  it("touches nothing when the assignment still exists (a forged or stale event), and journals it", async () => {
    const w = createRevocationWorld();
    const created = await w.create("mi-events", miEventHub());
    const outcome = await handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.eventHub, 2)));
    expect(outcome).toMatchObject({ status: "stale", kept: [created.id] });
    // The connection holds that grant: the live listing shows it still there (no separate GET needed).
    expect(w.calls.getRoleAssignment).toBe(0);
    expect(w.verifier.calls.filter((c) => c.principal.objectId === ids.clusterPrincipal)).toHaveLength(2); // create + live check
    expect(w.kusto.count("delete")).toBe(0);
    expect(w.journal.of(created.id).at(-1)).toMatchObject({ action: "keep", phase: "skipped" });
    expect((await w.record(keyOf("mi-events")))?.status).toBe("Succeeded");
  });

  it("removes a cross-tenant connection when its grant in the partner tenant goes", async () => {
    const w = createRevocationWorld();
    const created = await w.create("partner", specs.partnerEventHub(), { sourceTenantId: ids.tenantB });
    expect(created.binding.principal.tenantId).toBe(ids.tenantB);
    const grant = ra(sourceIds.partnerNamespace, 5);
    w.deleteAssignment(grant);
    const outcome = await handleResourceEvent(w.deps, deleteAssignmentEvent(grant));
    expect(outcome.deleted).toEqual([created.id]);
    expect(w.verifier.calls.at(-1)?.principal.tenantId).toBe(ids.tenantB);
  });

  it("reads an assignment its candidates do not hold (found by scope) in their principals' tenant, and keeps them while it exists", async () => {
    const w = createRevocationWorld();
    const created = await w.create("partner", specs.partnerEventHub(), { sourceTenantId: ids.tenantB });
    const rgPartner = `/subscriptions/${ids.subB}/resourceGroups/rg-partner-demo`;
    const unrelated = ra(rgPartner, 6);
    w.verifier.grants.push({ principalObjectId: "22222222-6666-4666-8666-000000000001", scope: rgPartner, permission: "*", roleAssignmentId: unrelated });
    const seen: string[] = [];
    const read = w.deps.assignments.getRoleAssignment;
    w.deps.assignments = { getRoleAssignment: (tenant, id) => (seen.push(tenant), read(tenant, id)) };

    expect(await handleResourceEvent(w.deps, deleteAssignmentEvent(unrelated))).toMatchObject({ status: "stale", kept: [created.id] });
    w.deleteAssignment(unrelated);
    expect(await handleResourceEvent(w.deps, deleteAssignmentEvent(unrelated))).toMatchObject({ status: "processed", kept: [created.id], deleted: [] });
    expect(seen).toEqual([ids.tenantB.toLowerCase(), ids.tenantB.toLowerCase()]);
  });

  it("makes no ARM call and writes no ledger row when no managed connection is concerned", async () => {
    const w = createRevocationWorld();
    await w.create("mi-events", miEventHub());
    const kustoCalls = w.kusto.calls.length;
    const verifies = w.verifier.calls.length;
    const elsewhere = ra(`/subscriptions/${ids.subA}/resourceGroups/rg-other`, 8);
    const outcome = await handleResourceEvent(w.deps, deleteAssignmentEvent(elsewhere));
    expect(outcome.status).toBe("noCandidates");
    expect([w.calls.getRoleAssignment, w.calls.sourceExists, w.verifier.calls.length - verifies, w.kusto.calls.length - kustoCalls]).toEqual([0, 0, 0, 0]);
    expect(w.ledger.rows.size).toBe(0);
  });

  it("ignores, without reading the registry, events it does not act on", async () => {
    const w = createRevocationWorld();
    const write = { ...deleteAssignmentEvent(ra(rgSources, 1)), type: "Microsoft.Resources.ResourceWriteSuccess" };
    const failed = deleteAssignmentEvent(ra(rgSources, 1));
    failed.data = { ...failed.data!, status: "Failed" };
    const other = resourceEvent("Microsoft.Web/sites/delete", `${rgSources}/providers/Microsoft.Web/sites/app`);
    for (const event of [write, failed, other]) expect((await handleResourceEvent(w.deps, event)).status).toBe("ignored");
    expect(w.registry.calls.findByRoleAssignment + w.registry.calls.findBySourceScope).toBe(0);
  });

  it("matches the operation name case-insensitively, as Event Grid's filter does", async () => {
    const w = createRevocationWorld();
    const created = await w.create("mi-events", miEventHub());
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    const event = resourceEvent("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE", ra(sourceIds.eventHub, 2).toUpperCase());
    expect((await handleResourceEvent(w.deps, event)).deleted).toEqual([created.id]);
  });
});

describe("at-least-once, unordered, concurrent delivery", () => {
  it("a duplicate or replayed event is a no-op: one DELETE", async () => {
    const w = createRevocationWorld();
    await w.create("mi-events", miEventHub());
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    const event = deleteAssignmentEvent(ra(sourceIds.eventHub, 2));
    await handleResourceEvent(w.deps, event);
    // The tombstone left the indexes: the replay finds nothing to do before it even reaches the ledger.
    const again = await handleResourceEvent(w.deps, structuredClone(event));
    expect(again.status).toBe("noCandidates");
    expect(w.kusto.count("delete")).toBe(1);
    expect(w.notifier.published.filter((e) => e.type === "adx.connection.revoked")).toHaveLength(1);
  });

  it("a replayed event whose connection was kept is answered by the ledger, with no ARM call", async () => {
    const w = createRevocationWorld();
    await w.create("mi-events", miEventHub());
    w.verifier.grants.push({ principalObjectId: ids.clusterPrincipal, scope: rgSources, permission: receive, roleAssignmentId: ra(rgSources, 7) });
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    const event = deleteAssignmentEvent(ra(sourceIds.eventHub, 2));
    await handleResourceEvent(w.deps, event);
    const reads = [w.calls.getRoleAssignment, w.verifier.calls.length];
    // The kept connection's grants moved to the RG assignment, which still puts it under the event's scope.
    expect(await handleResourceEvent(w.deps, structuredClone(event))).toMatchObject({ status: "duplicate" });
    expect([w.calls.getRoleAssignment, w.verifier.calls.length]).toEqual(reads);
    expect(w.journal.entries.filter((e) => e.action === "keep")).toHaveLength(1);
  });

  it("the same event processed by two invocations at once yields one DELETE (ledger lease)", async () => {
    const w = createRevocationWorld();
    await w.create("mi-events", miEventHub());
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    const event = deleteAssignmentEvent(ra(sourceIds.eventHub, 2));
    const outcomes = await Promise.all([handleResourceEvent(w.deps, event), handleResourceEvent(w.deps, structuredClone(event))]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["inProgress", "processed"]);
    expect(w.kusto.count("delete")).toBe(1);
  });

  it("two different events racing for one connection yield one DELETE (registry ETag claim)", async () => {
    const w = createRevocationWorld();
    const created = await w.create("blobs", { ...specs.eventGrid(), properties: { ...specs.eventGrid().properties, managedIdentityResourceId: clusterId } });
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    w.deleteAssignment(ra(sourceIds.storage, 3));
    const outcomes = await Promise.all([
      handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.eventHub, 2))),
      handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.storage, 3))),
    ]);
    expect(w.kusto.count("delete")).toBe(1);
    expect(outcomes.flatMap((o) => o.deleted)).toContain(created.id);
    expect(w.notifier.published.filter((e) => e.type === "adx.connection.revoked")).toHaveLength(1);
  });

  it("an assignment re-created after the delete event keeps the connection (live check)", async () => {
    const w = createRevocationWorld();
    await w.create("mi-events", miEventHub());
    const event = deleteAssignmentEvent(ra(sourceIds.eventHub, 2));
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    w.verifier.grants.push({ principalObjectId: ids.clusterPrincipal, scope: sourceIds.eventHub, permission: receive, roleAssignmentId: ra(sourceIds.eventHub, 9) });
    const outcome = await handleResourceEvent(w.deps, event);
    expect(outcome.kept).toHaveLength(1);
    expect(w.kusto.count("delete")).toBe(0);
  });

  it("a failure rethrows, releases the event and counts the attempt; the redelivery finishes the job once", async () => {
    const w = createRevocationWorld();
    const created = await w.create("mi-events", miEventHub());
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    const event = deleteAssignmentEvent(ra(sourceIds.eventHub, 2));
    w.kusto.failNextWrite = new AppError("throttled", "KustoThrottled", "429");

    await expect(handleResourceEvent(w.deps, event)).rejects.toThrow("429");
    expect(w.failures.records.get(event.id)).toMatchObject({ attempts: 1, lastError: { code: "KustoThrottled" }, topic: event.topic });
    expect((await w.record(keyOf("mi-events")))?.status).toBe("Deleting");
    expect(w.journal.of(created.id).filter((e) => e.action === "revoke").map((e) => e.phase)).toEqual(["intent", "failed"]);

    const redelivered = await handleResourceEvent(w.deps, structuredClone(event));
    expect(redelivered.deleted).toEqual([created.id]);
    expect((await w.record(keyOf("mi-events")))?.status).toBe("Deleted");
    expect(w.notifier.published.filter((e) => e.type === "adx.connection.revoked")).toHaveLength(1);
    expect(await handleResourceEvent(w.deps, structuredClone(event))).toMatchObject({ status: "noCandidates" });
  });

  it("another event does not take over a connection this event is deleting (the lease on the record)", async () => {
    const w = createRevocationWorld();
    await w.create("blobs", { ...specs.eventGrid(), properties: { ...specs.eventGrid().properties, managedIdentityResourceId: clusterId } });
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    w.deleteAssignment(ra(sourceIds.storage, 3));
    w.kusto.failNextWrite = new AppError("upstream", "KustoUnavailable", "503");
    await expect(handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.eventHub, 2)))).rejects.toThrow();
    const second = await handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.storage, 3)));
    expect(second.deleted).toEqual([]);
    expect(w.kusto.count("delete")).toBe(1);
  });
});

describe("report mode", () => {
  it("journals and notifies without deleting", async () => {
    const w = createRevocationWorld({ mode: "report" });
    const created = await w.create("mi-events", miEventHub());
    w.deleteAssignment(ra(sourceIds.eventHub, 2));
    const outcome = await handleResourceEvent(w.deps, deleteAssignmentEvent(ra(sourceIds.eventHub, 2)));
    expect(outcome).toMatchObject({ reported: [created.id], deleted: [] });
    expect(w.kusto.count("delete")).toBe(0);
    expect((await w.record(keyOf("mi-events")))?.status).toBe("Succeeded");
    expect(w.journal.of(created.id).at(-1)).toMatchObject({ action: "revoke", phase: "skipped" });
    expect(w.notifier.published.find((e) => e.type === "adx.connection.revoked")?.data).toMatchObject({ enforced: false });
  });
});

describe("source, cluster and database deletions", () => {
  it("removes every connection on a deleted Event Hubs namespace, once the namespace reads 404", async () => {
    const w = createRevocationWorld();
    const key = await w.create("key-events", specs.eventHub());
    const mi = await w.create("mi-events", miEventHub());
    const iot = await w.create("devices", specs.iotHub());
    const event = resourceEvent("Microsoft.EventHub/namespaces/delete", sourceIds.namespace);

    expect((await handleResourceEvent(w.deps, event)).status).toBe("stale"); // still there: forged or stale
    w.deletedSources.add(sourceIds.namespace.toLowerCase());
    const outcome = await handleResourceEvent(w.deps, { ...event, id: "evt-namespace-2" });

    expect(outcome.deleted.sort()).toEqual([key.id, mi.id].sort());
    expect((await w.record(keyOf("devices")))?.status).toBe("Succeeded");
    expect(iot.status).toBe("Succeeded");
    expect(w.counts.deleted).toEqual(["sourceDeleted", "sourceDeleted"]);
  });

  it("a deleted consumer group removes only the connections reading through it", async () => {
    const w = createRevocationWorld();
    const adx = await w.create("adx-group", specs.eventHub());
    await w.create("other-group", { ...specs.eventHub(), properties: { ...specs.eventHub().properties, consumerGroup: "other" } });
    const group = `${sourceIds.eventHub}/consumergroups/adx`;
    w.deletedSources.add(group.toLowerCase());
    const outcome = await handleResourceEvent(w.deps, resourceEvent("Microsoft.EventHub/namespaces/eventhubs/consumergroups/delete", group));
    expect(outcome.deleted).toEqual([adx.id]);
    expect((await w.record(keyOf("other-group")))?.status).toBe("Succeeded");
  });

  it("a deleted database settles its records without calling Kusto", async () => {
    const w = createRevocationWorld();
    const created = await w.create("mi-events", miEventHub());
    const database = `${clusterId}/databases/telemetry`;
    w.deletedSources.add(database.toLowerCase());
    const before = w.kusto.calls.length;
    const outcome = await handleResourceEvent(w.deps, resourceEvent("Microsoft.Kusto/clusters/databases/delete", database));
    expect(outcome.deleted).toEqual([created.id]);
    expect(w.kusto.calls.length).toBe(before);
    expect((await w.record(keyOf("mi-events")))?.status).toBe("Deleted");
    expect(w.notifier.published.at(-1)).toMatchObject({ type: "adx.connection.deleted", subject: created.id });
  });
});

describe("revocation correlation", () => {
  it("runs an event's live checks and its DELETE under the deleter's ARM correlation ID", async () => {
    const w = createRevocationWorld();
    await w.create("corr-events", miEventHub());
    const grant = ra(sourceIds.eventHub, 2);
    w.deleteAssignment(grant);
    const event = deleteAssignmentEvent(grant);
    const seen: (string | undefined)[] = [];
    const deleteOf = w.deps.kusto.delete.bind(w.deps.kusto);
    const deps = { ...w.deps, kusto: { ...w.deps.kusto, delete: (...args: Parameters<typeof deleteOf>) => (seen.push(currentCorrelationId()), deleteOf(...args)) } };

    await createRevocationHandler(deps).handle(event);

    expect(seen).toEqual([event.data?.correlationId]);
    expect(currentCorrelationId()).toBeUndefined();
  });
});

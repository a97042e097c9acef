// Deleting: journalled, tombstoned (indexes dropped), notified; 202 for a slow Kusto; idempotent; only what
// the registry manages.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../../src/lib/errors";
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import { createConnectionsWorld, keyOf, specs, writer } from "../../../support/fakes/connectionsWorld";

async function withConnection(name = "events") {
  const world = createConnectionsWorld();
  const service = createConnectionsService(world.deps);
  const created = await service.upsert({ caller: writer(), key: keyOf(name), spec: specs.eventHub(), access: {}, correlationId: "c" });
  if (!created.ok) throw created.error;
  return { ...world, service, connection: created.value.connection };
}

describe("deleting a connection", () => {
  it("deletes it in Kusto, keeps a tombstone without grants or sources, journals and notifies", async () => {
    const w = await withConnection();
    expect(await w.registry.findByRoleAssignment(w.connection.binding.requirements[0]!.grants[0]!.roleAssignmentId)).toHaveLength(1);
    const result = await w.service.delete(writer(), keyOf("events"), "d1");
    expect(result).toEqual({ ok: true, value: { status: "deleted" } });
    expect(w.kusto.connections.size).toBe(0);
    const tombstone = await w.registry.get(keyOf("events"));
    expect(tombstone?.status).toBe("Deleted");
    expect(tombstone?.sourceResourceIds).toEqual([]);
    expect(await w.registry.findByRoleAssignment(w.connection.binding.requirements[0]!.grants[0]!.roleAssignmentId)).toEqual([]);
    const journal = w.journal.of(w.connection.id).filter((e) => e.action === "delete");
    expect(journal.map((e) => e.phase)).toEqual(["intent", "completed"]);
    expect(journal[0]?.before).toMatchObject({ status: "Succeeded" });
    expect(w.notifier.published.map((e) => e.type)).toEqual(["adx.connection.created", "adx.connection.deleted"]);
    // Reading it now says not found; its journal stays readable.
    expect((await w.service.get(writer(), keyOf("events"))).ok).toBe(false);
    const history = await w.service.journal(writer(), keyOf("events"), { pageSize: 10 });
    expect(history.ok && history.value.items[0]?.action).toBe("delete");
  });

  it("is idempotent: deleting a deleted connection is a no-op", async () => {
    const w = await withConnection();
    await w.service.delete(writer(), keyOf("events"), "d1");
    const calls = w.kusto.calls.length;
    expect(await w.service.delete(writer(), keyOf("events"), "d2")).toEqual({ ok: true, value: { status: "deleted" } });
    expect(w.kusto.calls.length).toBe(calls);
  });

  it("refuses connections the registry does not manage (404), leaving Kusto alone", async () => {
    const w = await withConnection();
    w.kusto.seed(keyOf("unmanaged"), specs.iotHub());
    const result = await w.service.delete(writer(), keyOf("unmanaged"), "d");
    expect(result.ok || result.error).toMatchObject({ kind: "notFound", code: "ConnectionNotFound" });
    expect(w.kusto.count("delete")).toBe(0);
  });

  it("answers accepted when Kusto's delete outlives the wait; polling the operation finishes the tombstone", async () => {
    const w = await withConnection();
    w.kusto.pollsToFinish = 1;
    const result = await w.service.delete(writer(), keyOf("events"), "d1");
    if (!result.ok || result.value.status !== "accepted") throw new Error("expected accepted");
    expect((await w.registry.get(keyOf("events")))?.status).toBe("Deleting");
    // A second DELETE meanwhile answers with the same operation.
    expect(await w.service.delete(writer(), keyOf("events"), "d2")).toEqual({ ok: true, value: result.value });
    const op = await w.service.getOperation(writer(), result.value.operationId);
    expect(op.ok && op.value).toMatchObject({ kind: "delete", status: "Succeeded" });
    expect((await w.registry.get(keyOf("events")))?.status).toBe("Deleted");
    expect(w.notifier.published.map((e) => e.type)).toContain("adx.connection.deleted");
    const phases = w.journal.entries.filter((e) => e.action === "delete").map((e) => e.phase);
    expect(phases).toEqual(["intent", "completed"]);
  });

  it("journals a refused delete as failed and keeps the record", async () => {
    const w = await withConnection();
    w.kusto.failNextWrite = new AppError("forbidden", "ArmAuthorizationFailed", "no");
    const result = await w.service.delete(writer(), keyOf("events"), "d1");
    expect(result.ok || result.error).toMatchObject({ code: "ArmAuthorizationFailed" });
    expect((await w.registry.get(keyOf("events")))?.status).toBe("Succeeded");
    expect(w.journal.entries.filter((e) => e.action === "delete").map((e) => e.phase)).toEqual(["intent", "failed"]);
  });

  it("needs Connections.Write and the policy's consent", async () => {
    const w = await withConnection();
    expect(await w.service.delete(writer(["Connections.Read"]), keyOf("events"), "d")).toMatchObject({ ok: false, error: { code: "MissingAppRole" } });
    w.policy.deny = (_c, r) => (r.action === "write" ? "SourceNotAllowed" : undefined);
    expect(await w.service.delete(writer(), keyOf("events"), "d")).toMatchObject({ ok: false, error: { code: "SourceNotAllowed" } });
    expect(w.kusto.count("delete")).toBe(0);
  });
});

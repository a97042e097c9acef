// Reading: get (refreshing a running operation), list (policy-filtered, tombstones hidden, paged), journal,
// operations; each behind Connections.Read and the policy.
import { describe, expect, it } from "vitest";
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import { toOperationId } from "../../../../src/lib/connections/operationId";
import { createConnectionsWorld, keyOf, specs, writer } from "../../../support/fakes/connectionsWorld";

const reader = () => writer(["Connections.Read"]);

async function world(names: string[]) {
  const w = createConnectionsWorld();
  const service = createConnectionsService(w.deps);
  for (const name of names) {
    const r = await service.upsert({ caller: writer(), key: keyOf(name, name.startsWith("audit") ? "audit" : "telemetry"), spec: specs.eventHub(), access: {}, correlationId: name });
    if (!r.ok) throw r.error;
  }
  return { ...w, service };
}

describe("reading connections", () => {
  it("gets a connection with its binding, and 404 for one that is not managed", async () => {
    const w = await world(["events"]);
    const got = await w.service.get(reader(), keyOf("events"));
    expect(got.ok && got.value).toMatchObject({ status: "Succeeded", authMode: "key", binding: { principal: { kind: "appIdentity" } } });
    expect(await w.service.get(reader(), keyOf("nope"))).toMatchObject({ ok: false, error: { kind: "notFound", code: "ConnectionNotFound" } });
  });

  it("refreshes a running operation when read, and records its end", async () => {
    const w = createConnectionsWorld();
    w.kusto.pollsToFinish = 1;
    const service = createConnectionsService(w.deps);
    await service.upsert({ caller: writer(), key: keyOf("slow"), spec: specs.eventHub(), access: {}, correlationId: "s" });
    const got = await service.get(reader(), keyOf("slow"));
    expect(got.ok && got.value.status).toBe("Succeeded");
    expect(w.notifier.published.map((e) => e.type)).toEqual(["adx.connection.created"]);
  });

  it("lists only what the policy lets the caller read, without tombstones, page by page", async () => {
    const w = await world(["a", "b", "c", "audit-1"]);
    await w.service.delete(writer(), keyOf("b"), "d");
    w.policy.deny = (_c, r) => (r.action === "read" && r.database === "audit" ? "DatabaseNotAllowed" : undefined);
    const first = await w.service.list(reader(), {}, { pageSize: 3 });
    if (!first.ok) throw first.error;
    // The registry's first page holds audit-1, a and b: the policy hides audit-1, b is a tombstone.
    expect(first.value.items.map((c) => c.key.name)).toEqual(["a"]);
    expect(first.value.continuationToken).toBeDefined();
    const second = await w.service.list(reader(), {}, { pageSize: 3, continuationToken: first.value.continuationToken });
    expect(second.ok && second.value.items.map((c) => c.key.name)).toEqual(["c"]);
    expect(second.ok && second.value.continuationToken).toBeUndefined();
    const deleted = await w.service.list(reader(), { status: "Deleted" }, { pageSize: 10 });
    expect(deleted.ok && deleted.value.items.map((c) => c.key.name)).toEqual(["b"]);
  });

  it("needs Connections.Read (or Write) to read anything", async () => {
    const w = await world(["events"]);
    const nobody = writer([]);
    for (const result of [
      await w.service.get(nobody, keyOf("events")),
      await w.service.list(nobody, {}, { pageSize: 5 }),
      await w.service.journal(nobody, keyOf("events"), { pageSize: 5 }),
    ]) {
      expect(result).toMatchObject({ ok: false, error: { kind: "forbidden", code: "MissingAppRole" } });
    }
  });

  it("pages the journal newest first", async () => {
    const w = await world(["events"]);
    const page = await w.service.journal(reader(), keyOf("events"), { pageSize: 1 });
    if (!page.ok) throw page.error;
    expect(page.value.items.map((e) => e.phase)).toEqual(["completed"]);
    const next = await w.service.journal(reader(), keyOf("events"), { pageSize: 1, continuationToken: page.value.continuationToken });
    expect(next.ok && next.value.items.map((e) => e.phase)).toEqual(["intent"]);
  });

  it("finds an operation by ID even after it ended, and nothing for IDs that are not the connection's", async () => {
    const w = await world(["events"]);
    const record = await w.registry.get(keyOf("events"));
    const op = await w.service.getOperation(reader(), record!.operation!.id);
    expect(op.ok && op.value).toMatchObject({ status: "Succeeded", kind: "create" });
    expect(await w.service.getOperation(reader(), toOperationId(keyOf("events"), "other"))).toMatchObject({ ok: false, error: { code: "OperationNotFound" } });
    expect(await w.service.getOperation(reader(), "garbage")).toMatchObject({ ok: false, error: { code: "OperationNotFound" } });
  });
});

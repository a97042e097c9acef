// Deterministic interleavings of concurrent requests on one name over the fakes: the record is claimed before
// the ARM write, so exactly one request reaches ARM per change and a DELETE can never tombstone a connection a
// PUT is still writing.
import { describe, expect, it } from "vitest";
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import type { ConnectionsDeps } from "../../../../src/lib/connections/deps";
import type { UpsertInput } from "../../../../src/lib/connections/service";
import { createConnectionsWorld, keyOf, specs, writer } from "../../../support/fakes/connectionsWorld";

const put = (name: string, spec = specs.eventHub()): UpsertInput => ({ caller: writer(), key: keyOf(name), spec, access: {}, correlationId: `put-${name}` });

function setup() {
  const world = createConnectionsWorld();
  const real = world.deps.kusto;
  /** Runs `during` inside the next ARM write or delete, after Kusto has applied it (the request is between ARM and its record). */
  const hooks: { afterWrite?: () => Promise<void>; afterDelete?: () => Promise<void> } = {};
  const kusto: ConnectionsDeps["kusto"] = {
    ...real,
    async createOrUpdate(key, spec, auth, options) {
      const state = await real.createOrUpdate(key, spec, auth, options);
      const hook = hooks.afterWrite;
      hooks.afterWrite = undefined;
      await hook?.();
      return state;
    },
    async delete(key, options) {
      const state = await real.delete(key, options);
      const hook = hooks.afterDelete;
      hooks.afterDelete = undefined;
      await hook?.();
      return state;
    },
  };
  world.deps.kusto = kusto;
  let clock = Date.parse("2025-06-01T12:00:00.000Z");
  world.deps.now = () => new Date(clock);
  return { ...world, hooks, service: createConnectionsService(world.deps), advance: (ms: number) => (clock += ms) };
}

const openIntents = (entries: { id: string; phase: string; intentId?: string }[]) => {
  const ended = new Set(entries.filter((e) => e.phase !== "intent").map((e) => e.intentId));
  return entries.filter((e) => e.phase === "intent" && !ended.has(e.id));
};

describe("PUT and DELETE of one name interleaved", () => {
  it("a DELETE arriving while a create is between its Kusto write and its record is refused (409 OperationInProgress) and the connection stays managed", async () => {
    const w = setup();
    let during: unknown;
    w.hooks.afterWrite = async () => {
      during = await w.service.delete(writer(), keyOf("raced"), "del");
    };
    const created = await w.service.upsert(put("raced"));
    expect(created.ok && created.value.status).toBe("created");
    expect(during).toMatchObject({ ok: false, error: { kind: "conflict", code: "OperationInProgress" } });
    expect(w.kusto.count("delete")).toBe(0);
    expect((await w.registry.get(keyOf("raced")))?.status).toBe("Succeeded");
    expect(w.kusto.connections.size).toBe(1);
    // Once the create has ended, the DELETE goes through: nothing is left in Kusto, the record is a tombstone.
    expect(await w.service.delete(writer(), keyOf("raced"), "del2")).toEqual({ ok: true, value: { status: "deleted" } });
    expect(w.kusto.connections.size).toBe(0);
    expect(openIntents(w.journal.entries)).toEqual([]);
  });

  it("a PUT arriving while a DELETE is between its Kusto delete and its tombstone is refused, and a later PUT re-creates the connection (never NameNotAvailable)", async () => {
    const w = setup();
    expect((await w.service.upsert(put("raced"))).ok).toBe(true);
    let during: unknown;
    w.hooks.afterDelete = async () => {
      during = await w.service.upsert(put("raced"));
    };
    expect(await w.service.delete(writer(), keyOf("raced"), "del")).toEqual({ ok: true, value: { status: "deleted" } });
    expect(during).toMatchObject({ ok: false, error: { code: "OperationInProgress" } });
    expect(w.kusto.count("createOrUpdate")).toBe(1);
    const again = await w.service.upsert(put("raced"));
    expect(again.ok && again.value.status).toBe("created");
    expect((await w.registry.get(keyOf("raced")))?.status).toBe("Succeeded");
    expect(w.kusto.connections.size).toBe(1);
  });
});

describe("concurrent DELETEs of one name", () => {
  it("a DELETE arriving while another is at ARM follows its operation and sends no ARM DELETE of its own", async () => {
    const w = setup();
    expect((await w.service.upsert(put("twice"))).ok).toBe(true);
    let during: unknown;
    w.hooks.afterDelete = async () => {
      during = await w.service.delete(writer(), keyOf("twice"), "second");
    };
    expect(await w.service.delete(writer(), keyOf("twice"), "first")).toEqual({ ok: true, value: { status: "deleted" } });
    const record = await w.registry.get(keyOf("twice"));
    expect(during).toEqual({ ok: true, value: { status: "accepted", operationId: record?.operation?.id } });
    expect(w.kusto.count("delete")).toBe(1);
    expect(w.notifier.published.filter((e) => e.type === "adx.connection.deleted")).toHaveLength(1);
  });

  it("two DELETEs that both read the record before either claims it: the second claim is refused by the ETag, one ARM DELETE, both answer deleted", async () => {
    const w = setup();
    expect((await w.service.upsert(put("twice"))).ok).toBe(true);
    let other: unknown;
    w.registry.beforeNextSave = async () => {
      // The other instance claims, deletes and records first, between this request's read and its claim.
      other = await createConnectionsService(w.deps).delete(writer(), keyOf("twice"), "other");
    };
    expect(await w.service.delete(writer(), keyOf("twice"), "this")).toEqual({ ok: true, value: { status: "deleted" } });
    expect(other).toEqual({ ok: true, value: { status: "deleted" } });
    expect(w.kusto.count("delete")).toBe(1);
    const phases = w.journal.entries.filter((e) => e.action === "delete").map((e) => `${e.correlationId}:${e.phase}`);
    expect(phases.sort()).toEqual(["other:completed", "other:intent", "this:intent", "this:skipped"]);
  });
});

describe("a claim whose request died", () => {
  /** The process dies inside the ARM write, before (nothing reached Kusto) or after Kusto applied it. */
  async function deadClaim(when: "beforeArm" | "afterArm") {
    const w = setup();
    const kill = () => {
      // Nothing after this point runs: the claim's release fails too.
      w.registry.beforeNextSave = () => {
        throw new Error("dead");
      };
      throw new Error("dead");
    };
    const alive = w.deps.kusto;
    if (when === "beforeArm") w.deps.kusto = { ...alive, createOrUpdate: async () => kill() };
    else w.hooks.afterWrite = async () => kill();
    await createConnectionsService(w.deps).upsert(put("orphan")).catch(() => undefined);
    w.deps.kusto = alive;
    w.registry.beforeNextSave = undefined;
    const claim = await w.registry.get(keyOf("orphan"));
    expect(claim).toMatchObject({ status: "Provisioning", operation: { kind: "create" } });
    expect(claim?.operation?.claimedUntil).toBeDefined();
    return w;
  }

  it("holds off other writers until its lease runs out: a DELETE gets 409 with Retry-After", async () => {
    const w = await deadClaim("beforeArm");
    const refused = await w.service.delete(writer(), keyOf("orphan"), "del");
    expect(refused.ok || refused.error).toMatchObject({ code: "OperationInProgress" });
    expect(!refused.ok && refused.error.retryAfterInSeconds).toBeGreaterThan(0);
    expect(w.kusto.count("delete")).toBe(0);
  });

  it("an identical PUT within the lease follows the claim's operation (202) and sends no ARM write", async () => {
    const w = await deadClaim("beforeArm");
    const followed = await w.service.upsert(put("orphan"));
    const claim = await w.registry.get(keyOf("orphan"));
    expect(followed.ok && followed.value).toMatchObject({ status: "accepted", operationId: claim?.operation?.id });
    expect(w.kusto.count("createOrUpdate")).toBe(0);
  });

  it("is taken over by the next PUT once the lease has run out, which creates the connection (201)", async () => {
    const w = await deadClaim("beforeArm");
    w.advance(w.deps.settings.kustoWaitInMs + 121_000);
    const taken = await w.service.upsert(put("orphan"));
    expect(taken.ok && taken.value.status).toBe("created");
    expect(w.kusto.count("createOrUpdate")).toBe(1);
    expect((await w.registry.get(keyOf("orphan")))?.status).toBe("Succeeded");
  });

  it("when Kusto already shows the claimed connection, the next PUT records it from Kusto's view without writing again", async () => {
    const w = await deadClaim("afterArm");
    const writes = w.kusto.count("createOrUpdate");
    const next = await w.service.upsert(put("orphan"));
    expect(next.ok && next.value.status).toBe("unchanged");
    expect(w.kusto.count("createOrUpdate")).toBe(writes);
    const record = await w.registry.get(keyOf("orphan"));
    expect(record?.status).toBe("Succeeded");
    expect(record?.operation?.claimedUntil).toBeUndefined();
    // The dead attempt's intent is closed by the poll that recorded the end.
    expect(w.journal.entries.find((e) => e.phase === "completed" && e.intentId === record?.operation?.intentId)).toBeDefined();
  });
});

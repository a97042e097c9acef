import { describe, expect, it } from "vitest";
import { adoptConnection, specFromKusto } from "../../../../src/lib/audit/adoptConnection";
import { clusterId, ids, keyOf, specs, writer, createConnectionsWorld } from "../../../support/fakes/connectionsWorld";

describe("adopt", () => {
  it("records a key-based connection Kusto has, bound to the app's identity after a live check, without writing to Kusto", async () => {
    const w = createConnectionsWorld();
    w.kusto.seed(keyOf("stray"), specs.eventHub());
    const result = await adoptConnection(w.deps, { caller: writer(), key: keyOf("stray"), access: {}, correlationId: "c1" });
    expect(result.ok).toBe(true);
    const saved = await w.registry.get(keyOf("stray"));
    expect(saved).toMatchObject({ authMode: "key", status: "Succeeded", binding: { principal: { kind: "appIdentity", objectId: ids.appPrincipal } }, spec: specs.eventHub() });
    expect(saved?.binding.requirements.every((r) => r.granted)).toBe(true);
    expect(w.kusto.count("createOrUpdate") + w.kusto.count("validate")).toBe(0);
    expect(w.journal.of(saved!.id).map((e) => [e.action, e.phase])).toEqual([
      ["adopt", "intent"],
      ["adopt", "completed"],
    ]);
    expect(w.notifier.published.map((e) => e.type)).toEqual(["adx.connection.created"]);
  });

  it("binds an identity-based connection to the cluster's identity named in its properties", async () => {
    const w = createConnectionsWorld();
    const mi = { ...specs.eventHub(), properties: { ...specs.eventHub().properties, managedIdentityResourceId: clusterId } };
    w.kusto.seed(keyOf("mi"), mi);
    const result = await adoptConnection(w.deps, { caller: writer(), key: keyOf("mi"), access: {}, correlationId: "c1" });
    expect(result.ok && result.value.binding.principal).toMatchObject({ kind: "clusterIdentity", objectId: ids.clusterPrincipal });
  });

  it("refuses when the binding principal lacks access (403 RequirementNotGranted), recording nothing", async () => {
    const w = createConnectionsWorld();
    w.verifier.grants = [];
    w.kusto.seed(keyOf("stray"), specs.eventHub());
    const result = await adoptConnection(w.deps, { caller: writer(), key: keyOf("stray"), access: {}, correlationId: "c1" });
    expect(!result.ok && [result.error.kind, result.error.code]).toEqual(["forbidden", "RequirementNotGranted"]);
    expect(w.registry.calls.save).toBe(0);
    expect(w.journal.entries).toEqual([]);
  });

  it("refuses an already managed connection (409), one Kusto lacks (404), and a caller without Connections.Write", async () => {
    const w = createConnectionsWorld();
    expect(await adoptConnection(w.deps, { caller: writer(), key: keyOf("none"), access: {}, correlationId: "c" })).toMatchObject({ ok: false, error: { code: "ConnectionNotInKusto" } });
    w.kusto.seed(keyOf("a"), specs.eventHub());
    await adoptConnection(w.deps, { caller: writer(), key: keyOf("a"), access: {}, correlationId: "c" });
    expect(await adoptConnection(w.deps, { caller: writer(), key: keyOf("a"), access: {}, correlationId: "c" })).toMatchObject({ ok: false, error: { code: "AlreadyManaged" } });
    expect(await adoptConnection(w.deps, { caller: writer(["Connections.Read"]), key: keyOf("a"), access: {}, correlationId: "c" })).toMatchObject({ ok: false, error: { code: "MissingAppRole" } });
  });

  it("asks the policy with the sources of Kusto's connection", async () => {
    const w = createConnectionsWorld();
    w.kusto.seed(keyOf("stray"), specs.eventHub());
    w.policy.deny = (_c, r) => ((r.sourceResourceIds ?? []).length > 0 ? "SourceNotAllowed" : undefined);
    const result = await adoptConnection(w.deps, { caller: writer(), key: keyOf("stray"), access: {}, correlationId: "c" });
    expect(!result.ok && result.error.code).toBe("SourceNotAllowed");
  });

  it("keeps Kusto's spec without its read-only properties", () => {
    expect(specFromKusto({ id: "x", name: "x", kind: "eventhub", properties: { a: 1, provisioningState: "Succeeded", managedIdentityObjectId: "o" } })).toEqual({ kind: "EventHub", properties: { a: 1 } });
  });
});

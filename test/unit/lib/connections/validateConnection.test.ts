// The dry run: every problem at once, the binding it would have, and never a write.
import { describe, expect, it } from "vitest";
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import type { UpsertInput } from "../../../../src/lib/connections/service";
import { clusterId, createConnectionsWorld, ids, keyOf, specs, writer } from "../../../support/fakes/connectionsWorld";

function setup() {
  const world = createConnectionsWorld();
  return { ...world, service: createConnectionsService(world.deps) };
}
const input = (name: string, spec = specs.eventHub(), access: UpsertInput["access"] = {}): UpsertInput => ({ caller: writer(), key: keyOf(name), spec, access, correlationId: "v" });

function expectNothingWritten(w: ReturnType<typeof setup>) {
  expect(w.registry.calls.save).toBe(0);
  expect(w.journal.entries).toEqual([]);
  expect(w.kusto.count("createOrUpdate") + w.kusto.count("delete")).toBe(0);
  expect(w.notifier.published).toEqual([]);
}

describe("validating a connection", () => {
  it("reports valid with the binding it would have, and writes nothing", async () => {
    const w = setup();
    const result = await w.service.validate(input("events"));
    if (!result.ok) throw result.error;
    expect(result.value.valid).toBe(true);
    expect(result.value.problems).toEqual([]);
    expect(result.value.binding?.principal).toMatchObject({ kind: "appIdentity", objectId: ids.appPrincipal });
    expect(result.value.binding?.requirements.every((r) => r.granted)).toBe(true);
    expect(w.kusto.calls.map((c) => c.method).sort()).toEqual(["checkNameAvailability", "validate"]);
    expectNothingWritten(w);
  });

  it("collects every problem at once: access not granted, name taken, and each of Kusto's messages", async () => {
    const w = setup();
    w.verifier.grants = [];
    w.kusto.seed(keyOf("taken"), specs.iotHub());
    w.kusto.validationMessages = () => ["Consumer group 'adx' not found.", "Table 'Blobs' not found."];
    const result = await w.service.validate(input("taken", specs.eventGrid(), { managedIdentityResourceId: clusterId }));
    if (!result.ok) throw result.error;
    expect(result.value.valid).toBe(false);
    const codes = result.value.problems.map((p) => p.code);
    expect(codes.filter((c) => c === "RequirementNotGranted")).toHaveLength(2);
    expect(codes).toContain("NameNotAvailable");
    expect(codes.filter((c) => c === "KustoValidationFailed")).toHaveLength(2);
    expect(result.value.binding?.requirements.some((r) => r.granted)).toBe(false);
    expectNothingWritten(w);
  });

  it("reports input and policy problems together, and then makes no ARM call for a refused caller", async () => {
    const w = setup();
    w.policy.deny = () => "ClusterNotAllowed";
    const spec = specs.eventHub();
    spec.properties.managedIdentityResourceId = clusterId;
    const result = await w.service.validate(input("x", spec, { mode: "key" }));
    if (!result.ok) throw result.error;
    expect(result.value.problems.map((p) => p.code)).toEqual(["ManagedIdentityInKeyMode", "ClusterNotAllowed"]);
    expect(w.kusto.calls).toEqual([]);
    expect(w.registry.calls.get).toBe(0);
    expectNothingWritten(w);
  });

  it("reports a source tenant that is not allowed as a problem", async () => {
    const w = createConnectionsWorld({ sourceTenants: [] });
    const service = createConnectionsService(w.deps);
    const result = await service.validate(input("p", specs.partnerEventHub(), { sourceTenantId: ids.tenantB }));
    if (!result.ok) throw result.error;
    expect(result.value.problems.map((p) => p.code)).toContain("SourceTenantNotAllowed");
    // Kusto's own validation still runs (without an auxiliary token it reports the linked-tenant refusal).
    expect(w.kusto.count("validate")).toBe(1);
  });

  it("does not report the name of a connection the app already manages as taken", async () => {
    const w = setup();
    await w.service.upsert(input("events"));
    const result = await w.service.validate(input("events"));
    expect(result.ok && result.value).toMatchObject({ valid: true, problems: [] });
  });

  it("needs Connections.Write", async () => {
    const w = setup();
    const result = await w.service.validate({ ...input("events"), caller: writer(["Connections.Read"]) });
    expect(result.ok || result.error).toMatchObject({ kind: "forbidden", code: "MissingAppRole" });
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Problem, Result } from "../../../../src/lib/errors";
import { parseConnectionKey } from "../../../../src/lib/connections/schema/parseConnectionKey";
import { parseUpsertRequest } from "../../../../src/lib/connections/schema/parseUpsertRequest";
import { demo, validBody } from "./arbitraries";

const problemsOf = (result: Result<unknown>): Problem[] => {
  if (result.ok) throw new Error("expected the request to be refused");
  expect(result.error.kind).toBe("validation");
  expect(result.error.code).toBe("InvalidRequest");
  return result.error.problems;
};
const clone = <T>(v: T): T => structuredClone(v);

describe("parseUpsertRequest", () => {
  it("accepts every valid body of every kind and keeps its properties", () => {
    fc.assert(
      fc.property(validBody, (body) => {
        const result = parseUpsertRequest(body);
        if (!result.ok) throw new Error(JSON.stringify(result.error.problems));
        expect(result.value.spec.kind).toBe(body.kind);
        expect(result.value.spec.properties).toEqual(body.properties);
        const mi = (body.properties as Record<string, unknown>).managedIdentityResourceId;
        expect(result.value.access.mode).toBe(mi ? "managedIdentity" : "key");
      }),
    );
  });

  it("accepts the request bodies of the Kusto spec's CreateOrUpdate examples", () => {
    const dir = join(__dirname, "../../../integration/emulator/conformance/kusto");
    for (const file of ["KustoDataConnectionsCreateOrUpdate.json", "KustoDataConnectionsEventGridCreateOrUpdate.json", "KustoDataConnectionsCosmosDbCreateOrUpdate.json"]) {
      const example = JSON.parse(readFileSync(join(dir, file), "utf8")) as { parameters: { parameters: unknown } };
      const result = parseUpsertRequest(example.parameters.parameters);
      expect(result.ok ? [] : result.error.problems, file).toEqual([]);
    }
  });

  // One corruption per field kind, with the pointer it must be reported at.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generated bodies are mutated freely here
  type Body = Record<string, any>;
  const corruptions: { name: string; apply(body: Body): string }[] = [
    { name: "a required property removed", apply: (b) => { const key = requiredOf(b.kind)[0] as string; delete b.properties[key]; return `/properties/${key}`; } },
    { name: "a resource ID of the wrong provider", apply: (b) => { const key = resourceIdOf(b.kind); b.properties[key] = demo.clusterResourceId; return `/properties/${key}`; } },
    { name: "a resource ID with a trailing slash", apply: (b) => { const key = resourceIdOf(b.kind); b.properties[key] = `${b.properties[key]}/`; return `/properties/${key}`; } },
    { name: "a number where a string belongs", apply: (b) => { b.properties.tableName = 42; return "/properties/tableName"; } },
    { name: "an unknown property", apply: (b) => { b.properties.surprise = true; return "/properties/surprise"; } },
    { name: "a read-only property", apply: (b) => { b.properties.provisioningState = "Succeeded"; return "/properties/provisioningState"; } },
    { name: "an unknown top-level field", apply: (b) => { b.type = "Microsoft.Kusto/clusters/databases/dataConnections"; return "/type"; } },
    { name: "a bad location", apply: (b) => { b.location = "west\neurope"; return "/location"; } },
    { name: "a bad source tenant", apply: (b) => { b.access = { ...(b.access ?? {}), sourceTenantId: "tenant-b" }; return "/access/sourceTenantId"; } },
    { name: "an unknown kind", apply: (b) => { b.kind = "EventHubWithManagedIdentity"; return "/kind"; } },
    { name: "properties not an object", apply: (b) => { b.properties = ["x"]; return "/properties"; } },
    { name: "a bad retrieval start date", apply: (b) => { if (b.kind === "EventGrid") { b.properties.dataFormat = "XML"; return "/properties/dataFormat"; } b.properties.retrievalStartDate = "2024-13-01"; return "/properties/retrievalStartDate"; } },
  ];

  it.each(corruptions)("reports $name at the field's JSON pointer, and only there", ({ apply }) => {
    fc.assert(
      fc.property(validBody, (valid) => {
        const body = clone(valid);
        const pointer = apply(body);
        const problems = problemsOf(parseUpsertRequest(body));
        expect(problems.map((p) => p.path)).toEqual([pointer]);
        expect(problems[0]?.code).toMatch(/^[A-Z][A-Za-z]+$/);
      }),
      { numRuns: 50 },
    );
  });

  it("reports every problem at once, with stable codes", () => {
    const problems = problemsOf(
      parseUpsertRequest({
        kind: "EventHub",
        location: "westeurope",
        properties: {
          eventHubResourceId: "/subscriptions/x/eventhubs/y",
          consumerGroup: "bad group",
          compression: "zip",
          provisioningState: "Succeeded",
          retrievalStartDate: "yesterday",
          eventSystemProperties: "x-opt-offset",
          extra: 1,
        },
        access: { mode: "sometimes" },
      }),
    );
    expect(problems.map((p) => [p.path, p.code])).toEqual(
      expect.arrayContaining([
        ["/properties/eventHubResourceId", "InvalidResourceId"],
        ["/properties/consumerGroup", "InvalidFormat"],
        ["/properties/compression", "InvalidEnumValue"],
        ["/properties/provisioningState", "ReadOnlyProperty"],
        ["/properties/retrievalStartDate", "InvalidDateTime"],
        ["/properties/eventSystemProperties", "InvalidType"],
        ["/properties/extra", "UnknownProperty"],
        ["/access/mode", "UnsupportedAuthMode"],
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(problems.find((p) => p.path === "/properties/compression")?.message).toBe("must be one of: None, GZip");
  });

  it("never throws, whatever the body", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.jsonValue(),
          fc.tuple(validBody, fc.string(), fc.anything()).map(([b, key, x]) => ({ ...b, properties: { ...(b.properties as object), [key]: x } })),
        ),
        (body) => {
        const result = parseUpsertRequest(body);
        if (!result.ok) {
          expect(result.error.problems.length).toBeGreaterThan(0);
          for (const p of result.error.problems) expect(typeof p.path).toBe("string");
        }
      },
      ),
    );
  });

  it("refuses a body that is not an object at the root pointer", () => {
    for (const body of [null, 3, "text", [], true]) {
      expect(problemsOf(parseUpsertRequest(body))).toEqual([{ code: "InvalidType", message: expect.any(String), path: "" }]);
    }
    expect(problemsOf(parseUpsertRequest({}))).toEqual([expect.objectContaining({ code: "MissingProperty", path: "/kind" })]);
  });

  describe("auth mode", () => {
    const eventHub = (extra: { properties?: object; access?: object } = {}) => ({
      kind: "EventHub",
      properties: { eventHubResourceId: demo.eventHubResourceId, consumerGroup: "adx", ...extra.properties },
      ...(extra.access ? { access: extra.access } : {}),
    });

    it("defaults to key mode, and to managedIdentity when the properties name an identity", () => {
      const key = parseUpsertRequest(eventHub());
      expect(key.ok && key.value.access).toEqual({ mode: "key" });
      const mi = parseUpsertRequest(eventHub({ properties: { managedIdentityResourceId: demo.clusterResourceId } }));
      expect(mi.ok && mi.value.access).toEqual({ mode: "managedIdentity", managedIdentityResourceId: demo.clusterResourceId });
    });

    it("puts an identity named only in the access block into the spec Kusto receives", () => {
      const result = parseUpsertRequest(eventHub({ access: { mode: "managedIdentity", managedIdentityResourceId: demo.identityResourceId } }));
      expect(result.ok && result.value.spec.properties.managedIdentityResourceId).toBe(demo.identityResourceId);
    });

    it("keeps the source tenant of a cross-tenant key-mode request", () => {
      const tenant = "22222222-1111-4111-8111-111111111111";
      const result = parseUpsertRequest(eventHub({ access: { sourceTenantId: tenant } }));
      expect(result.ok && result.value.access).toEqual({ mode: "key", sourceTenantId: tenant });
    });

    it("refuses key mode with a managed identity, and managedIdentity mode without one", () => {
      expect(problemsOf(parseUpsertRequest(eventHub({ properties: { managedIdentityResourceId: demo.clusterResourceId }, access: { mode: "key" } })))).toEqual([
        expect.objectContaining({ code: "AccessModeMismatch", path: "/access/mode" }),
      ]);
      expect(problemsOf(parseUpsertRequest(eventHub({ access: { mode: "managedIdentity" } })))).toEqual([
        expect.objectContaining({ code: "MissingManagedIdentity", path: "/properties/managedIdentityResourceId" }),
      ]);
    });

    it("refuses two different identities, and accepts the same one in both places in any casing", () => {
      expect(
        problemsOf(parseUpsertRequest(eventHub({ properties: { managedIdentityResourceId: demo.clusterResourceId }, access: { managedIdentityResourceId: demo.identityResourceId } }))),
      ).toEqual([expect.objectContaining({ code: "ManagedIdentityMismatch", path: "/access/managedIdentityResourceId" })]);
      const same = parseUpsertRequest(
        eventHub({ properties: { managedIdentityResourceId: demo.clusterResourceId }, access: { managedIdentityResourceId: demo.clusterResourceId.toLowerCase() } }),
      );
      expect(same.ok).toBe(true);
    });

    it("keeps IotHub key-only and CosmosDb managed-identity-only", () => {
      const iot = { kind: "IotHub", properties: { iotHubResourceId: demo.iotHubResourceId, consumerGroup: "adx", sharedAccessPolicyName: "iothubowner" } };
      expect(problemsOf(parseUpsertRequest({ ...iot, access: { mode: "managedIdentity" } }))).toEqual([
        expect.objectContaining({ code: "UnsupportedAuthMode", path: "/access/mode" }),
      ]);
      expect(problemsOf(parseUpsertRequest({ ...iot, properties: { ...iot.properties, managedIdentityResourceId: demo.clusterResourceId } }))).toEqual([
        expect.objectContaining({ code: "UnsupportedAuthMode", path: "/properties/managedIdentityResourceId" }),
      ]);
      const cosmos = {
        kind: "CosmosDb",
        properties: { tableName: "T", managedIdentityResourceId: demo.clusterResourceId, cosmosDbAccountResourceId: demo.cosmosDbAccountResourceId, cosmosDbDatabase: "db", cosmosDbContainer: "c" },
      };
      expect(parseUpsertRequest(cosmos).ok).toBe(true);
      expect(problemsOf(parseUpsertRequest({ ...cosmos, access: { mode: "key" } }))).toEqual([expect.objectContaining({ code: "UnsupportedAuthMode", path: "/access/mode" })]);
      const { managedIdentityResourceId: _mi, ...withoutMi } = cosmos.properties;
      expect(problemsOf(parseUpsertRequest({ ...cosmos, properties: withoutMi }))).toEqual([
        expect.objectContaining({ code: "MissingProperty", path: "/properties/managedIdentityResourceId" }),
      ]);
    });

    it("reports access problems even when the kind is wrong", () => {
      const problems = problemsOf(parseUpsertRequest({ kind: "Kafka", properties: {}, access: { mode: "always", sourceTenantId: "b" } }));
      expect(problems.map((p) => p.path).sort()).toEqual(["/access/mode", "/access/sourceTenantId", "/kind"]);
    });
  });
});

describe("parseConnectionKey", () => {
  const valid = { subscriptionId: demo.subscriptionId, resourceGroup: "rg-adx-demo", cluster: "adxdemo", database: "telemetry", name: "events-to-telemetry" };

  it("returns the key of a valid route", () => {
    expect(parseConnectionKey(valid)).toEqual({ ok: true, value: valid });
  });

  it.each([
    ["subscriptionId", "not-a-guid"],
    ["resourceGroup", "rg."],
    ["resourceGroup", "r".repeat(91)],
    ["cluster", "a1"],
    ["cluster", "adx-demo"],
    ["database", " telemetry"],
    ["name", "a/b"],
    ["name", "tab\there"],
    ["name", "x".repeat(41)],
    ["name", "what?"],
    ["name", " padded "],
    ["name", ""],
  ])("refuses %s %j at /route/%s", (param, value) => {
    const problems = problemsOf(parseConnectionKey({ ...valid, [param]: value }));
    expect(problems).toEqual([expect.objectContaining({ path: `/route/${param}` })]);
  });

  it("accepts connection names with spaces, dots and non-ASCII letters up to 40 characters", () => {
    for (const name of ["my connection", "a.b_c-d", "données", "x".repeat(40), "$Default"]) {
      expect(parseConnectionKey({ ...valid, name }).ok, name).toBe(true);
    }
  });

  it("reports a missing route parameter", () => {
    const { name: _name, ...withoutName } = valid;
    expect(problemsOf(parseConnectionKey(withoutName))).toEqual([{ code: "MissingProperty", message: "is required", path: "/route/name" }]);
  });
});

function requiredOf(kind: string): string[] {
  return {
    EventHub: ["eventHubResourceId", "consumerGroup"],
    EventGrid: ["storageAccountResourceId", "eventHubResourceId", "consumerGroup"],
    IotHub: ["iotHubResourceId", "consumerGroup", "sharedAccessPolicyName"],
    CosmosDb: ["cosmosDbAccountResourceId", "tableName", "managedIdentityResourceId", "cosmosDbDatabase", "cosmosDbContainer"],
  }[kind] as string[];
}

function resourceIdOf(kind: string): string {
  return { EventHub: "eventHubResourceId", EventGrid: "storageAccountResourceId", IotHub: "iotHubResourceId", CosmosDb: "cosmosDbAccountResourceId" }[kind] as string;
}

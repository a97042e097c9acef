import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Caller, PolicyRequest } from "../../../../src/lib/auth/caller";
import { isAtOrUnder, parseAccessPolicy, type AccessPolicyRule } from "../../../../src/lib/auth/policy";
import type { Result } from "../../../../src/lib/errors";

const sub = "/subscriptions/11111111-2222-4222-8222-222222222222";
const cluster = `${sub}/resourceGroups/rg-adx-demo/providers/Microsoft.Kusto/clusters/adxdemo`;
const otherCluster = `${sub}/resourceGroups/rg-other/providers/Microsoft.Kusto/clusters/adxother`;
const sources = `${sub}/resourceGroups/rg-sources-demo`;
const hub = `${sources}/providers/Microsoft.EventHub/namespaces/evhns-adx-demo/eventhubs/telemetry`;
const foreignHub = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-partner-demo/providers/Microsoft.EventHub/namespaces/evhns-partner-demo/eventhubs/partner-events";
const tenantB = "22222222-1111-4111-8111-111111111111";
const pipelineApp = "11111111-5555-4555-8555-000000000003";

const caller = (overrides: Partial<Caller> = {}): Caller => ({
  tenantId: "11111111-1111-4111-8111-111111111111",
  objectId: "11111111-3333-4333-8333-000000000005",
  appId: pipelineApp,
  roles: ["Connections.Write"],
  ...overrides,
});
const write = (overrides: Partial<PolicyRequest> = {}): PolicyRequest => ({ action: "write", clusterId: cluster, database: "telemetry", sourceResourceIds: [hub], ...overrides });
const read = (overrides: Partial<PolicyRequest> = {}): PolicyRequest => ({ action: "read", clusterId: cluster, database: "telemetry", ...overrides });

const pipelineRule: AccessPolicyRule = {
  name: "pipeline-telemetry",
  callers: { appIds: [pipelineApp] },
  clusters: [cluster],
  databases: ["telemetry"],
  sourceScopes: [sources],
  sourceTenants: [tenantB],
};

const policyOf = (...rules: AccessPolicyRule[]) => {
  const parsed = parseAccessPolicy(JSON.stringify({ rules }));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error.problems));
  return parsed.value;
};
const refusal = (result: Result<void>) => {
  if (result.ok) throw new Error("expected a refusal");
  expect(result.error.kind).toBe("forbidden");
  return result.error.code;
};

describe("parseAccessPolicy", () => {
  it("without a policy, refuses every write (fail closed) and says why", () => {
    for (const json of [undefined, "", "  "]) {
      const parsed = parseAccessPolicy(json);
      if (!parsed.ok) throw new Error("a missing policy is valid");
      const result = parsed.value.authorize(caller(), write());
      expect(refusal(result)).toBe("NoAccessPolicy");
      expect(!result.ok && result.error.message).toMatch(/fails closed/);
    }
  });

  it("without a policy, allows reads to callers with a Connections role", () => {
    const parsed = parseAccessPolicy(undefined);
    expect(parsed.ok && parsed.value.authorize(caller({ roles: ["Connections.Read"] }), read()).ok).toBe(true);
    expect(parsed.ok && refusal(parsed.value.authorize(caller({ roles: [] }), read()))).toBe("MissingAppRole");
  });

  it.each([
    ["not JSON", "{rules:"],
    ["no rules", "{}"],
    ["an unknown field", JSON.stringify({ rules: [{ ...pipelineRule, allowEverything: true }] })],
    ["a rule without clusters", JSON.stringify({ rules: [{ ...pipelineRule, clusters: [] }] })],
    ["a cluster that is not an ARM ID", JSON.stringify({ rules: [{ ...pipelineRule, clusters: ["adxdemo"] }] })],
    ["a tenant that is not a GUID", JSON.stringify({ rules: [{ ...pipelineRule, sourceTenants: ["fabrikam"] }] })],
    ["an unknown action", JSON.stringify({ rules: [{ ...pipelineRule, actions: ["delete"] }] })],
  ])("refuses a policy with %s, as an internal configuration error", (_what, json) => {
    const parsed = parseAccessPolicy(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect([parsed.error.kind, parsed.error.code]).toEqual(["internal", "InvalidAccessPolicy"]);
      expect(parsed.error.problems.length).toBeGreaterThan(0);
    }
  });
});

describe("AccessPolicy.authorize", () => {
  const policy = policyOf(pipelineRule);

  it("allows a write the rule covers entirely", () => {
    expect(policy.authorize(caller(), write()).ok).toBe(true);
    expect(policy.authorize(caller(), write({ sourceResourceIds: [`${sources}/providers/Microsoft.Storage/storageAccounts/x`], sourceTenantId: tenantB })).ok).toBe(true);
  });

  it("requires Connections.Write for writes and Connections.Read (or Write) for reads", () => {
    expect(refusal(policy.authorize(caller({ roles: ["Connections.Read"] }), write()))).toBe("MissingAppRole");
    expect(refusal(policy.authorize(caller({ roles: ["Audit.Run"] }), read()))).toBe("MissingAppRole");
    expect(policy.authorize(caller({ roles: ["Connections.Read"] }), read()).ok).toBe(true);
    expect(policy.authorize(caller({ roles: ["Connections.Write"] }), read()).ok).toBe(true);
  });

  it("refuses callers no rule names", () => {
    expect(refusal(policy.authorize(caller({ appId: "someone-else", objectId: "x" }), write()))).toBe("CallerNotAllowed");
    expect(refusal(policy.authorize(caller({ appId: undefined }), write()))).toBe("CallerNotAllowed");
  });

  it("matches callers by app ID, object ID or role, case-insensitively for IDs", () => {
    const byObject = policyOf({ ...pipelineRule, callers: { objectIds: ["11111111-3333-4333-8333-000000000005".toUpperCase()] } });
    expect(byObject.authorize(caller({ appId: undefined }), write()).ok).toBe(true);
    const byRole = policyOf({ ...pipelineRule, callers: { roles: ["Pipelines"] } });
    expect(byRole.authorize(caller({ appId: "x", roles: ["Connections.Write", "Pipelines"] }), write()).ok).toBe(true);
    expect(refusal(byRole.authorize(caller({ appId: "x", roles: ["Connections.Write"] }), write()))).toBe("CallerNotAllowed");
    const anyone = policyOf({ ...pipelineRule, callers: { appIds: ["*"] } });
    expect(anyone.authorize(caller({ appId: "x" }), write()).ok).toBe(true);
  });

  it("refuses clusters, databases, sources and tenants outside the rule, naming what was refused", () => {
    const outcomes = [
      [write({ clusterId: otherCluster }), "ClusterNotAllowed", /adxother/],
      [write({ database: "audit" }), "DatabaseNotAllowed", /audit/],
      [write({ sourceResourceIds: [hub, foreignHub] }), "SourceNotAllowed", /partner-events/],
      [write({ sourceResourceIds: [`${sub}/resourceGroups/rg-sources-demo-2/providers/Microsoft.Storage/storageAccounts/x`] }), "SourceNotAllowed", /rg-sources-demo-2/],
      [write({ sourceTenantId: "33333333-1111-4111-8111-111111111111" }), "SourceTenantNotAllowed", /33333333/],
    ] as const;
    for (const [request, code, message] of outcomes) {
      const result = policy.authorize(caller(), request);
      expect(refusal(result)).toBe(code);
      expect(!result.ok && result.error.message).toMatch(message);
    }
  });

  it("compares ARM IDs case-insensitively (ARM returns 'Clusters')", () => {
    expect(policy.authorize(caller(), write({ clusterId: cluster.replace("clusters", "Clusters").toUpperCase(), database: "TELEMETRY" })).ok).toBe(true);
  });

  it("denies sources and foreign tenants when the rule lists none", () => {
    const bare = policyOf({ name: "read-only-ish", callers: { appIds: [pipelineApp] }, clusters: ["*"] });
    expect(refusal(bare.authorize(caller(), write()))).toBe("SourceNotAllowed");
    expect(refusal(bare.authorize(caller(), write({ sourceResourceIds: [], sourceTenantId: tenantB })))).toBe("SourceTenantNotAllowed");
    expect(bare.authorize(caller(), read({ clusterId: otherCluster, database: "anything" })).ok).toBe(true);
  });

  it("allows only the actions a rule lists", () => {
    const readOnly = policyOf({ ...pipelineRule, actions: ["read"] });
    expect(readOnly.authorize(caller(), read()).ok).toBe(true);
    expect(refusal(readOnly.authorize(caller(), write()))).toBe("CallerNotAllowed");
  });

  it("never combines rules: one rule must allow the whole request", () => {
    const split = policyOf(
      { ...pipelineRule, name: "cluster-a", sourceScopes: [sources], sourceTenants: [] },
      { ...pipelineRule, name: "tenant-b", clusters: [otherCluster], sourceScopes: ["*"], sourceTenants: [tenantB] },
    );
    const result = split.authorize(caller(), write({ sourceResourceIds: [foreignHub], sourceTenantId: tenantB }));
    // Rule cluster-a got furthest (cluster and database match): its refusal is the one reported.
    expect(refusal(result)).toBe("SourceNotAllowed");
  });

  it("accepts subscription and resource-group prefixes, and * for everything", () => {
    const bySubscription = policyOf({ ...pipelineRule, clusters: [sub], databases: ["*"], sourceScopes: ["*"], sourceTenants: ["*"] });
    expect(bySubscription.authorize(caller(), write({ clusterId: otherCluster, database: "audit", sourceResourceIds: [foreignHub], sourceTenantId: tenantB })).ok).toBe(true);
    expect(refusal(bySubscription.authorize(caller(), write({ clusterId: cluster.replace("11111111-2222", "11111111-9999") })))).toBe("ClusterNotAllowed");
  });
});

describe("isAtOrUnder", () => {
  const segment = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
  it("contains a scope's descendants and itself, never a sibling sharing a prefix", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.array(segment, { maxLength: 4 }), segment, (base, rest, extra) => {
        const scope = `/subscriptions/${base.join("/")}`;
        expect(isAtOrUnder([scope, ...rest].join("/"), scope)).toBe(true);
        expect(isAtOrUnder(`${scope}/`.toUpperCase(), scope)).toBe(true);
        expect(isAtOrUnder(`${scope}${extra}`, scope)).toBe(false);
        expect(isAtOrUnder(scope, `${scope}/${extra}`)).toBe(false);
      }),
    );
  });
});

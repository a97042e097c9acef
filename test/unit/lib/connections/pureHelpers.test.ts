// Pure helpers of the use cases: operation IDs, spec equality, access intent and binding resolution.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromOperationId, toOperationId } from "../../../../src/lib/connections/operationId";
import { kustoMatchesSpec, sameSpec } from "../../../../src/lib/connections/sameSpec";
import { resolveAccessIntent, resolveBindingPrincipal } from "../../../../src/lib/connections/resolveBinding";
import type { KustoClusterInfo } from "../../../../src/lib/connections/ports";
import { clusterId, createConnectionsWorld, ids, keyOf, specs, uamiId } from "../../../support/fakes/connectionsWorld";

const settings = createConnectionsWorld().deps.settings;
const cluster: KustoClusterInfo = {
  id: clusterId,
  location: "westeurope",
  systemIdentity: { principalId: ids.clusterPrincipal, tenantId: ids.tenantA },
  userAssignedIdentities: { [uamiId.toLowerCase()]: { principalId: ids.uamiPrincipal, clientId: "c" } },
};

describe("operation IDs", () => {
  it("round-trip any connection key and nonce", () => {
    const part = fc.string({ minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(part, part, part, part, part, fc.uuid(), (subscriptionId, resourceGroup, cluster, database, name, nonce) => {
        const key = { subscriptionId, resourceGroup, cluster, database, name };
        const id = toOperationId(key, nonce);
        expect(id).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9-]+$/);
        expect(fromOperationId(id)).toEqual(key);
      }),
    );
  });

  it("reject anything else without throwing", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const key = fromOperationId(s);
      if (key) expect(Object.values(key).every((v) => typeof v === "string" && v.length > 0)).toBe(true);
    }));
  });
});

describe("spec equality", () => {
  it("ignores property order and resource-ID case, and notices any changed value", () => {
    const spec = specs.eventGrid();
    fc.assert(
      fc.property(fc.shuffledSubarray(Object.keys(spec.properties), { minLength: Object.keys(spec.properties).length }), fc.string({ minLength: 1 }), (order, value) => {
        const reordered = { ...spec, properties: Object.fromEntries(order.map((k) => [k, spec.properties[k]])) };
        reordered.properties.eventHubResourceId = String(spec.properties.eventHubResourceId).toUpperCase();
        expect(sameSpec(spec, reordered)).toBe(true);
        const changed = { ...spec, properties: { ...spec.properties, tableName: `${String(spec.properties.tableName)}${value}` } };
        expect(sameSpec(spec, changed)).toBe(false);
      }),
    );
  });

  it("matches Kusto's copy, which adds read-only properties", () => {
    const spec = specs.eventHub();
    expect(kustoMatchesSpec(spec, { kind: "EventHub", properties: { ...spec.properties, provisioningState: "Succeeded", compression: "None" } })).toBe(true);
    expect(kustoMatchesSpec(spec, { kind: "EventHub", properties: { ...spec.properties, consumerGroup: "other" } })).toBe(false);
    expect(kustoMatchesSpec(spec, { kind: "IotHub", properties: spec.properties })).toBe(false);
  });
});

describe("access intent and binding principal", () => {
  it("defaults to key mode, and to managed identity when an identity is named (always for CosmosDb)", () => {
    expect(resolveAccessIntent(specs.eventHub(), {}, settings)).toMatchObject({ ok: true, value: { mode: "key", crossTenant: false } });
    expect(resolveAccessIntent(specs.cosmosDb(), {}, settings)).toMatchObject({ ok: true, value: { mode: "managedIdentity" } });
    expect(resolveAccessIntent(specs.eventHub(), { managedIdentityResourceId: clusterId }, settings)).toMatchObject({
      ok: true,
      value: { mode: "managedIdentity", spec: { properties: { managedIdentityResourceId: clusterId } } },
    });
  });

  it("treats the app's own tenant named as source tenant as same-tenant", () => {
    expect(resolveAccessIntent(specs.eventHub(), { sourceTenantId: ids.tenantA.toUpperCase() }, settings)).toMatchObject({ ok: true, value: { crossTenant: false } });
  });

  it("reports every access problem at once", () => {
    const spec = specs.eventHub();
    spec.properties.managedIdentityResourceId = clusterId;
    const result = resolveAccessIntent(spec, { mode: "managedIdentity", managedIdentityResourceId: uamiId, sourceTenantId: ids.tenantB }, settings);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.problems.map((p) => p.code)).toEqual(["ManagedIdentityMismatch", "CrossTenantRequiresKeyMode"]);
  });

  it("picks the principal per mode: cluster identity, attached identity, app identity, cross-tenant app", () => {
    const key = keyOf("x");
    const principal = (access: Parameters<typeof resolveAccessIntent>[1], spec = specs.eventHub()) => {
      const intent = resolveAccessIntent(spec, access, settings);
      if (!intent.ok) throw intent.error;
      const r = resolveBindingPrincipal(intent.value, key, cluster, settings);
      return r.ok ? r.value.principal : r.error.code;
    };
    expect(principal({ managedIdentityResourceId: clusterId.toUpperCase() })).toMatchObject({ kind: "clusterIdentity", objectId: ids.clusterPrincipal });
    expect(principal({ managedIdentityResourceId: uamiId })).toMatchObject({ kind: "userAssignedIdentity", objectId: ids.uamiPrincipal, tenantId: ids.tenantA });
    expect(principal({})).toEqual({ kind: "appIdentity", objectId: ids.appPrincipal, tenantId: ids.tenantA });
    expect(principal({ sourceTenantId: ids.tenantB }, specs.partnerEventHub())).toEqual({ kind: "crossTenantApp", objectId: ids.crossTenantSp, tenantId: ids.tenantB });
    expect(principal({ managedIdentityResourceId: `${uamiId}-other` })).toBe("IdentityNotAttachedToCluster");
  });

  it("needs the cluster's system identity for the cluster's ID, and the app's identity settings for key mode", () => {
    const intent = resolveAccessIntent(specs.cosmosDb(), {}, settings);
    if (!intent.ok) throw intent.error;
    const noSystem = resolveBindingPrincipal(intent.value, keyOf("x"), { ...cluster, systemIdentity: undefined }, settings);
    expect(noSystem.ok || noSystem.error.code).toBe("ClusterHasNoSystemIdentity");
    const keyIntent = resolveAccessIntent(specs.eventHub(), {}, settings);
    if (!keyIntent.ok) throw keyIntent.error;
    const unconfigured = resolveBindingPrincipal(keyIntent.value, keyOf("x"), undefined, { ...settings, appPrincipalId: undefined });
    expect(unconfigured.ok || unconfigured.error.code).toBe("AppIdentityNotConfigured");
  });
});

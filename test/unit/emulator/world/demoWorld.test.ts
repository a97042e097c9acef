import { describe, expect, it } from "vitest";
import demo from "../../../../emulator/worlds/demo.json";
import { createRbac } from "../../../../emulator/arm/rbac";
import builtInRoles from "../../../../emulator/world/builtInRoles.json";
import { parseResourceId } from "../../../../emulator/world/resourceId";
import type { WorldSeed } from "../../../../emulator/world/types";
import { World } from "../../../../emulator/world/world";

const seed = demo as WorldSeed;
const meta = seed.meta as Record<string, string>;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the demo world", () => {
  const world = new World(seed);
  const rbac = createRbac(world);

  it("loads, with every resource under a known subscription and resource group", () => {
    for (const r of seed.resources ?? []) {
      const { subscriptionId, resourceGroup } = parseResourceId(String(r.id));
      expect(world.subscriptions.has(String(subscriptionId).toLowerCase())).toBe(true);
      expect(world.getResource(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`)).toBeDefined();
    }
  });

  it("puts the Kusto side and the source side in different tenants", () => {
    expect(world.tenantOfSubscription(meta.kustoSubscriptionId!)).toBe(meta.kustoTenantId);
    expect(world.tenantOfSubscription(meta.sourceSubscriptionId!)).toBe(meta.sourceTenantId);
    expect(meta.kustoTenantId).not.toBe(meta.sourceTenantId);
    expect(world.tenantOfResource(meta.sourceEventHubResourceId!)).toBe(meta.sourceTenantId);
  });

  it("lets the app's identity manage data connections and read role assignments, but not delete them", () => {
    const app = { objectId: meta.appIdentityObjectId! };
    const database = `${meta.kustoClusterResourceId}/databases/telemetry`;
    expect(rbac.isAllowed(app, "Microsoft.Kusto/clusters/databases/dataConnections/write", `${database}/dataConnections/dc`, "action")).toBe(true);
    expect(rbac.isAllowed(app, "Microsoft.Kusto/clusters/databases/dataConnections/delete", `${database}/dataConnections/dc`, "action")).toBe(true);
    expect(rbac.isAllowed(app, "Microsoft.Authorization/roleAssignments/read", meta.eventHubResourceId!, "action")).toBe(true);
    expect(rbac.isAllowed(app, "Microsoft.Authorization/roleAssignments/delete", meta.eventHubResourceId!, "action")).toBe(false);
  });

  it("lets the cluster's identity receive from its event hub only", () => {
    const cluster = world.getResource(meta.kustoClusterResourceId!);
    const identity = cluster?.body.identity as { principalId: string; type: string };
    expect(identity).toMatchObject({ type: "SystemAssigned", principalId: meta.kustoClusterPrincipalId });
    const mi = world.getPrincipal(identity.principalId);
    expect(mi?.managedIdentity?.kind).toBe("SystemAssigned");
    const receive = "Microsoft.EventHub/namespaces/messages/receive/action";
    expect(rbac.isAllowed({ objectId: identity.principalId }, receive, meta.eventHubResourceId!, "dataAction")).toBe(true);
    expect(rbac.isAllowed({ objectId: identity.principalId }, receive, `${meta.eventHubNamespaceResourceId}/eventhubs/audit`, "dataAction")).toBe(false);
  });

  it("lets the multi-tenant app's service principal in the source tenant list the namespace's keys", () => {
    const sp = world.findServicePrincipal(meta.sourceTenantId!, meta.multiTenantAppId!);
    expect(sp?.objectId).toBe(meta.multiTenantAppServicePrincipalIdSourceTenant);
    const rule = `${meta.sourceEventHubNamespaceResourceId}/authorizationRules/RootManageSharedAccessKey`;
    expect(world.getResource(rule)).toBeDefined();
    expect(rbac.isAllowed({ objectId: sp!.objectId }, "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", rule, "action")).toBe(true);
  });

  it("trusts the app's user-assigned identity in the multi-tenant app's federated credential", () => {
    const app = world.applications.get(meta.multiTenantAppId!.toLowerCase());
    expect(app?.signInAudience).toBe("AzureADMultipleOrgs");
    expect(app?.federatedIdentityCredentials).toContainEqual(
      expect.objectContaining({
        issuer: `https://login.microsoftonline.com/${meta.kustoTenantId}/v2.0`,
        subject: meta.appIdentityObjectId,
        audiences: ["api://AzureADTokenExchange"],
      }),
    );
    const uami = world.findManagedIdentity({ clientId: meta.appIdentityClientId });
    expect(uami?.objectId).toBe(meta.appIdentityObjectId);
    expect(world.getResource(meta.appIdentityResourceId!)).toBeDefined();
    const site = world.getResource(meta.functionAppResourceId!);
    expect(Object.keys((site?.body.identity as { userAssignedIdentities: object }).userAssignedIdentities)).toEqual([meta.appIdentityResourceId]);
  });

  it("grants the operators group through membership", () => {
    expect(world.groupsOf(meta.operatorUserObjectId!).has(meta.operatorsGroupObjectId!.toLowerCase())).toBe(true);
    expect(rbac.isAllowed({ objectId: meta.operatorUserObjectId! }, "Microsoft.Kusto/clusters/read", meta.kustoClusterResourceId!, "action")).toBe(true);
  });

  it("uses GUIDs for every tenant, subscription, principal and assignment", () => {
    const ids = [
      ...seed.tenants.map((t) => t.id),
      ...seed.subscriptions.map((s) => s.id),
      ...seed.principals.map((p) => p.objectId),
      ...(seed.roleAssignments ?? []).map((a) => a.name ?? ""),
    ];
    for (const id of ids) expect(id).toMatch(GUID);
  });
});

describe("built-in roles", () => {
  it("carry unique real GUIDs and complete permission blocks", () => {
    const roles = builtInRoles as { name: string; roleName: string; permissions: Record<string, unknown>[] }[];
    expect(new Set(roles.map((r) => r.name)).size).toBe(roles.length);
    for (const r of roles) {
      expect(r.name).toMatch(GUID);
      for (const p of r.permissions) expect(Object.keys(p).sort()).toEqual(["actions", "dataActions", "notActions", "notDataActions"]);
    }
    const byName = new Map(roles.map((r) => [r.roleName, r.name]));
    expect(byName.get("User Access Administrator")).toBe("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9");
    expect(byName.get("Role Based Access Control Administrator")).toBe("f58310d9-a9f6-439a-9e8d-f62e7b41a168");
    expect(byName.get("Storage Blob Data Contributor")).toBe("ba92f5b4-2d11-453d-a403-e96b0029c9fe");
  });
});

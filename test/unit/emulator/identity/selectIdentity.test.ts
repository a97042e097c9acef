import { describe, expect, it } from "vitest";
import { selectIdentity } from "../../../../emulator/identity/managedIdentityEndpoint";
import type { Principal } from "../../../../emulator/world/types";

const user: Principal = {
  objectId: "11111111-0000-4000-8000-00000000000a",
  tenantId: "t",
  type: "ServicePrincipal",
  displayName: "uami",
  appId: "11111111-0000-4000-8000-00000000000c",
  managedIdentity: { kind: "UserAssigned", resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app" },
};
const system: Principal = {
  objectId: "55555555-0000-4000-8000-00000000000a",
  tenantId: "t",
  type: "ServicePrincipal",
  displayName: "func",
  appId: "55555555-0000-4000-8000-00000000000c",
  managedIdentity: { kind: "SystemAssigned", resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/func" },
};
const pick = (identities: Principal[], query: Record<string, string>) => selectIdentity(identities, new URLSearchParams(query));

describe("managed identity selection", () => {
  it("selects a user-assigned identity by client ID, resource ID (any casing) or object ID", () => {
    expect(pick([system, user], { client_id: user.appId!.toUpperCase() })).toEqual({ ok: true, identity: user });
    expect(pick([system, user], { mi_res_id: user.managedIdentity!.resourceId.toLowerCase() })).toEqual({ ok: true, identity: user });
    expect(pick([system, user], { object_id: user.objectId })).toEqual({ ok: true, identity: user });
    expect(pick([system, user], { principal_id: user.objectId })).toEqual({ ok: true, identity: user });
  });

  it("uses the system-assigned identity when no selector is given", () => {
    expect(pick([user, system], {})).toEqual({ ok: true, identity: system });
  });

  it("explains when there is no system-assigned identity to fall back on", () => {
    const result = pick([user], {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/No system-assigned managed identity/);
  });

  it("answers App Service's message for an identity not assigned to the app", () => {
    expect(pick([system, user], { client_id: "99999999-0000-4000-8000-00000000000c" })).toEqual({
      ok: false,
      message: "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.",
    });
  });

  it("refuses more than one selector", () => {
    expect(pick([user], { client_id: user.appId!, object_id: user.objectId }).ok).toBe(false);
  });
});

// A small two-tenant world for the identity tests: the function app's user-assigned identity in tenant A,
// a multi-tenant app homed in A that trusts it through a federated credential, and its service principal in B.
import { World } from "../../../../emulator/world/world";

export const ids = {
  tenantA: "aaaaaaaa-0000-4000-8000-000000000001",
  tenantB: "bbbbbbbb-0000-4000-8000-000000000002",
  uamiObjectId: "11111111-0000-4000-8000-00000000000a",
  uamiClientId: "11111111-0000-4000-8000-00000000000c",
  uamiResourceId: "/subscriptions/cccccccc-0000-4000-8000-000000000003/resourceGroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app",
  appId: "22222222-0000-4000-8000-0000000000a1",
  appSpInA: "22222222-0000-4000-8000-00000000005a",
  appSpInB: "22222222-0000-4000-8000-00000000005b",
  untrustedAppId: "33333333-0000-4000-8000-0000000000a1",
  untrustedAppSpInB: "33333333-0000-4000-8000-00000000005b",
};

export function identityWorld(): World {
  return new World({
    tenants: [
      { id: ids.tenantA, displayName: "Contoso (app tenant)" },
      { id: ids.tenantB, displayName: "Fabrikam (Kusto tenant)" },
    ],
    subscriptions: [{ id: "cccccccc-0000-4000-8000-000000000003", tenantId: ids.tenantA, displayName: "app" }],
    principals: [
      {
        objectId: ids.uamiObjectId,
        tenantId: ids.tenantA,
        type: "ServicePrincipal",
        displayName: "id-app",
        appId: ids.uamiClientId,
        managedIdentity: { kind: "UserAssigned", resourceId: ids.uamiResourceId },
      },
      { objectId: ids.appSpInA, tenantId: ids.tenantA, type: "ServicePrincipal", displayName: "adx-lifecycle", appId: ids.appId },
      { objectId: ids.appSpInB, tenantId: ids.tenantB, type: "ServicePrincipal", displayName: "adx-lifecycle", appId: ids.appId },
      { objectId: ids.untrustedAppSpInB, tenantId: ids.tenantB, type: "ServicePrincipal", displayName: "other", appId: ids.untrustedAppId },
    ],
    applications: [
      {
        appId: ids.appId,
        homeTenantId: ids.tenantA,
        displayName: "adx-lifecycle",
        signInAudience: "AzureADMultipleOrgs",
        federatedIdentityCredentials: [
          {
            name: "function-app-identity",
            issuer: `https://login.microsoftonline.com/${ids.tenantA}/v2.0`,
            subject: ids.uamiObjectId,
            audiences: ["api://AzureADTokenExchange"],
          },
        ],
      },
      {
        appId: ids.untrustedAppId,
        homeTenantId: ids.tenantA,
        displayName: "other",
        signInAudience: "AzureADMultipleOrgs",
        federatedIdentityCredentials: [],
      },
    ],
  });
}

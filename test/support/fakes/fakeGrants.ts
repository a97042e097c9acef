// The demo world's grants, as the fake verifier's table.
import type { FakeGrant } from "./fakeAccess";
import { ids, sourceIds } from "./demoIds";

const ra = (scope: string, n: number) => `${scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-00000000000${n}`;

export function createFakeAccessWorldGrants(): FakeGrant[] {
  const rgSources = `/subscriptions/${ids.subA}/resourceGroups/rg-sources-demo`;
  return [
    // The app's identity: Contributor on the sources' resource group (every listKeys).
    { principalObjectId: ids.appPrincipal, scope: rgSources, permission: "*", roleAssignmentId: ra(rgSources, 1) },
    // The cluster identity: receive on the hub, blob read on the storage account, read on the Cosmos account.
    { principalObjectId: ids.clusterPrincipal, scope: sourceIds.eventHub, permission: "Microsoft.EventHub/namespaces/messages/receive/action", roleAssignmentId: ra(sourceIds.eventHub, 2) },
    { principalObjectId: ids.clusterPrincipal, scope: sourceIds.storage, permission: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", roleAssignmentId: ra(sourceIds.storage, 3) },
    { principalObjectId: ids.clusterPrincipal, scope: sourceIds.cosmos, permission: "Microsoft.DocumentDB/databaseAccounts/read", roleAssignmentId: ra(sourceIds.cosmos, 4) },
    // The multi-tenant app's SP in tenant B: Event Hubs Data Owner on the partner namespace.
    { principalObjectId: ids.crossTenantSp, scope: sourceIds.partnerNamespace, permission: "*", roleAssignmentId: ra(sourceIds.partnerNamespace, 5) },
  ];
}

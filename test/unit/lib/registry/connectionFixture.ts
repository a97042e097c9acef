// A realistic ManagedConnection for registry tests (an Event Hub source, key mode, two grants).
import type { ConnectionKey, ManagedConnection } from "../../../../src/lib/connections/model";
import { toConnectionId } from "../../../../src/lib/connections/model";

export const SUB = "11111111-2222-4222-8222-222222222222";
export const SOURCE_SUB = "22222222-2222-4222-8222-222222222222";
export const eventHubId = (ns = "evhns-adx-demo", hub = "telemetry", sub = SUB, rg = "rg-sources-demo"): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.EventHub/namespaces/${ns}/eventhubs/${hub}`;
export const roleAssignmentId = (scope: string, guid: string): string => `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`;

export function connectionKey(overrides: Partial<ConnectionKey> = {}): ConnectionKey {
  return { subscriptionId: SUB, resourceGroup: "rg-adx-demo", cluster: "adxdemo", database: "telemetry", name: "ingest-telemetry", ...overrides };
}

export function managedConnection(overrides: Partial<ManagedConnection> & { key?: ConnectionKey; grants?: string[]; sources?: string[] } = {}): ManagedConnection {
  const { grants: grantIds, sources: sourceIds, ...rest } = overrides;
  const key = overrides.key ?? connectionKey();
  const sources = sourceIds ?? [eventHubId()];
  const grants = grantIds ?? [roleAssignmentId(sources[0] as string, "aaaaaaaa-0000-4000-8000-000000000001")];
  const caller = { tenantId: "11111111-1111-4111-8111-111111111111", objectId: "11111111-3333-4333-8333-000000000005", appId: "11111111-5555-4555-8555-000000000003" };
  return {
    id: toConnectionId(key),
    key,
    kind: "EventHub",
    authMode: "key",
    spec: {
      kind: "EventHub",
      location: "westeurope",
      properties: { eventHubResourceId: sources[0], consumerGroup: "adx", tableName: "Events", dataFormat: "JSON", mappingRuleName: "EventsMapping" },
    },
    binding: {
      principal: { tenantId: caller.tenantId, objectId: "11111111-3333-4333-8333-000000000002", kind: "appIdentity" },
      requirements: [
        {
          requirement: { source: "eventHubNamespace", scope: sources[0] as string, permission: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", permissionKind: "action" },
          granted: true,
          grants: grants.map((id) => ({
            roleAssignmentId: id,
            roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/f526a384-b230-433a-b45c-95f59c4a2dec`,
            scope: id.split("/providers/Microsoft.Authorization/")[0] as string,
            assigneeObjectId: "11111111-3333-4333-8333-000000000002",
          })),
        },
      ],
      verifiedAt: "2025-01-01T00:00:00.000Z",
    },
    sourceResourceIds: sources,
    status: "Succeeded",
    provisioningState: "Succeeded",
    createdBy: caller,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedBy: caller,
    updatedAt: "2025-01-01T00:00:00.000Z",
    ...rest,
  };
}

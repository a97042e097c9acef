import { describe, expect, it } from "vitest";
import { auditDatabase, grantsChanged, isKeyBased, type AccessCheck, type DatabaseAuditInput } from "../../../../src/lib/audit/findingRules";
import { toConnectionId, type ManagedConnection, type RequirementStatus } from "../../../../src/lib/connections/model";
import type { KustoDataConnection } from "../../../../src/lib/connections/ports";
import { clusterId, ids, keyOf, sourceIds, specs } from "../../../support/fakes/demoIds";
import { demoCluster } from "./support/auditWorld";

const status = (granted: boolean, roleAssignmentId = "/ra/1"): RequirementStatus => ({
  requirement: { source: "eventHubNamespace", scope: sourceIds.namespace, permission: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", permissionKind: "action" },
  granted,
  grants: granted ? [{ roleAssignmentId, roleDefinitionId: "/rd", scope: sourceIds.namespace, assigneeObjectId: ids.appPrincipal }] : [],
});

function record(name: string, overrides: Partial<ManagedConnection> = {}): ManagedConnection {
  const key = keyOf(name);
  const spec = specs.eventHub();
  return {
    id: toConnectionId(key),
    key,
    kind: "EventHub",
    authMode: "key",
    spec,
    binding: { principal: { tenantId: ids.tenantA, objectId: ids.appPrincipal, kind: "appIdentity" }, requirements: [status(true)], verifiedAt: "2025-01-01T00:00:00Z" },
    sourceResourceIds: [sourceIds.eventHub],
    status: "Succeeded",
    createdBy: { tenantId: ids.tenantA, objectId: ids.caller },
    createdAt: "2025-01-01T00:00:00Z",
    updatedBy: { tenantId: ids.tenantA, objectId: ids.caller },
    updatedAt: "2025-01-01T00:00:00Z",
    ...overrides,
  };
}

function kusto(name: string, properties: Record<string, unknown> = specs.eventHub().properties, provisioningState = "Succeeded", kind = "EventHub"): KustoDataConnection {
  return { id: toConnectionId(keyOf(name)), name: `adxdemo/telemetry/${name}`, kind, location: "westeurope", provisioningState, properties: { ...properties, provisioningState } };
}

function input(managed: ManagedConnection[], listed: KustoDataConnection[] | undefined, access: [string, AccessCheck][] = [], missing: string[] = []): DatabaseAuditInput {
  return { cluster: demoCluster, database: "telemetry", managed, kusto: listed, access: new Map(access.map(([n, a]) => [toConnectionId(keyOf(n)).toLowerCase(), a])), missingSources: new Set(missing.map((m) => m.toLowerCase())) };
}

const types = (findings: { type: string }[]) => findings.map((f) => f.type).sort();

describe("auditDatabase", () => {
  it("finds nothing when Kusto and the registry agree and access holds through the recorded grants", () => {
    expect(auditDatabase(input([record("a")], [kusto("a")], [["a", { status: "granted", statuses: [status(true)] }]]))).toEqual([]);
  });

  it("reports revoked access of a key-based connection as high, with the lost permission and recorded grants as evidence", () => {
    const [finding] = auditDatabase(input([record("a")], [kusto("a")], [["a", { status: "revoked", statuses: [status(false)] }]]));
    expect(finding).toMatchObject({ type: "accessRevoked", severity: "high", connectionName: "a", clusterId: expect.stringMatching(/clusters\/adxdemo$/) });
    expect(finding?.evidence).toMatchObject({ lost: [{ scope: sourceIds.namespace }], recordedGrants: ["/ra/1"] });
  });

  it("reports revoked access of an identity-based connection as medium", () => {
    const mi = record("a", { authMode: "managedIdentity", binding: { principal: { tenantId: ids.tenantA, objectId: ids.clusterPrincipal, kind: "clusterIdentity", resourceId: clusterId }, requirements: [status(true)], verifiedAt: "x" } });
    expect(auditDatabase(input([mi], [kusto("a")], [["a", { status: "revoked", statuses: [status(false)] }]]))[0]?.severity).toBe("medium");
  });

  it("calls a connection whose source is gone orphaned (sourceMissing), not revoked", () => {
    expect(types(auditDatabase(input([record("a")], [kusto("a")], [["a", { status: "revoked", statuses: [status(false)] }]], [sourceIds.eventHub])))).toEqual(["sourceMissing"]);
  });

  it("reports grants that changed while access still holds", () => {
    const [finding] = auditDatabase(input([record("a")], [kusto("a")], [["a", { status: "granted", statuses: [status(true, "/ra/2")] }]]));
    expect(finding).toMatchObject({ type: "grantsChanged", severity: "low", evidence: { added: ["/ra/2"], removed: ["/ra/1"] } });
  });

  it("reports a managed connection Kusto lacks, spec drift field by field, and a Failed provisioning state", () => {
    const drifted = kusto("b", { ...specs.eventHub().properties, consumerGroup: "other" }, "Failed");
    const findings = auditDatabase(input([record("a"), record("b")], [drifted]));
    expect(types(findings)).toEqual(["connectionMissing", "provisioningFailed", "specDrift"]);
    expect(findings.find((f) => f.type === "specDrift")?.evidence).toEqual({ diffs: [{ path: "/properties/consumerGroup", desired: "adx", actual: "other" }] });
  });

  it("reports unmanaged connections: key-based high, identity-based medium", () => {
    const keyBased = kusto("x");
    const identity = kusto("y", specs.cosmosDb().properties, "Succeeded", "CosmosDb");
    const findings = auditDatabase(input([], [keyBased, identity]));
    expect(findings.map((f) => [f.type, f.connectionName, f.severity])).toEqual([
      ["unmanagedConnection", "x", "high"],
      ["unmanagedConnection", "y", "medium"],
    ]);
  });

  it("draws no conclusion from a failed listing: no missing, drift, failed or unmanaged finding", () => {
    expect(auditDatabase(input([record("a"), record("b")], undefined))).toEqual([]);
  });

  it("still reports revoked access when the listing failed (that comes from the live access check)", () => {
    expect(types(auditDatabase(input([record("a")], undefined, [["a", { status: "revoked", statuses: [status(false)] }]])))).toEqual(["accessRevoked"]);
  });

  it("leaves connections whose own operation is in flight alone", () => {
    expect(auditDatabase(input([record("a", { status: "Provisioning" })], [], [["a", { status: "revoked", statuses: [status(false)] }]]))).toEqual([]);
  });

  it("matches names case-insensitively", () => {
    expect(auditDatabase(input([record("Alpha")], [kusto("alpha")]))).toEqual([]);
  });

  it("raises no access finding when access could not be read", () => {
    expect(auditDatabase(input([record("a")], [kusto("a")], [["a", { status: "unknown", error: "403" }]]))).toEqual([]);
  });
});

describe("helpers", () => {
  it("isKeyBased: IoT Hub always, others without an identity", () => {
    expect(isKeyBased("IotHub", { managedIdentityResourceId: "/x" })).toBe(true);
    expect(isKeyBased("EventHub", {})).toBe(true);
    expect(isKeyBased("EventHub", { managedIdentityResourceId: clusterId })).toBe(false);
  });

  it("grantsChanged compares role assignment IDs case-insensitively", () => {
    expect(grantsChanged([status(true, "/RA/1")], [status(true, "/ra/1")])).toBeUndefined();
  });
});

// Scope math and the event filter contract: assignment scopes, what a deleted source concerns, Kusto scopes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actedOnOperations, classifyEvent, effectOf } from "../../../../src/lib/revocation/eventFilter";
import { assignmentScopeOf, isAtOrUnder, kustoScopeOf, sourceDeletionOf } from "../../../../src/lib/revocation/scopes";
import contract from "../../../../infra/contract/eventFilter.json";
import { resourceEvent, sourceIds } from "./revocationWorld";

const guid = "0b1f2c3d-0000-4000-8000-000000000001";

describe("assignmentScopeOf", () => {
  it("strips /providers/Microsoft.Authorization/roleAssignments/{id} at any scope, any casing", () => {
    expect(assignmentScopeOf(`${sourceIds.eventHub}/providers/Microsoft.Authorization/roleAssignments/${guid}`)).toBe(sourceIds.eventHub);
    expect(assignmentScopeOf(`/subscriptions/s/resourcegroups/rg/PROVIDERS/microsoft.authorization/ROLEASSIGNMENTS/${guid}`)).toBe("/subscriptions/s/resourcegroups/rg");
    expect(assignmentScopeOf(`/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleAssignments/${guid}`)).toBe("/providers/Microsoft.Management/managementGroups/mg");
    expect(assignmentScopeOf(`/providers/Microsoft.Authorization/roleAssignments/${guid}`)).toBe("/");
  });

  it("refuses IDs that are not role assignments", () => {
    expect(assignmentScopeOf(sourceIds.eventHub)).toBeUndefined();
    expect(assignmentScopeOf(`${sourceIds.eventHub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`)).toBeUndefined();
  });

  it("the scope of any assignment ID is a segment-boundary prefix of it", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 0, maxLength: 8 }), segment, (parts, name) => {
        const scope = parts.length === 0 ? "" : `/${parts.join("/")}`;
        const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
        const derived = assignmentScopeOf(id);
        expect(derived).toBe(scope === "" ? "/" : scope);
        expect(isAtOrUnder(id, derived === "/" ? "" : (derived ?? "x"))).toBe(true);
      }),
    );
  });
});

describe("isAtOrUnder", () => {
  it("compares at segment boundaries, case-insensitively", () => {
    expect(isAtOrUnder("/subscriptions/S/resourceGroups/RG-A/x", "/subscriptions/s/resourcegroups/rg-a")).toBe(true);
    expect(isAtOrUnder("/subscriptions/s/resourceGroups/rg-ab", "/subscriptions/s/resourceGroups/rg-a")).toBe(false);
  });
});

describe("sourceDeletionOf", () => {
  const props = (p: Record<string, unknown>) => ({ spec: { kind: "EventHub" as const, properties: p } });
  it("a namespace, hub, account or hub concerns everything at or under it", () => {
    expect(sourceDeletionOf(sourceIds.namespace).scope).toBe(sourceIds.namespace);
    expect(sourceDeletionOf(sourceIds.namespace).matches(props({}))).toBe(true);
  });

  it("an Event Hubs consumer group concerns its hub's connections reading through it", () => {
    const d = sourceDeletionOf(`${sourceIds.eventHub}/consumergroups/ADX`);
    expect(d.scope).toBe(sourceIds.eventHub);
    expect(d.matches(props({ eventHubResourceId: sourceIds.eventHub, consumerGroup: "adx" }))).toBe(true);
    expect(d.matches(props({ eventHubResourceId: sourceIds.eventHub, consumerGroup: "other" }))).toBe(false);
  });

  it("an IoT hub consumer group and Cosmos DB databases and containers narrow by their names", () => {
    const iot = sourceDeletionOf(`${sourceIds.iotHub}/eventHubEndpoints/events/ConsumerGroups/adx`);
    expect(iot.scope).toBe(sourceIds.iotHub);
    expect(iot.matches(props({ iotHubResourceId: sourceIds.iotHub, consumerGroup: "adx" }))).toBe(true);
    const container = sourceDeletionOf(`${sourceIds.cosmos}/sqlDatabases/telemetrydb/containers/readings`);
    expect(container.scope).toBe(sourceIds.cosmos);
    expect(container.matches(props({ cosmosDbAccountResourceId: sourceIds.cosmos, cosmosDbDatabase: "telemetrydb", cosmosDbContainer: "readings" }))).toBe(true);
    expect(container.matches(props({ cosmosDbAccountResourceId: sourceIds.cosmos, cosmosDbDatabase: "telemetrydb", cosmosDbContainer: "other" }))).toBe(false);
    const database = sourceDeletionOf(`${sourceIds.cosmos}/sqlDatabases/telemetrydb`);
    expect(database.matches(props({ cosmosDbAccountResourceId: sourceIds.cosmos, cosmosDbDatabase: "telemetrydb", cosmosDbContainer: "any" }))).toBe(true);
  });
});

describe("kustoScopeOf", () => {
  it("names the cluster and, for a database, the database", () => {
    expect(kustoScopeOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kusto/Clusters/c")).toEqual({ subscriptionId: "s", resourceGroup: "rg", cluster: "c" });
    expect(kustoScopeOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kusto/clusters/c/databases/d")).toMatchObject({ database: "d" });
    expect(kustoScopeOf(sourceIds.eventHub)).toBeUndefined();
  });
});

describe("the event filter contract", () => {
  it("acts on exactly the contract's operations, case-insensitively", () => {
    expect(actedOnOperations).toEqual(contract.operations.map((o) => o.operationName));
    for (const o of contract.operations) expect(effectOf(o.operationName.toUpperCase())).toBe(o.effect);
    expect(effectOf("Microsoft.Authorization/roleAssignments/write")).toBeUndefined();
  });

  it("ignores other event types and operations that did not succeed", () => {
    const event = resourceEvent("Microsoft.Authorization/roleAssignments/delete", `/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/${guid}`);
    expect(classifyEvent(event)).toBe("grant");
    expect(classifyEvent({ ...event, type: "Microsoft.Resources.ResourceDeleteFailure" })).toBeUndefined();
    expect(classifyEvent({ ...event, data: { ...event.data!, status: "Failed" } })).toBeUndefined();
    expect(classifyEvent({ ...event, data: undefined })).toBeUndefined();
  });
});

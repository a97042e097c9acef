import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caseInsensitive, isResourceIdOf, parseResourceId, resourceIdGrammars, type ResourceIdKind } from "../../../../src/lib/connections/schema/resourceIds";
import { demo, guid, ids, type IdParts } from "./arbitraries";

const kindsWithArbitraries: [ResourceIdKind, fc.Arbitrary<IdParts>][] = [
  ["eventHub", ids.eventHub],
  ["storageAccount", ids.storageAccount],
  ["iotHub", ids.iotHub],
  ["cosmosDbAccount", ids.cosmosDbAccount],
  ["kustoCluster", ids.kustoCluster],
  ["userAssignedIdentity", ids.userAssignedIdentity],
];

describe("resource-ID grammar", () => {
  it.each(kindsWithArbitraries)("parses every well-formed %s ID, whatever the casing of namespaces and types", (kind, arb) => {
    fc.assert(
      fc.property(arb, (parts) => {
        const parsed = parseResourceId(kind, parts.id);
        expect(parsed).toBeDefined();
        expect(parsed?.subscriptionId).toBe(parts.subscriptionId);
        expect(parsed?.resourceGroup).toBe(parts.resourceGroup);
        expect(parsed?.names).toEqual(parts.names);
      }),
    );
  });

  it.each(kindsWithArbitraries)("refuses a %s ID with any single segment corrupted", (kind, arb) => {
    const corruptions = [
      (id: string) => `${id}/`,
      (id: string) => id.slice(1),
      (id: string) => id.split("/").slice(0, -1).join("/"),
      (id: string) => `${id}/extra/segment`,
      (id: string) => id.replace(/^\/subscriptions\/[^/]+/i, "/subscriptions/not-a-guid"),
      (id: string) => id.replace(/\/providers\/[^/]+/i, "/providers/Microsoft.Other"),
      (id: string) => id.replace(/\/resourceGroups\/[^/]+/i, "/resourceGroups/bad rg"),
      (id: string) => `${id.split("/").slice(0, -1).join("/")}/bad name!`,
      (id: string) => id.replace(/\/resourceGroups\//i, "/resourceGroupz/"),
    ];
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: corruptions.length - 1 }), (parts, which) => {
        const corrupted = (corruptions[which] as (id: string) => string)(parts.id);
        expect(isResourceIdOf(kind, corrupted)).toBe(false);
        expect(parseResourceId(kind, corrupted)).toBeUndefined();
      }),
    );
  });

  it("never throws and never accepts arbitrary text", () => {
    const kinds = Object.keys(resourceIdGrammars) as ResourceIdKind[];
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.constantFrom(...kinds), (text, kind) => {
        const result = parseResourceId(kind, text);
        if (result !== undefined) expect(text.startsWith("/")).toBe(true);
      }),
    );
  });

  it("keeps providers apart: an event hub ID is not an IoT hub, storage or Cosmos DB ID", () => {
    fc.assert(
      fc.property(ids.eventHub, (parts) => {
        expect(isResourceIdOf("iotHub", parts.id)).toBe(false);
        expect(isResourceIdOf("storageAccount", parts.id)).toBe(false);
        expect(isResourceIdOf("cosmosDbAccount", parts.id)).toBe(false);
        expect(isResourceIdOf("managedIdentity", parts.id)).toBe(false);
      }),
    );
  });

  it("accepts the demo world's and the Kusto spec examples' IDs", () => {
    expect(isResourceIdOf("eventHub", demo.eventHubResourceId)).toBe(true);
    expect(isResourceIdOf("storageAccount", demo.storageAccountResourceId)).toBe(true);
    expect(isResourceIdOf("iotHub", demo.iotHubResourceId)).toBe(true);
    expect(isResourceIdOf("cosmosDbAccount", demo.cosmosDbAccountResourceId)).toBe(true);
    // The cluster as ARM returns it ("Clusters") is a valid managed identity (its system-assigned identity).
    expect(isResourceIdOf("managedIdentity", demo.clusterResourceId)).toBe(true);
    expect(isResourceIdOf("managedIdentity", demo.identityResourceId)).toBe(true);
    // kusto.json examples: a non-v4 GUID and "Microsoft.DocumentDb".
    expect(
      isResourceIdOf(
        "cosmosDbAccount",
        "/subscriptions/12345678-1234-1234-1234-123456789098/resourceGroups/kustorptest/providers/Microsoft.DocumentDb/databaseAccounts/cosmosDbAccountTest1",
      ),
    ).toBe(true);
    expect(
      isResourceIdOf(
        "eventGridSubscription",
        "/subscriptions/12345678-1234-1234-1234-123456789098/resourceGroups/kustorptest/providers/Microsoft.Storage/storageAccounts/teststorageaccount/providers/Microsoft.EventGrid/eventSubscriptions/eventSubscriptionTest",
      ),
    ).toBe(true);
  });

  it("bounds names by each provider's length rules", () => {
    const base = "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg/providers/";
    expect(isResourceIdOf("storageAccount", `${base}Microsoft.Storage/storageAccounts/${"a".repeat(24)}`)).toBe(true);
    expect(isResourceIdOf("storageAccount", `${base}Microsoft.Storage/storageAccounts/${"a".repeat(25)}`)).toBe(false);
    expect(isResourceIdOf("storageAccount", `${base}Microsoft.Storage/storageAccounts/st-1`)).toBe(false);
    expect(isResourceIdOf("kustoCluster", `${base}Microsoft.Kusto/clusters/1abc`)).toBe(false);
    expect(isResourceIdOf("eventHub", `${base}Microsoft.EventHub/namespaces/short/eventhubs/h`)).toBe(false);
    const rg91 = "r".repeat(91);
    expect(isResourceIdOf("storageAccount", `/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/${rg91}/providers/Microsoft.Storage/storageAccounts/abc`)).toBe(false);
    expect(isResourceIdOf("storageAccount", `/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg./providers/Microsoft.Storage/storageAccounts/abc`)).toBe(false);
  });

  it("spells literals case-insensitively without regex flags, escaping only syntax characters", () => {
    const source = caseInsensitive("Microsoft.EventHub");
    expect(new RegExp(`^${source}$`, "u").test("MICROSOFT.eventhub")).toBe(true);
    expect(new RegExp(`^${source}$`, "u").test("MicrosoftXEventHub")).toBe(false);
    fc.assert(
      fc.property(guid, (g) => {
        expect(new RegExp(`^${caseInsensitive(g)}$`, "u").test(g.toUpperCase())).toBe(true);
      }),
    );
  });
});

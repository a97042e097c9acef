// The event filter contract: the subscriptions in infra/ filter with infra/contract/eventFilter.json (the same file
// the revocation handler reads), and that filter, applied as Event Grid applies it, lets through exactly the
// Resource deletions the handler acts on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesFilter, validateFilter, type SubscriptionFilter } from "../../../emulator/eventgrid/filters";
import eventFilter from "../../../infra/contract/eventFilter.json";
import { infraDir, readBicepFiles } from "./bicepText";

const operationNames = eventFilter.operations.map((o) => o.operationName);
/** The filter infra/app/revocationEvents.bicep and infra/source-tenant/sourceEvents.bicep build from the contract. */
const filter: SubscriptionFilter = {
  includedEventTypes: eventFilter.eventTypes,
  advancedFilters: [{ operatorType: "StringIn", key: "data.operationName", values: operationNames }],
};
const event = (eventType: string, operationName: string) => ({
  id: "1",
  eventType,
  subject: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns",
  data: { operationName, status: "Succeeded" },
});

describe("infra/contract/eventFilter.json", () => {
  it("covers the deletions the revocation handler acts on (AZURE-FACTS §1, DESIGN §4)", () => {
    expect(eventFilter.eventTypes).toEqual(["Microsoft.Resources.ResourceDeleteSuccess"]);
    const lower = operationNames.map((n) => n.toLowerCase());
    for (const required of [
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.EventHub/namespaces/delete",
      "Microsoft.EventHub/namespaces/eventhubs/delete",
      "Microsoft.EventHub/namespaces/eventhubs/consumergroups/delete",
      "Microsoft.Devices/IotHubs/delete",
      "Microsoft.Storage/storageAccounts/delete",
      "Microsoft.DocumentDB/databaseAccounts/delete",
      "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/delete",
      "Microsoft.Kusto/clusters/delete",
      "Microsoft.Kusto/clusters/databases/delete",
    ]) {
      expect(lower, required).toContain(required.toLowerCase());
    }
  });

  it("is a filter Event Grid accepts: unique operations, delete actions only, at most 25 StringIn values", () => {
    expect(new Set(operationNames.map((n) => n.toLowerCase())).size).toBe(operationNames.length);
    expect(operationNames.length).toBeLessThanOrEqual(25);
    for (const op of eventFilter.operations) {
      expect(op.operationName).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+\/delete$/);
      expect(["grant", "source", "cluster"]).toContain(op.effect);
      expect(op.reason.length, op.operationName).toBeGreaterThan(20);
    }
    expect(validateFilter(filter)).toBeUndefined();
  });

  it("lets through every listed deletion, in any casing, and nothing else", () => {
    for (const name of operationNames) {
      expect(matchesFilter(filter, event("Microsoft.Resources.ResourceDeleteSuccess", name)), name).toBe(true);
      expect(matchesFilter(filter, event("Microsoft.Resources.ResourceDeleteSuccess", name.toUpperCase())), name).toBe(true);
      expect(matchesFilter(filter, event("Microsoft.Resources.ResourceWriteSuccess", name)), name).toBe(false);
      expect(matchesFilter(filter, event("Microsoft.Resources.ResourceDeleteFailure", name)), name).toBe(false);
    }
    const listed = new Set(operationNames.map((n) => n.toLowerCase()));
    fc.assert(
      fc.property(fc.stringMatching(/^Microsoft\.[A-Za-z]{1,12}(\/[A-Za-z]{1,12}){1,4}\/(delete|write|read|action)$/), (name) => {
        expect(matchesFilter(filter, event("Microsoft.Resources.ResourceDeleteSuccess", name))).toBe(listed.has(name.toLowerCase()));
      }),
    );
  });
});

describe("the event subscriptions in infra/", () => {
  const files = readBicepFiles();
  const byPath = (p: string) => files.find((f) => f.path === p) ?? expect.unreachable(`${p} is missing`);

  it("filter the Kusto side with the contract: included event types and StringIn on data.operationName", () => {
    const { text } = byPath("infra/app/revocationEvents.bicep");
    expect(text).toContain("var eventFilter = loadJsonContent('../contract/eventFilter.json')");
    expect(text).toMatch(/includedEventTypes: eventFilter\.eventTypes\n/);
    expect(text).toMatch(/operatorType: 'StringIn'\n\s*key: 'data\.operationName'\n\s*values: map\(eventFilter\.operations, o => o\.operationName\)\n/);
    expect(text).toMatch(/endpointType: 'AzureFunction'/);
    expect(text).toMatch(/resourceId: '\$\{functionAppResourceId\}\/functions\/\$\{functionName\}'/);
  });

  it("filter each source subscription with the same contract, delivered to the Entra-protected webhook", () => {
    const main = byPath("infra/source-tenant/main.bicep").text;
    expect(main).toContain("var eventFilter = loadJsonContent('../contract/eventFilter.json')");
    expect(main).toMatch(/eventTypes: eventFilter\.eventTypes\n/);
    expect(main).toMatch(/operationNames: map\(eventFilter\.operations, o => o\.operationName\)\n/);
    const events = byPath("infra/source-tenant/sourceEvents.bicep").text;
    expect(events).toMatch(/includedEventTypes: eventTypes\n/);
    expect(events).toMatch(/operatorType: 'StringIn'\n\s*key: 'data\.operationName'\n\s*values: operationNames\n/);
    expect(events).toMatch(/endpointType: 'WebHook'[\s\S]*azureActiveDirectoryTenantId: appTenantId[\s\S]*azureActiveDirectoryApplicationIdOrUri: apiApplicationIdOrUri/);
  });

  it("never hard-code an event type or an operation name of the contract", () => {
    for (const file of files) {
      for (const literal of [...eventFilter.eventTypes, ...operationNames]) {
        expect(file.text.toLowerCase().includes(`'${literal.toLowerCase()}'`), `${file.path} hard-codes ${literal}`).toBe(false);
      }
    }
  });

  it("set a deliberate retry policy and dead-letter the Kusto side to the contract's container", () => {
    const text = readFileSync(join(infraDir, "app", "revocationEvents.bicep"), "utf8");
    expect(text).toMatch(/maxDeliveryAttempts: 30\n\s*eventTimeToLiveInMinutes: 1440/);
    expect(text).toMatch(/deadLetterWithResourceIdentity:[\s\S]*endpointType: 'StorageBlob'/);
    const main = readFileSync(join(infraDir, "main.bicep"), "utf8");
    expect(main).toMatch(/deadLetterContainerName: first\(filter\(storage\.blobContainers, c => c\.\?deadLetter \?\? false\)\)\.name/);
  });
});

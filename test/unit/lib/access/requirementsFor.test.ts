import { describe, expect, it } from "vitest";
import { connectionKinds, type AuthMode, type DataConnectionSpec } from "../../../../src/lib/connections/model";
import { isAppError } from "../../../../src/lib/errors";
import { requirementsFor, requirementTable, supportedAuthModes } from "../../../../src/lib/access/requirementsFor";
// The emulator's Kusto provider is written independently of src/lib: the table must say what it checks.
import { keyRequirements, managedIdentityRequirements } from "../../../../emulator/providers/kusto/sourceAccess";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-src/providers";
const NAMESPACE = `${SUB}/Microsoft.EventHub/namespaces/ns1`;
const HUB = `${NAMESPACE}/eventhubs/hub1`;
const STORAGE = `${SUB}/Microsoft.Storage/storageAccounts/st1`;
const IOT = `${SUB}/Microsoft.Devices/IotHubs/iot1`;
const COSMOS = `${SUB}/Microsoft.DocumentDB/databaseAccounts/cosmos1`;
const MI = `${SUB}/Microsoft.Kusto/clusters/adx`;

const specs: Record<string, DataConnectionSpec> = {
  EventHub: { kind: "EventHub", properties: { eventHubResourceId: HUB, consumerGroup: "adx" } },
  EventGrid: { kind: "EventGrid", properties: { eventHubResourceId: HUB, storageAccountResourceId: STORAGE, consumerGroup: "adx" } },
  IotHub: { kind: "IotHub", properties: { iotHubResourceId: IOT, consumerGroup: "adx", sharedAccessPolicyName: "iothubowner" } },
  CosmosDb: {
    kind: "CosmosDb",
    properties: { cosmosDbAccountResourceId: COSMOS, cosmosDbDatabase: "db", cosmosDbContainer: "c", tableName: "T", managedIdentityResourceId: MI },
  },
};

describe("the requirement table", () => {
  it("has a well-formed rule for every kind and mode it lists", () => {
    for (const kind of connectionKinds) {
      for (const [mode, rules] of Object.entries(requirementTable[kind])) {
        expect(["key", "managedIdentity"]).toContain(mode);
        expect(rules!.length).toBeGreaterThan(0);
        for (const rule of rules!) {
          expect(rule.permission).toMatch(/^Microsoft\.[A-Za-z]+\/[^*]+$/);
          expect(["action", "dataAction"]).toContain(rule.permissionKind);
          expect(Number.isInteger(rule.ancestorLevels) && rule.ancestorLevels >= 0).toBe(true);
          expect(rule.property).toMatch(/ResourceId$/);
        }
      }
    }
  });

  it("supports key only for IotHub, managed identity only for CosmosDb, and both for EventHub and EventGrid", () => {
    expect(supportedAuthModes("IotHub")).toEqual(["key"]);
    expect(supportedAuthModes("CosmosDb")).toEqual(["managedIdentity"]);
    expect(supportedAuthModes("EventHub")).toEqual(["key", "managedIdentity"]);
    expect(supportedAuthModes("EventGrid")).toEqual(["key", "managedIdentity"]);
  });
});

describe("requirementsFor", () => {
  it("asks key-mode EventHub for list-keys on the event hub's namespace", () => {
    expect(requirementsFor(specs.EventHub!, "key")).toEqual([
      { source: "eventHubNamespace", scope: NAMESPACE, permission: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", permissionKind: "action" },
    ]);
  });

  it("asks key-mode EventGrid for list-keys on the storage account and on the event hub's namespace", () => {
    expect(requirementsFor(specs.EventGrid!, "key")).toEqual([
      { source: "storageAccount", scope: STORAGE, permission: "Microsoft.Storage/storageAccounts/listkeys/action", permissionKind: "action" },
      { source: "eventHubNamespace", scope: NAMESPACE, permission: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", permissionKind: "action" },
    ]);
  });

  it("asks IotHub for list-keys on the hub", () => {
    expect(requirementsFor(specs.IotHub!, "key")).toEqual([
      { source: "iotHub", scope: IOT, permission: "Microsoft.Devices/IotHubs/listkeys/action", permissionKind: "action" },
    ]);
  });

  it("asks managed-identity EventHub for the receive data action on the event hub itself", () => {
    expect(requirementsFor(specs.EventHub!, "managedIdentity")).toEqual([
      { source: "eventHub", scope: HUB, permission: "Microsoft.EventHub/namespaces/messages/receive/action", permissionKind: "dataAction" },
    ]);
  });

  it("asks managed-identity EventGrid for receive on the hub and blob read on the storage account", () => {
    expect(requirementsFor(specs.EventGrid!, "managedIdentity")).toEqual([
      { source: "eventHub", scope: HUB, permission: "Microsoft.EventHub/namespaces/messages/receive/action", permissionKind: "dataAction" },
      { source: "storageAccount", scope: STORAGE, permission: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", permissionKind: "dataAction" },
    ]);
  });

  it("asks CosmosDb for the ARM read action on the account (the data-plane SQL role is outside RBAC)", () => {
    expect(requirementsFor(specs.CosmosDb!, "managedIdentity")).toEqual([
      { source: "cosmosDbAccount", scope: COSMOS, permission: "Microsoft.DocumentDB/databaseAccounts/read", permissionKind: "action" },
    ]);
  });

  it("agrees with what the emulator's Kusto provider checks, for every kind and mode", () => {
    for (const [kind, spec] of Object.entries(specs)) {
      const expected = (mode: AuthMode) =>
        (mode === "key" ? keyRequirements : managedIdentityRequirements)(kind as never, spec.properties).map((r) => ({
          scope: r.scope.toLowerCase(),
          permission: r.action.toLowerCase(),
          kind: r.kind,
        }));
      for (const mode of ["key", "managedIdentity"] as const) {
        const ours = supportedAuthModes(spec.kind).includes(mode)
          ? requirementsFor(spec, mode).map((r) => ({ scope: r.scope.toLowerCase(), permission: r.permission.toLowerCase(), kind: r.permissionKind }))
          : [];
        const sort = (xs: { scope: string; permission: string }[]) => [...xs].sort((a, b) => (a.scope + a.permission).localeCompare(b.scope + b.permission));
        expect(sort(ours), `${kind} ${mode}`).toEqual(sort(expected(mode)));
      }
    }
  });

  it("refuses a mode the kind does not support, naming /access/mode", () => {
    for (const [kind, mode] of [["IotHub", "managedIdentity"], ["CosmosDb", "key"]] as const) {
      const error = catchError(() => requirementsFor(specs[kind]!, mode));
      expect(isAppError(error) && error.code).toBe("AuthModeNotSupported");
      expect(isAppError(error) && error.problems[0]?.path).toBe("/access/mode");
    }
  });

  it("refuses a missing source ID or one without a parent to climb to, naming the property", () => {
    const missing = catchError(() => requirementsFor({ kind: "EventHub", properties: { consumerGroup: "x" } }, "key"));
    expect(isAppError(missing) && missing.problems[0]).toMatchObject({ code: "InvalidSourceResourceId", path: "/properties/eventHubResourceId" });
    const topLevel = catchError(() => requirementsFor({ kind: "EventHub", properties: { eventHubResourceId: NAMESPACE } }, "key"));
    expect(isAppError(topLevel) && topLevel.code).toBe("InvalidSourceResourceId");
  });

  it("ignores a trailing slash on a source ID", () => {
    expect(requirementsFor({ kind: "EventHub", properties: { eventHubResourceId: `${HUB}/` } }, "key")[0]?.scope).toBe(NAMESPACE);
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

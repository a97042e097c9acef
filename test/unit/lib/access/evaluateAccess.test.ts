import { describe, expect, it } from "vitest";
import type { PermissionKind, Requirement } from "../../../../src/lib/connections/model";
import type { RoleAssignmentInfo, RoleDefinitionInfo, RolePermission } from "../../../../src/lib/access/ports";
import {
  evaluateAccess,
  permissionMatches,
  roleDefinitionLookup,
  scopeCovers,
} from "../../../../src/lib/access/evaluateAccess";
import builtInRoles from "../../../../emulator/world/builtInRoles.json";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const RG = `${SUB}/resourceGroups/rg-src`;
const NAMESPACE = `${RG}/providers/Microsoft.EventHub/namespaces/ns1`;
const HUB = `${NAMESPACE}/eventhubs/hub1`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/st1`;
const IOT = `${RG}/providers/Microsoft.Devices/IotHubs/iot1`;
const COSMOS = `${RG}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos1`;
const PRINCIPAL = "11111111-0000-4000-8000-000000000001";

const EH_LIST_KEYS = "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action";
const EH_RECEIVE = "Microsoft.EventHub/namespaces/messages/receive/action";

const req = (scope: string, permission: string, permissionKind: PermissionKind = "action"): Requirement => ({ source: "test", scope, permission, permissionKind });

let counter = 0;
function assignment(scope: string, role: string, extra: Partial<RoleAssignmentInfo> = {}): RoleAssignmentInfo {
  counter += 1;
  const name = `aaaaaaaa-0000-4000-8000-${String(counter).padStart(12, "0")}`;
  return {
    id: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    scope,
    roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    principalId: PRINCIPAL,
    principalType: "ServicePrincipal",
    ...extra,
  };
}

function role(name: string, ...permissions: Partial<RolePermission>[]): RoleDefinitionInfo {
  return {
    id: `/providers/Microsoft.Authorization/roleDefinitions/${name}`,
    roleName: name,
    permissions: permissions.map((p) => ({ actions: [], notActions: [], dataActions: [], notDataActions: [], ...p })),
  };
}

const builtIns = (builtInRoles as { name: string; roleName: string; permissions: RolePermission[] }[]).map(
  (r): RoleDefinitionInfo => ({ id: `/providers/Microsoft.Authorization/roleDefinitions/${r.name}`, roleName: r.roleName, permissions: r.permissions }),
);
const guidOf = (roleName: string) => {
  const found = builtIns.find((r) => r.roleName === roleName);
  if (!found) throw new Error(`no built-in role ${roleName}`);
  return found.id.split("/").pop()!;
};

describe("permissionMatches", () => {
  it("lets * span slashes", () => {
    expect(permissionMatches("Microsoft.EventHub/*/receive/action", EH_RECEIVE)).toBe(true);
    expect(permissionMatches("*/read", "Microsoft.DocumentDB/databaseAccounts/read")).toBe(true);
    expect(permissionMatches("*", EH_LIST_KEYS)).toBe(true);
  });

  it("ignores case", () => {
    expect(permissionMatches("Microsoft.Authorization/*/Delete", "microsoft.authorization/roleassignments/delete")).toBe(true);
    expect(permissionMatches("MICROSOFT.STORAGE/storageAccounts/LISTKEYS/action", "Microsoft.Storage/storageAccounts/listkeys/action")).toBe(true);
  });

  it("matches the whole permission, not a part, and treats regex characters literally", () => {
    expect(permissionMatches("Microsoft.EventHub/namespaces/read", "Microsoft.EventHub/namespaces/read/more")).toBe(false);
    expect(permissionMatches("Microsoft.EventHub/namespaces/read", "xMicrosoft.EventHub/namespaces/read")).toBe(false);
    expect(permissionMatches("Microsoft.EventHub/namespaces/read", "MicrosoftXEventHub/namespaces/read")).toBe(false);
    expect(permissionMatches("Microsoft.EventHub/*/send/action", EH_RECEIVE)).toBe(false);
  });
});

describe("scopeCovers", () => {
  it("covers the same scope and descendants at segment boundaries only", () => {
    expect(scopeCovers(RG, HUB)).toBe(true);
    expect(scopeCovers(HUB, HUB.toUpperCase())).toBe(true);
    expect(scopeCovers(`${SUB}/resourceGroups/rg`, HUB)).toBe(false);
    expect(scopeCovers(HUB, NAMESPACE)).toBe(false);
    expect(scopeCovers(`${RG}/`, `${HUB}`)).toBe(true);
  });

  it("lets the root and a management group the reader returned cover a subscription's resources", () => {
    expect(scopeCovers("/", HUB)).toBe(true);
    expect(scopeCovers("/providers/Microsoft.Management/managementGroups/mg1", HUB)).toBe(true);
    expect(scopeCovers("/providers/Microsoft.Management/managementGroups/mg1", "/providers/Microsoft.Management/managementGroups/mg2")).toBe(false);
  });
});

describe("evaluateAccess", () => {
  const owner = role("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", { actions: ["*"] });
  const receiver = role("a638d3c7-ab3a-418d-83e6-5f17a39d4fde", {
    actions: ["Microsoft.EventHub/*/eventhubs/consumergroups/read"],
    dataActions: ["Microsoft.EventHub/*/receive/action"],
  });
  const lookup = roleDefinitionLookup([owner, receiver]);

  it("grants through an assignment at the scope and records it as a Grant", () => {
    const a = assignment(HUB, receiver.roleName!);
    const status = evaluateAccess(req(HUB, EH_RECEIVE, "dataAction"), [a], lookup);
    expect(status.granted).toBe(true);
    expect(status.grants).toEqual([{ roleAssignmentId: a.id, roleDefinitionId: a.roleDefinitionId, scope: HUB, assigneeObjectId: PRINCIPAL }]);
  });

  it("inherits from the resource group, subscription and a management group", () => {
    for (const scope of [RG, SUB, "/providers/Microsoft.Management/managementGroups/root-mg"]) {
      expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [assignment(scope, owner.roleName!)], lookup).granted, scope).toBe(true);
    }
  });

  it("ignores assignments below the scope and at sibling scopes a prefix would confuse", () => {
    const below = assignment(HUB, owner.roleName!);
    const sibling = assignment(`${SUB}/resourceGroups/rg-sr`, owner.roleName!);
    const siblingPrefix = assignment(`${NAMESPACE}1`, owner.roleName!);
    expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [below, sibling, siblingPrefix], lookup).granted).toBe(false);
  });

  it("never lets * in actions grant a data action (an Owner cannot receive events)", () => {
    expect(evaluateAccess(req(HUB, EH_RECEIVE, "dataAction"), [assignment(HUB, owner.roleName!)], lookup).granted).toBe(false);
  });

  it("never lets a data action grant a control-plane action of the same name", () => {
    const dataOnly = role("dddddddd-0000-4000-8000-000000000001", { dataActions: ["*"] });
    const status = evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [assignment(NAMESPACE, dataOnly.roleName!)], roleDefinitionLookup([dataOnly]));
    expect(status.granted).toBe(false);
  });

  it("subtracts notActions within the same block only: another block or role still grants", () => {
    const split = role(
      "dddddddd-0000-4000-8000-000000000002",
      { actions: ["Microsoft.EventHub/*"], notActions: [EH_LIST_KEYS] },
      { actions: ["Microsoft.EventHub/namespaces/authorizationRules/*"] },
    );
    const excluded = role("dddddddd-0000-4000-8000-000000000003", { actions: ["Microsoft.EventHub/*"], notActions: ["Microsoft.EventHub/*/listKeys/action"] });
    const lookup2 = roleDefinitionLookup([split, excluded, owner]);
    expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [assignment(NAMESPACE, split.roleName!)], lookup2).granted).toBe(true);
    expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [assignment(NAMESPACE, excluded.roleName!)], lookup2).granted).toBe(false);
    const both = evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [assignment(NAMESPACE, excluded.roleName!), assignment(RG, owner.roleName!)], lookup2);
    expect(both.granted).toBe(true);
    expect(both.grants.map((g) => g.scope)).toEqual([RG]);
  });

  it("excludes Contributor from role assignment writes through its case-different notActions", () => {
    const contributor = builtIns.find((r) => r.roleName === "Contributor")!;
    const status = evaluateAccess(
      req(RG, "microsoft.authorization/roleassignments/write"),
      [assignment(RG, guidOf("Contributor"))],
      roleDefinitionLookup([contributor]),
    );
    expect(status.granted).toBe(false);
  });

  it("does not count an assignment with an ABAC condition", () => {
    const conditioned = assignment(NAMESPACE, owner.roleName!, {
      condition: "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'x'",
    });
    expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [conditioned], lookup).granted).toBe(false);
    const blank = assignment(NAMESPACE, owner.roleName!, { condition: "  " });
    expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [blank], lookup).granted).toBe(true);
  });

  it("ignores an assignment whose role definition is unknown", () => {
    expect(evaluateAccess(req(NAMESPACE, EH_LIST_KEYS), [assignment(NAMESPACE, "eeeeeeee-0000-4000-8000-000000000000")], lookup).granted).toBe(false);
  });

  it("lists every granting assignment once, nearest scope first, whatever form the role definition ID takes", () => {
    const atSub = assignment(SUB, owner.roleName!);
    const atHub = assignment(HUB, receiver.roleName!, { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${receiver.roleName!.toUpperCase()}` });
    const viaGroup = assignment(RG, receiver.roleName!, { principalId: "99999999-0000-4000-8000-000000000001", principalType: "Group" });
    const status = evaluateAccess(req(HUB, EH_RECEIVE, "dataAction"), [atSub, viaGroup, atHub, { ...atHub }], lookup);
    expect(status.grants.map((g) => g.roleAssignmentId)).toEqual([atHub.id, viaGroup.id]);
    expect(status.grants[1]?.assigneeObjectId).toBe("99999999-0000-4000-8000-000000000001");
  });
});

describe("built-in roles × the connection requirements", () => {
  const custom = role("cccccccc-0000-4000-8000-000000000001", {
    actions: ["Microsoft.EventHub/*"],
    dataActions: ["Microsoft.EventHub/*"],
    notDataActions: [EH_RECEIVE],
  });
  const roles = [...builtIns, custom];
  const lookup = roleDefinitionLookup(roles);

  const requirements: Record<string, Requirement> = {
    ehListKeys: req(NAMESPACE, EH_LIST_KEYS),
    ehReceive: req(HUB, EH_RECEIVE, "dataAction"),
    storageListKeys: req(STORAGE, "Microsoft.Storage/storageAccounts/listkeys/action"),
    blobRead: req(STORAGE, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "dataAction"),
    iotListKeys: req(IOT, "Microsoft.Devices/IotHubs/listkeys/action"),
    cosmosRead: req(COSMOS, "Microsoft.DocumentDB/databaseAccounts/read"),
  };
  const columns = Object.keys(requirements);
  // Expected by hand from the role definitions (AZURE-FACTS §6): 1 = granted.
  const table: Record<string, string> = {
    //                                   ehListKeys ehReceive storageListKeys blobRead iotListKeys cosmosRead
    Owner: "1 0 1 0 1 1",
    Contributor: "1 0 1 0 1 1",
    Reader: "0 0 0 0 0 1",
    "Azure Event Hubs Data Owner": "1 1 0 0 0 0",
    "Azure Event Hubs Data Receiver": "0 1 0 0 0 0",
    "Azure Event Hubs Data Sender": "0 0 0 0 0 0",
    "Storage Blob Data Reader": "0 0 0 1 0 0",
    "Storage Blob Data Owner": "0 0 0 1 0 0",
    "IoT Hub Data Contributor": "0 0 0 0 0 0",
    "Cosmos DB Account Reader Role": "0 0 0 0 0 1",
    [custom.roleName!]: "1 0 0 0 0 0",
  };

  for (const [roleName, row] of Object.entries(table)) {
    it(`${roleName === custom.roleName ? "a custom role with notDataActions excluding receive" : roleName}: ${row}`, () => {
      const guid = roleName === custom.roleName ? custom.roleName! : guidOf(roleName);
      const actual = columns.map((c) => {
        const r = requirements[c]!;
        return evaluateAccess(r, [assignment(r.scope, guid)], lookup).granted ? "1" : "0";
      });
      expect(actual.join(" ")).toBe(row);
    });
  }
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionMatches, createRbac, permissionGrants, scopeCovers, toEvidence } from "../../../../emulator/arm/rbac";
import type { WorldSeed } from "../../../../emulator/world/types";
import { World } from "../../../../emulator/world/world";

const T = "11111111-1111-4111-8111-111111111111";
const S = "11111111-2222-4222-8222-222222222222";
const SUB = `/subscriptions/${S}`;
const RG = `${SUB}/resourceGroups/rg`;
const NS = `${RG}/providers/Microsoft.EventHub/namespaces/ns`;
const HUB = `${NS}/eventhubs/hub`;
const OTHER_HUB = `${NS}/eventhubs/other`;
const USER = "aaaaaaaa-0000-4000-8000-000000000001";
const MEMBER = "aaaaaaaa-0000-4000-8000-000000000002";
const GROUP = "aaaaaaaa-0000-4000-8000-000000000003";
const OUTER_GROUP = "aaaaaaaa-0000-4000-8000-000000000004";
const RECEIVE = "Microsoft.EventHub/namespaces/messages/receive/action";

function world(assignments: WorldSeed["roleAssignments"] = [], customRoles: WorldSeed["customRoles"] = []): World {
  return new World({
    tenants: [{ id: T, displayName: "t" }],
    subscriptions: [{ id: S, tenantId: T, displayName: "s" }],
    principals: [
      { objectId: USER, tenantId: T, type: "User", displayName: "user" },
      { objectId: MEMBER, tenantId: T, type: "ServicePrincipal", displayName: "member" },
      { objectId: GROUP, tenantId: T, type: "Group", displayName: "group", members: [MEMBER] },
      { objectId: OUTER_GROUP, tenantId: T, type: "Group", displayName: "outer", members: [GROUP] },
    ],
    customRoles,
    roleAssignments: assignments,
  });
}

describe("actionMatches", () => {
  it("lets * span path segments", () => {
    expect(actionMatches("Microsoft.EventHub/*/receive/action", RECEIVE)).toBe(true);
    expect(actionMatches("*", "Microsoft.Kusto/clusters/databases/dataConnections/write")).toBe(true);
    expect(actionMatches("*/read", "Microsoft.Kusto/clusters/databases/read")).toBe(true);
  });

  it("ignores case", () => {
    expect(actionMatches("Microsoft.Authorization/*/Delete", "microsoft.authorization/roleassignments/delete")).toBe(true);
  });

  it("matches the whole action, not a prefix or a suffix", () => {
    expect(actionMatches("Microsoft.EventHub/namespaces/read", "Microsoft.EventHub/namespaces/read/extra")).toBe(false);
    expect(actionMatches("*/read", "Microsoft.EventHub/namespaces/write")).toBe(false);
    expect(actionMatches("Microsoft.EventHub/*", "Microsoft.EventHubX/namespaces/read")).toBe(false);
  });

  it("treats regex metacharacters in patterns literally", () => {
    expect(actionMatches("Microsoft.Event.ub/*", "Microsoft.EventHub/x")).toBe(false);
  });
});

describe("permissionGrants", () => {
  const contributorLike = { actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete"], dataActions: [], notDataActions: [] };

  it("excludes what notActions match", () => {
    expect(permissionGrants(contributorLike, "Microsoft.Authorization/roleAssignments/delete", "action")).toBe(false);
    expect(permissionGrants(contributorLike, "Microsoft.Kusto/clusters/write", "action")).toBe(true);
  });

  it("never grants data actions from actions, nor actions from dataActions", () => {
    expect(permissionGrants(contributorLike, RECEIVE, "dataAction")).toBe(false);
    const dataOnly = { actions: [], notActions: [], dataActions: ["Microsoft.EventHub/*"], notDataActions: [] };
    expect(permissionGrants(dataOnly, "Microsoft.EventHub/namespaces/read", "action")).toBe(false);
    expect(permissionGrants(dataOnly, RECEIVE, "dataAction")).toBe(true);
  });

  it("excludes what notDataActions match", () => {
    const p = { actions: [], notActions: [], dataActions: ["Microsoft.EventHub/*"], notDataActions: ["*/send/action"] };
    expect(permissionGrants(p, "Microsoft.EventHub/namespaces/messages/send/action", "dataAction")).toBe(false);
    expect(permissionGrants(p, RECEIVE, "dataAction")).toBe(true);
  });
});

describe("scopeCovers", () => {
  it("covers the same scope and descendants on whole segments only", () => {
    expect(scopeCovers(RG, RG)).toBe(true);
    expect(scopeCovers(RG, HUB)).toBe(true);
    expect(scopeCovers(RG.toUpperCase(), HUB)).toBe(true);
    expect(scopeCovers(`${RG}/`, HUB)).toBe(true);
    expect(scopeCovers(HUB, NS)).toBe(false);
    expect(scopeCovers(`${SUB}/resourceGroups/r`, RG)).toBe(false);
    expect(scopeCovers("/", HUB)).toBe(true);
  });
});

describe("createRbac", () => {
  it("grants built-in roles' actions and data actions as the docs describe", () => {
    const w = world([
      { scope: SUB, role: "Owner", principalId: USER },
      { scope: HUB, role: "Azure Event Hubs Data Receiver", principalId: MEMBER },
    ]);
    const rbac = createRbac(w);
    // Owner: every action, but no data action.
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.Authorization/roleAssignments/delete", HUB, "action")).toBe(true);
    expect(rbac.isAllowed({ objectId: USER }, RECEIVE, HUB, "dataAction")).toBe(false);
    // Data Receiver on one hub: receive there, not on a sibling, not send.
    expect(rbac.isAllowed({ objectId: MEMBER }, RECEIVE, HUB, "dataAction")).toBe(true);
    expect(rbac.isAllowed({ objectId: MEMBER }, RECEIVE, OTHER_HUB, "dataAction")).toBe(false);
    expect(rbac.isAllowed({ objectId: MEMBER }, "Microsoft.EventHub/namespaces/messages/send/action", HUB, "dataAction")).toBe(false);
    expect(rbac.isAllowed({ objectId: MEMBER }, "Microsoft.EventHub/namespaces/eventhubs/consumergroups/read", `${HUB}/consumergroups/cg`, "action")).toBe(true);
  });

  it("keeps Contributor away from role assignments", () => {
    const rbac = createRbac(world([{ scope: RG, role: "Contributor", principalId: USER }]));
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.Kusto/clusters/databases/dataConnections/write", `${RG}/providers/Microsoft.Kusto/clusters/c`, "action")).toBe(true);
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.Authorization/roleAssignments/write", RG, "action")).toBe(false);
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.Authorization/roleAssignments/delete", RG, "action")).toBe(false);
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.Authorization/roleAssignments/read", RG, "action")).toBe(true);
  });

  it("inherits from the resource group and subscription but not from siblings or children", () => {
    const rbac = createRbac(world([{ scope: NS, role: "Reader", principalId: USER }]));
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.EventHub/namespaces/eventhubs/read", HUB, "action")).toBe(true);
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.Resources/subscriptions/resourceGroups/read", RG, "action")).toBe(false);
  });

  it("grants through direct and nested group membership", () => {
    const rbac = createRbac(world([{ scope: RG, role: "Reader", principalId: OUTER_GROUP }]));
    expect(rbac.isAllowed({ objectId: MEMBER }, "Microsoft.EventHub/namespaces/read", NS, "action")).toBe(true);
    expect(rbac.isAllowed({ objectId: USER }, "Microsoft.EventHub/namespaces/read", NS, "action")).toBe(false);
  });

  it("reports the nearest granting assignment as evidence", () => {
    const w = world([
      { name: "00000000-0000-4000-8000-00000000000a", scope: SUB, role: "Owner", principalId: USER },
      { name: "00000000-0000-4000-8000-00000000000b", scope: NS, role: "Azure Event Hubs Data Owner", principalId: USER },
    ]);
    const grant = createRbac(w).findGrant(USER, "Microsoft.EventHub/namespaces/eventhubs/write", HUB, "action");
    expect(grant?.role.roleName).toBe("Azure Event Hubs Data Owner");
    expect(toEvidence(grant!)).toEqual({
      role: "Azure Event Hubs Data Owner",
      roleAssignmentScope: NS,
      roleAssignmentId: "00000000-0000-4000-8000-00000000000b".replace(/-/g, ""),
      roleDefinitionId: "f526a384b230433ab45c95f59c4a2dec",
      principalId: USER.replace(/-/g, ""),
      principalType: "User",
    });
  });

  it("sees assignments added and removed after it was created", () => {
    const w = world();
    const rbac = createRbac(w);
    expect(rbac.isAllowed({ objectId: USER }, RECEIVE, HUB, "dataAction")).toBe(false);
    const record = w.createRoleAssignment({ scope: NS, role: "Azure Event Hubs Data Receiver", principalId: USER });
    expect(rbac.isAllowed({ objectId: USER }, RECEIVE, HUB, "dataAction")).toBe(true);
    w.deleteResource(record.id);
    expect(rbac.isAllowed({ objectId: USER }, RECEIVE, HUB, "dataAction")).toBe(false);
  });

  describe("properties", () => {
    const roles = ["Owner", "Contributor", "Reader", "Azure Event Hubs Data Owner", "Azure Event Hubs Data Receiver", "Azure Event Hubs Data Sender", "Custom"];
    const scopes = ["/", SUB, RG, NS, HUB, OTHER_HUB];
    const principals = [USER, MEMBER, GROUP, OUTER_GROUP];
    const actions = [
      RECEIVE,
      "Microsoft.EventHub/namespaces/messages/send/action",
      "Microsoft.EventHub/namespaces/eventhubs/read",
      "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action",
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Kusto/clusters/write",
    ];
    const custom = [
      {
        name: "cccccccc-0000-4000-8000-000000000001",
        roleName: "Custom",
        type: "CustomRole" as const,
        permissions: [{ actions: ["Microsoft.EventHub/*"], notActions: ["*/listKeys/action"], dataActions: ["*"], notDataActions: ["*/send/action"] }],
        assignableScopes: ["/"],
      },
    ];
    const assignment = fc.record({
      scope: fc.constantFrom(...scopes.filter((s) => s !== "/")),
      role: fc.constantFrom(...roles),
      principalId: fc.constantFrom(...principals),
    });
    const query = fc.record({
      principal: fc.constantFrom(USER, MEMBER),
      action: fc.constantFrom(...actions),
      scope: fc.constantFrom(...scopes.slice(1)),
      kind: fc.constantFrom("action" as const, "dataAction" as const),
    });

    it("never grants more after an assignment is removed", () => {
      fc.assert(
        fc.property(fc.array(assignment, { maxLength: 6 }), fc.nat(), query, (list, pick, q) => {
          fc.pre(list.length > 0);
          const full = createRbac(world(list, custom)).isAllowed({ objectId: q.principal }, q.action, q.scope, q.kind);
          const fewer = list.filter((_, i) => i !== pick % list.length);
          const reduced = createRbac(world(fewer, custom)).isAllowed({ objectId: q.principal }, q.action, q.scope, q.kind);
          return !reduced || full;
        }),
        { numRuns: 300 },
      );
    });

    it("never grants an action that every assigned role excludes", () => {
      fc.assert(
        fc.property(fc.array(fc.record({ scope: fc.constantFrom(...scopes.slice(1)), principalId: fc.constantFrom(...principals) }), { maxLength: 5 }), query, (list, q) => {
          const w = world(list.map((a) => ({ ...a, role: "Custom" })), custom);
          const excluded = q.kind === "action" ? q.action.endsWith("/listKeys/action") : q.action.endsWith("/send/action");
          fc.pre(excluded);
          return !createRbac(w).isAllowed({ objectId: q.principal }, q.action, q.scope, q.kind);
        }),
        { numRuns: 200 },
      );
    });

    it("grants at a scope whenever it grants at its parent", () => {
      fc.assert(
        fc.property(fc.array(assignment, { maxLength: 6 }), query, (list, q) => {
          const rbac = createRbac(world(list, custom));
          const atNamespace = rbac.isAllowed({ objectId: q.principal }, q.action, NS, q.kind);
          return !atNamespace || rbac.isAllowed({ objectId: q.principal }, q.action, HUB, q.kind);
        }),
        { numRuns: 300 },
      );
    });
  });
});

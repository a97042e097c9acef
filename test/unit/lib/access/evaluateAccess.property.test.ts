// Properties of the effective-access evaluator over generated roles, assignments and requirements.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PermissionKind, Requirement } from "../../../../src/lib/connections/model";
import type { RoleAssignmentInfo, RoleDefinitionInfo, RolePermission } from "../../../../src/lib/access/ports";
import { evaluateAccess, roleDefinitionLookup, scopeCovers } from "../../../../src/lib/access/evaluateAccess";

// A small scope tree with prefix traps (rg1/rg10, ns/ns2) and a management group.
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const scopes = [
  "/",
  "/providers/Microsoft.Management/managementGroups/mg1",
  SUB,
  `${SUB}/resourceGroups/rg1`,
  `${SUB}/resourceGroups/rg10`,
  `${SUB}/resourceGroups/rg1/providers/Microsoft.EventHub/namespaces/ns`,
  `${SUB}/resourceGroups/rg1/providers/Microsoft.EventHub/namespaces/ns2`,
  `${SUB}/resourceGroups/rg1/providers/Microsoft.EventHub/namespaces/ns/eventhubs/hub`,
  `${SUB}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st`,
  `${SUB}/resourceGroups/rg10/providers/Microsoft.EventHub/namespaces/ns`,
];
const resourceScopes = scopes.filter((s) => s.startsWith(SUB));

const permissions = [
  "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action",
  "Microsoft.EventHub/namespaces/messages/receive/action",
  "Microsoft.EventHub/namespaces/messages/send/action",
  "Microsoft.EventHub/namespaces/read",
  "Microsoft.Storage/storageAccounts/listkeys/action",
  "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
  "Microsoft.Devices/IotHubs/listkeys/action",
  "Microsoft.Authorization/roleAssignments/write",
];

/** A pattern: a known permission, with some segments or a tail replaced by `*`, or a bare wildcard. */
const pattern = fc.oneof(
  fc.constantFrom(...permissions),
  fc.constantFrom("*", "*/read", "*/action", "Microsoft.EventHub/*", "Microsoft.EventHub/*/receive/action", "Microsoft.Storage/*", "Microsoft.*/*/listkeys/action"),
  fc.tuple(fc.constantFrom(...permissions), fc.nat()).map(([p, n]) => {
    const parts = p.split("/");
    const i = n % parts.length;
    return [...parts.slice(0, i), "*"].join("/");
  }),
);
const patterns = fc.array(pattern, { maxLength: 3 });
const block: fc.Arbitrary<RolePermission> = fc.record({ actions: patterns, notActions: patterns, dataActions: patterns, notDataActions: patterns });
const ROLE_IDS = ["10000000-0000-4000-8000-000000000001", "10000000-0000-4000-8000-000000000002", "10000000-0000-4000-8000-000000000003", "10000000-0000-4000-8000-000000000004"];
const roles: fc.Arbitrary<RoleDefinitionInfo[]> = fc.tuple(...ROLE_IDS.map(() => fc.array(block, { minLength: 1, maxLength: 2 }))).map((blocks) =>
  blocks.map((permissions, i) => ({ id: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS[i]}`, permissions })),
);
const assignments: fc.Arbitrary<RoleAssignmentInfo[]> = fc
  .array(fc.record({ scope: fc.constantFrom(...scopes), role: fc.constantFrom(...ROLE_IDS), conditional: fc.boolean() }), { maxLength: 6 })
  .map((xs) =>
    xs.map((x, i) => ({
      id: `${x.scope === "/" ? "" : x.scope}/providers/Microsoft.Authorization/roleAssignments/20000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      scope: x.scope,
      roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${x.role}`,
      principalId: "30000000-0000-4000-8000-000000000001",
      // A few conditioned ones, which never count.
      ...(x.conditional && i % 3 === 0 ? { condition: "@Resource[x] StringEquals 'y'" } : {}),
    })),
  );
const requirement: fc.Arbitrary<Requirement> = fc.record({
  source: fc.constant("p"),
  scope: fc.constantFrom(...resourceScopes),
  permission: fc.constantFrom(...permissions),
  permissionKind: fc.constantFrom<PermissionKind>("action", "dataAction"),
});

const world = fc.record({ roles, assignments, requirement });
const evaluate = (w: { roles: RoleDefinitionInfo[]; assignments: RoleAssignmentInfo[]; requirement: Requirement }) =>
  evaluateAccess(w.requirement, w.assignments, roleDefinitionLookup(w.roles));
const grantIds = (s: { grants: { roleAssignmentId: string }[] }) => s.grants.map((g) => g.roleAssignmentId.toLowerCase()).sort();

describe("effective access (properties)", () => {
  it("finds some granted and some refused cases (the generators are not degenerate)", () => {
    const samples = fc.sample(world, { numRuns: 400, seed: 42 }).map((w) => evaluate(w).granted);
    expect(samples.filter(Boolean).length).toBeGreaterThan(20);
    expect(samples.filter((g) => !g).length).toBeGreaterThan(20);
  });

  it("never grants more when an assignment is removed", () => {
    fc.assert(
      fc.property(world, fc.nat(), (w, n) => {
        fc.pre(w.assignments.length > 0);
        const fewer = w.assignments.filter((_, i) => i !== n % w.assignments.length);
        const before = evaluate(w);
        const after = evaluate({ ...w, assignments: fewer });
        if (after.granted) expect(before.granted).toBe(true);
        for (const id of grantIds(after)) expect(grantIds(before)).toContain(id);
      }),
      { numRuns: 500 },
    );
  });

  it("never grants more when a notAction or notDataAction is added", () => {
    fc.assert(
      fc.property(world, fc.nat(), fc.nat(), pattern, fc.boolean(), (w, r, b, extra, data) => {
        const target = w.roles[r % w.roles.length]!;
        const bi = b % target.permissions.length;
        const changed = w.roles.map((role) =>
          role !== target
            ? role
            : {
                ...role,
                permissions: role.permissions.map((p, i) =>
                  i !== bi ? p : data ? { ...p, notDataActions: [...p.notDataActions, extra] } : { ...p, notActions: [...p.notActions, extra] },
                ),
              },
        );
        const before = evaluate(w);
        const after = evaluate({ ...w, roles: changed });
        if (after.granted) expect(before.granted).toBe(true);
        for (const id of grantIds(after)) expect(grantIds(before)).toContain(id);
      }),
      { numRuns: 500 },
    );
  });

  it("never lets actions (even *) grant a data action", () => {
    fc.assert(
      fc.property(world, (w) => {
        const actionsOnly = w.roles.map((role) => ({
          ...role,
          permissions: role.permissions.map((p) => ({ ...p, actions: ["*", ...p.actions], dataActions: [] })),
        }));
        const status = evaluate({ ...w, roles: actionsOnly, requirement: { ...w.requirement, permissionKind: "dataAction" } });
        expect(status.granted).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a grant at a scope for every descendant of it", () => {
    fc.assert(
      fc.property(world, fc.constantFrom(...resourceScopes), (w, lower) => {
        fc.pre(scopeCovers(w.requirement.scope, lower));
        const upper = evaluate(w);
        const below = evaluate({ ...w, requirement: { ...w.requirement, scope: lower } });
        if (upper.granted) expect(below.granted).toBe(true);
        for (const id of grantIds(upper)) expect(grantIds(below)).toContain(id);
      }),
      { numRuns: 500 },
    );
  });

  it("gives the same answer whatever the casing of scopes, IDs, patterns and the permission", () => {
    const recase = (s: string, seed: number) =>
      [...s].map((c, i) => ((seed >> i % 30) & 1 ? c.toUpperCase() : c.toLowerCase())).join("");
    fc.assert(
      fc.property(world, fc.integer({ min: 0, max: 2 ** 30 }), (w, seed) => {
        const recased = {
          roles: w.roles.map((role) => ({
            id: recase(role.id, seed),
            permissions: role.permissions.map((p) => ({
              actions: p.actions.map((x) => recase(x, seed + 1)),
              notActions: p.notActions.map((x) => recase(x, seed + 2)),
              dataActions: p.dataActions.map((x) => recase(x, seed + 3)),
              notDataActions: p.notDataActions.map((x) => recase(x, seed + 4)),
            })),
          })),
          assignments: w.assignments.map((a) => ({ ...a, id: recase(a.id, seed + 5), scope: recase(a.scope, seed + 6), roleDefinitionId: recase(a.roleDefinitionId, seed + 7) })),
          requirement: { ...w.requirement, scope: recase(w.requirement.scope, seed + 8), permission: recase(w.requirement.permission, seed + 9) },
        };
        const a = evaluate(w);
        const b = evaluate(recased);
        expect(b.granted).toBe(a.granted);
        expect(grantIds(b)).toEqual(grantIds(a));
      }),
      { numRuns: 500 },
    );
  });
});

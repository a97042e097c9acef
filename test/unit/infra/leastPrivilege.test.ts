// The least-privilege check (scripts/checkLeastPrivilege.ts): RBAC's action matching, and the verdicts on what
// the app's identities did against the custom roles of infra/contract/customRoleActions.json.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionMatches,
  evaluateLeastPrivilege,
  formatReport,
  measuredRoles,
  parseActionLog,
  type LoggedAction,
  type MeasuredRole,
} from "../../../scripts/checkLeastPrivilege";
import contract from "../../../infra/contract/customRoleActions.json";
import demo from "../../../emulator/worlds/demo.json";

const APP = "11111111-aaaa-4aaa-8aaa-000000000001";
const OTHER = "11111111-aaaa-4aaa-8aaa-000000000002";
const role: MeasuredRole = {
  name: "app",
  principals: [APP],
  actions: [
    { action: "Microsoft.Kusto/clusters/databases/dataConnections/write", reason: "create" },
    { action: "Microsoft.Kusto/clusters/read", reason: "getCluster", unexercised: "not yet" },
    { action: "Microsoft.Authorization/roleAssignments/read", reason: "access" },
  ],
};
const did = (action: string, over: Partial<LoggedAction> = {}): LoggedAction => ({
  principal: { objectId: APP, tenantId: "t" },
  action,
  scope: "/subscriptions/s/resourceGroups/rg",
  kind: "action",
  via: "request",
  ...over,
});

describe("actionMatches", () => {
  const segment = fc.stringMatching(/^[A-Za-z]{1,10}$/);
  const action = fc.array(segment, { minLength: 2, maxLength: 5 }).map((parts) => `Microsoft.${parts.join("/")}`);

  it("matches an action to itself in any casing", () => {
    fc.assert(fc.property(action, (a) => actionMatches(a, a) && actionMatches(a.toUpperCase(), a.toLowerCase())));
  });

  it("lets * span segments, / included, and nothing else widen a pattern", () => {
    fc.assert(
      fc.property(action, segment, (a, extra) => {
        const [provider] = a.split("/");
        expect(actionMatches(`${provider}/*`, a)).toBe(true);
        expect(actionMatches("*", a)).toBe(true);
        expect(actionMatches(a, `${a}/${extra}`)).toBe(false);
        expect(actionMatches(`${a}.`, a)).toBe(false);
      }),
    );
    expect(actionMatches("Microsoft.EventHub/*/receive/action", "Microsoft.EventHub/namespaces/messages/receive/action")).toBe(true);
    expect(actionMatches("Microsoft.Kusto/clusters/read", "Microsoft.KustoXclusters/read")).toBe(false);
  });
});

describe("evaluateLeastPrivilege", () => {
  it("passes when everything done is in the role and every role action was done or says why not", () => {
    const report = evaluateLeastPrivilege({
      entries: [did("microsoft.kusto/clusters/databases/dataconnections/write"), did("Microsoft.Authorization/roleAssignments/read", { via: "linked" })],
      roles: [role],
    });
    expect(report.ok).toBe(true);
    expect(report.roles[0]?.notYetExercised).toEqual([{ action: "Microsoft.Kusto/clusters/read", reason: "not yet" }]);
  });

  it("fails when the app did something its role lacks (a new ARM call without a role update)", () => {
    const report = evaluateLeastPrivilege({
      entries: [did("Microsoft.Kusto/clusters/databases/dataConnections/write"), did("Microsoft.Authorization/roleAssignments/read"), did("Microsoft.Kusto/clusters/delete")],
      roles: [role],
    });
    expect(report.ok).toBe(false);
    expect(report.roles[0]?.uncovered).toEqual(["microsoft.kusto/clusters/delete"]);
    expect(formatReport(report, false)).toMatch(/MISSING microsoft\.kusto\/clusters\/delete[\s\S]*least privilege FAILED/);
  });

  it("fails on a role action nobody performed and nobody explained, except in a partial run", () => {
    const entries = [did("Microsoft.Kusto/clusters/databases/dataConnections/write")];
    const full = evaluateLeastPrivilege({ entries, roles: [role] });
    expect(full.ok).toBe(false);
    expect(full.roles[0]?.unused).toEqual(["Microsoft.Authorization/roleAssignments/read"]);
    expect(evaluateLeastPrivilege({ entries, roles: [role], coverageOnly: true }).ok).toBe(true);
  });

  it("never lets a control-plane action cover a dataAction", () => {
    const report = evaluateLeastPrivilege({
      entries: [did("Microsoft.Authorization/roleAssignments/read", { kind: "dataAction" })],
      roles: [role],
      coverageOnly: true,
    });
    expect(report.roles[0]?.uncovered).toEqual(["microsoft.authorization/roleassignments/read (dataAction)"]);
  });

  it("ignores other principals, and lists routes any valid token may call apart", () => {
    const report = evaluateLeastPrivilege({
      entries: [
        did("Microsoft.Kusto/clusters/delete", { principal: { objectId: OTHER } }),
        did("Microsoft.Kusto/operations/read", { via: "authenticatedOnly" }),
      ],
      roles: [role],
      coverageOnly: true,
    });
    expect(report.ok).toBe(true);
    expect(report.roles[0]?.performed).toEqual([]);
    expect(report.authenticatedOnly).toEqual(["microsoft.kusto/operations/read"]);
  });

  it("warns when a note says unexercised but the suites now perform it", () => {
    const report = evaluateLeastPrivilege({ entries: [did("Microsoft.Kusto/clusters/read")], roles: [role], coverageOnly: true });
    expect(report.roles[0]?.staleNotes).toEqual(["Microsoft.Kusto/clusters/read"]);
  });
});

describe("the action log and the demo world's identities", () => {
  it("parses one JSON object per line and names a malformed line", () => {
    const line = JSON.stringify(did("a/b"));
    expect(parseActionLog(`${line}\n\n${line}\n`)).toHaveLength(2);
    expect(() => parseActionLog(`${line}\n{oops`)).toThrow(/line 2/);
    expect(() => parseActionLog(`{"action": "x"}`)).toThrow(/line 1/);
  });

  it("measures the UAMI against the app role, the source-tenant SP against the source role, and the Kusto-tenant SP against nothing", () => {
    const roles = measuredRoles(contract, demo.meta as Record<string, string>);
    expect(roles.map((r) => r.principals)).toEqual([
      [demo.meta.appIdentityObjectId],
      [demo.meta.multiTenantAppServicePrincipalIdSourceTenant],
      [demo.meta.multiTenantAppServicePrincipalIdKustoTenant],
    ]);
    expect(roles[0]?.actions).toBe(contract.appRole.actions);
    expect(roles[1]?.actions).toBe(contract.sourceTenantRole.actions);
    expect(roles[2]?.actions).toEqual([]);
  });
});

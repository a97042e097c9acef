import { describe, expect, it } from "vitest";
import { ArmError } from "../../../../emulator/arm/contract";
import { parseAssignmentFilter, roleDefinitionIdFor } from "../../../../emulator/providers/authorization";

describe("role-assignment $filter", () => {
  it("reads atScope(), principalId eq and assignedTo, alone or joined with and", () => {
    expect(parseAssignmentFilter(null)).toEqual({ atScope: false });
    expect(parseAssignmentFilter("atScope()")).toEqual({ atScope: true });
    expect(parseAssignmentFilter("principalId eq 'abc'")).toEqual({ atScope: false, principalId: "abc" });
    expect(parseAssignmentFilter("atScope() and assignedTo('abc')")).toEqual({ atScope: true, assignedTo: "abc" });
  });

  it("refuses filters ARM does not support", () => {
    expect(() => parseAssignmentFilter("roleDefinitionId eq 'x'")).toThrowError(ArmError);
  });
});

describe("roleDefinitionId", () => {
  it("is subscription-qualified under a subscription, as real ARM output is", () => {
    expect(roleDefinitionIdFor("g", "/subscriptions/s/resourceGroups/rg")).toBe("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/g");
    expect(roleDefinitionIdFor("g", "/providers/Microsoft.Management/managementGroups/m")).toBe("/providers/Microsoft.Authorization/roleDefinitions/g");
  });
});

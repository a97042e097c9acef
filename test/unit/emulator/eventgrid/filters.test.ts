// Event subscription filters: event types, subject prefix/suffix and advanced filters.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesAdvanced, matchesFilter, validateFilter } from "../../../../emulator/eventgrid/filters";

const event = {
  subject: "/subscriptions/s/resourceGroups/RG1/providers/Microsoft.Authorization/roleAssignments/abc",
  eventType: "Microsoft.Resources.ResourceDeleteSuccess",
  data: { operationName: "Microsoft.Authorization/roleAssignments/delete", count: 3, ok: true, tags: ["a", "B"], nothing: null },
};

describe("basic filters", () => {
  it("matches included event types case-insensitively and rejects others", () => {
    expect(matchesFilter({ includedEventTypes: ["microsoft.resources.resourcedeletesuccess"] }, event)).toBe(true);
    expect(matchesFilter({ includedEventTypes: ["Microsoft.Resources.ResourceWriteSuccess"] }, event)).toBe(false);
    expect(matchesFilter({ includedEventTypes: [] }, event)).toBe(true);
  });

  it("compares subjects case-insensitively unless isSubjectCaseSensitive", () => {
    expect(matchesFilter({ subjectBeginsWith: "/SUBSCRIPTIONS/s/resourcegroups/rg1" }, event)).toBe(true);
    expect(matchesFilter({ subjectBeginsWith: "/SUBSCRIPTIONS/s", isSubjectCaseSensitive: true }, event)).toBe(false);
    expect(matchesFilter({ subjectEndsWith: "/ABC" }, event)).toBe(true);
    expect(matchesFilter({ subjectEndsWith: "/ABC", isSubjectCaseSensitive: true }, event)).toBe(false);
  });

  it("accepts any prefix or suffix of the subject, in any case, when not case-sensitive (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), fc.boolean(), (a, b, cut, upper) => {
        const subject = a + b;
        const prefix = subject.slice(0, cut % (subject.length + 1));
        const flip = (s: string) => (upper ? s.toUpperCase() : s.toLowerCase());
        const e = { subject, eventType: "t" };
        // toUpperCase can change length for some characters (ß → SS): only assert when it round-trips.
        fc.pre(flip(prefix).toLowerCase() === prefix.toLowerCase() && flip(b).toLowerCase() === b.toLowerCase());
        return matchesFilter({ subjectBeginsWith: flip(prefix) }, e) && matchesFilter({ subjectEndsWith: flip(b) }, e);
      }),
    );
  });
});

describe("advanced filters", () => {
  const f = (operatorType: string, key: string, values?: unknown[], value?: unknown) => ({ operatorType, key, ...(values ? { values } : {}), ...(value !== undefined ? { value } : {}) });

  it("compares string values case-insensitively, with keys looked up case-insensitively", () => {
    expect(matchesAdvanced(f("StringIn", "Data.OperationName", ["MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE"]), event, false)).toBe(true);
    expect(matchesAdvanced(f("StringNotIn", "data.operationName", ["microsoft.authorization/roleassignments/delete"]), event, false)).toBe(false);
    expect(matchesAdvanced(f("StringBeginsWith", "data.operationName", ["x", "microsoft.authorization/"]), event, false)).toBe(true);
    expect(matchesAdvanced(f("StringEndsWith", "subject", ["/ABC"]), event, false)).toBe(true);
    expect(matchesAdvanced(f("StringContains", "subject", ["ROLEASSIGNMENTS"]), event, false)).toBe(true);
    expect(matchesAdvanced(f("StringNotContains", "subject", ["roleassignments"]), event, false)).toBe(false);
  });

  it("handles numbers, booleans and null checks", () => {
    expect(matchesAdvanced(f("NumberIn", "data.count", [1, 3]), event, false)).toBe(true);
    expect(matchesAdvanced(f("NumberGreaterThan", "data.count", undefined, 3), event, false)).toBe(false);
    expect(matchesAdvanced(f("NumberGreaterThanOrEquals", "data.count", undefined, 3), event, false)).toBe(true);
    expect(matchesAdvanced(f("NumberInRange", "data.count", [[0, 2], [3, 5]]), event, false)).toBe(true);
    expect(matchesAdvanced(f("BoolEquals", "data.ok", undefined, true), event, false)).toBe(true);
    expect(matchesAdvanced(f("IsNullOrUndefined", "data.nothing"), event, false)).toBe(true);
    expect(matchesAdvanced(f("IsNullOrUndefined", "data.missing"), event, false)).toBe(true);
    expect(matchesAdvanced(f("IsNotNull", "data.count"), event, false)).toBe(true);
  });

  it("never matches an array value unless enableAdvancedFilteringOnArrays, then any element (all for NOT operators)", () => {
    expect(matchesAdvanced(f("StringIn", "data.tags", ["b"]), event, false)).toBe(false);
    expect(matchesAdvanced(f("StringIn", "data.tags", ["b"]), event, true)).toBe(true);
    expect(matchesAdvanced(f("StringNotIn", "data.tags", ["b"]), event, true)).toBe(false);
    expect(matchesAdvanced(f("StringNotIn", "data.tags", ["c"]), event, true)).toBe(true);
  });

  it("makes StringIn and StringNotIn complements on any string value (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 5 }), (value, values) => {
        const e = { data: { v: value } };
        return matchesAdvanced(f("StringIn", "data.v", values), e, false) !== matchesAdvanced(f("StringNotIn", "data.v", values), e, false);
      }),
    );
  });

  it("makes NumberIn agree with membership and NumberInRange with the inclusive bounds (property)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 5 }), fc.integer(), fc.integer(), (n, set, lo, hi) => {
        const e = { data: { n } };
        const inSet = matchesAdvanced(f("NumberIn", "data.n", set), e, false) === set.includes(n);
        const inRange = matchesAdvanced(f("NumberInRange", "data.n", [[lo, hi]]), e, false) === (n >= lo && n <= hi);
        return inSet && inRange;
      }),
    );
  });

  it("ANDs the filters: an event passes only when every one matches", () => {
    const filter = {
      advancedFilters: [f("StringIn", "data.operationName", ["microsoft.authorization/roleassignments/delete"]), f("NumberLessThan", "data.count", undefined, 2)],
    };
    expect(matchesFilter(filter, event)).toBe(false);
  });

  it("rejects unknown operators and keyless filters", () => {
    expect(validateFilter({ advancedFilters: [{ operatorType: "Regex", key: "subject", values: ["x"] }] })).toMatch(/Unknown advanced filter/);
    expect(validateFilter({ advancedFilters: [{ operatorType: "StringIn", key: "", values: ["x"] }] })).toMatch(/key/);
    expect(validateFilter({ includedEventTypes: ["a"] })).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { indexEntriesOf, isEmptyPlan, planIndexes, toIndexEntry } from "../../../../src/lib/registry/indexPlan";
import { connectionKey, eventHubId, managedConnection, roleAssignmentId } from "./connectionFixture";

const RA1 = roleAssignmentId(eventHubId(), "aaaaaaaa-0000-4000-8000-000000000001");
const RA2 = roleAssignmentId("/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg-sources-demo", "aaaaaaaa-0000-4000-8000-000000000002");

describe("indexEntriesOf", () => {
  it("lists each grant and each source once, normalized", () => {
    const connection = managedConnection({ grants: [RA1, RA1.toUpperCase(), RA2] });
    const entries = indexEntriesOf(connection);
    expect(entries.filter((e) => e.index === "grant").map((e) => e.id)).toEqual([RA1.toLowerCase(), RA2.toLowerCase()]);
    expect(entries.filter((e) => e.index === "source").map((e) => e.id)).toEqual([eventHubId().toLowerCase()]);
  });
});

describe("planIndexes", () => {
  const key = connectionKey();
  const desired = indexEntriesOf(managedConnection({ grants: [RA1, RA2] }));

  it("announces new rows in the ledger before writing them", () => {
    const plan = planIndexes(key, desired, []);
    expect(plan.ledgerAdds).toEqual(desired);
    expect(plan.indexWrites).toEqual(desired);
    expect(plan.removals).toEqual([]);
  });

  it("does nothing when the ledger already shows every row written", () => {
    const plan = planIndexes(key, desired, desired.map((e) => ({ rowKey: e.ledgerRowKey, indexed: true })));
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it("finishes rows a crash left announced but unwritten", () => {
    const ledger = desired.map((e, i) => ({ rowKey: e.ledgerRowKey, indexed: i !== 0 }));
    const plan = planIndexes(key, desired, ledger);
    expect(plan.ledgerAdds).toEqual([]);
    expect(plan.indexWrites).toEqual([desired[0]]);
  });

  it("removes the rows of grants and sources the connection no longer has", () => {
    const now = indexEntriesOf(managedConnection({ grants: [RA2], sources: [eventHubId("ns2")] }));
    const plan = planIndexes(key, now, desired.map((e) => ({ rowKey: e.ledgerRowKey, indexed: true })));
    expect(plan.removals.map((e) => [e.index, e.id])).toEqual([
      ["grant", RA1.toLowerCase()],
      ["source", eventHubId().toLowerCase()],
    ]);
    expect(plan.removals[0]).toEqual(toIndexEntry("grant", RA1, key));
    expect(plan.ledgerAdds.map((e) => e.id)).toEqual([eventHubId("ns2").toLowerCase()]);
  });
});

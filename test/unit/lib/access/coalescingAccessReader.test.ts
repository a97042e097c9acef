import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scopeCovers } from "../../../../src/lib/access/evaluateAccess";
import { commonAncestorScope, createCoalescingAccessReader } from "../../../../src/lib/access/coalescingAccessReader";
import type { AccessReader, ListAssignmentsOptions, RoleAssignmentInfo } from "../../../../src/lib/access/ports";
import type { PrincipalRef } from "../../../../src/lib/connections/model";
import { AppError } from "../../../../src/lib/errors";

const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const OTHER_SUB = "/subscriptions/00000000-0000-4000-8000-000000000002";
const NS = `${SUB}/resourceGroups/rg-src/providers/Microsoft.EventHub/namespaces/ns1`;
const hub = (i: number) => `${NS}/eventhubs/hub${i}`;
const principal: PrincipalRef = { tenantId: "aaaaaaaa-0000-4000-8000-000000000001", objectId: "11111111-0000-4000-8000-000000000001", kind: "clusterIdentity" };
const other: PrincipalRef = { ...principal, objectId: "22222222-0000-4000-8000-000000000002" };

/** ARM as the adapter sees it: assignedTo() answers at, above and below; without `below` the adapter keeps at-or-above. */
function fakeArm() {
  let assignments: RoleAssignmentInfo[] = [];
  const reads: { scope: string; below: boolean }[] = [];
  const gates: (() => void)[] = [];
  let gated = false;
  const assign = (scope: string, principalId = principal.objectId) => {
    const a = { id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${assignments.length + 1}`, scope, roleDefinitionId: "r", principalId };
    assignments.push(a);
    return a;
  };
  const reader: AccessReader = {
    async listAssignments(p, scope, options?: ListAssignmentsOptions) {
      reads.push({ scope, below: options?.below === true });
      // What ARM holds when the read starts is what it answers, however long the answer takes (the gate).
      const mine = assignments.filter((a) => a.principalId === p.objectId);
      const answer = mine.filter((a) => scopeCovers(a.scope, scope) || (options?.below === true && scopeCovers(scope, a.scope)));
      if (gated) await new Promise<void>((r) => gates.push(r));
      return answer;
    },
    getRoleDefinition: async () => undefined,
    getRoleAssignment: async () => undefined,
  };
  return {
    reader,
    reads,
    assign,
    remove: (id: string) => void (assignments = assignments.filter((a) => a.id !== id)),
    gate: () => void (gated = true),
    /** Lets the oldest gated read run. */
    release: async () => {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    },
    ungate: () => {
      gated = false;
      for (const g of gates.splice(0)) g();
    },
  };
}

describe("coalescing access reader", () => {
  it("reads a lone request as asked", async () => {
    const arm = fakeArm();
    const a = arm.assign(hub(1));
    arm.assign(hub(2));
    const reader = createCoalescingAccessReader(arm.reader);
    expect(await reader.listAssignments(principal, hub(1))).toEqual([a]);
    expect(arm.reads).toEqual([{ scope: hub(1), below: false }]);
  });

  it("serves requests made while a read is in flight with one read at their common ancestor, each its own assignments", async () => {
    const arm = fakeArm();
    const byHub = Array.from({ length: 6 }, (_, i) => arm.assign(hub(i)));
    const atNamespace = arm.assign(NS);
    const atSubscription = arm.assign(SUB);
    arm.assign(hub(1), other.objectId);
    arm.gate();
    const reader = createCoalescingAccessReader(arm.reader);
    const first = reader.listAssignments(principal, hub(0));
    const rest = [1, 2, 3, 4, 5].map((i) => reader.listAssignments(principal, hub(i)));
    await arm.release(); // the first read ends; the five waiting share the next
    await arm.release();
    expect(await first).toEqual(expect.arrayContaining([byHub[0], atNamespace, atSubscription]));
    for (const [i, p] of rest.entries()) {
      const got = await p;
      expect(new Set(got)).toEqual(new Set([byHub[i + 1], atNamespace, atSubscription]));
    }
    expect(arm.reads).toEqual([
      { scope: hub(0), below: false },
      { scope: NS.toLowerCase(), below: true },
    ]);
  });

  it("never answers a request with a read that started before it (a deletion made meanwhile is seen)", async () => {
    const arm = fakeArm();
    const grant = arm.assign(hub(1));
    arm.gate();
    const reader = createCoalescingAccessReader(arm.reader);
    const before = reader.listAssignments(principal, hub(1));
    // The assignment is deleted while the first read is in flight; a request made now must not share that read.
    await new Promise((r) => setImmediate(r));
    arm.remove(grant.id);
    const after = reader.listAssignments(principal, hub(1));
    arm.ungate();
    expect(await after).toEqual([]);
    await before;
    expect(arm.reads).toHaveLength(2);
  });

  it("keeps principals and subscriptions apart, and passes errors to every waiter of the failed read", async () => {
    const arm = fakeArm();
    arm.assign(hub(1));
    arm.gate();
    const reader = createCoalescingAccessReader(arm.reader);
    const a = reader.listAssignments(principal, hub(1));
    const b = reader.listAssignments(other, hub(1));
    const c = reader.listAssignments(principal, `${OTHER_SUB}/resourceGroups/x`);
    await new Promise((r) => setImmediate(r));
    expect(arm.reads).toHaveLength(3);
    arm.ungate();
    await Promise.all([a, b, c]);

    const failing: AccessReader = { ...arm.reader, listAssignments: async () => Promise.reject(new AppError("throttled", "AccessReadThrottled", "429")) };
    const flaky = createCoalescingAccessReader(failing);
    const results = await Promise.allSettled([flaky.listAssignments(principal, hub(1)), flaky.listAssignments(principal, hub(2)), flaky.listAssignments(principal, hub(3))]);
    expect(results.every((r) => r.status === "rejected" && (r.reason as AppError).code === "AccessReadThrottled")).toBe(true);
    // The lane recovers: the next request reads again.
    expect(await createCoalescingAccessReader(arm.reader).listAssignments(principal, hub(1))).toHaveLength(1);
  });

  it("finds the deepest common scope, never a path that names no scope", () => {
    expect(commonAncestorScope([hub(1), hub(2)])).toBe(NS.toLowerCase());
    expect(commonAncestorScope([hub(1), `${NS}/eventhubs/hub1/consumergroups/adx`])).toBe(hub(1).toLowerCase());
    expect(commonAncestorScope([hub(1), `${SUB}/resourceGroups/rg-src/providers/Microsoft.Storage/storageAccounts/st`])).toBe(`${SUB}/resourceGroups/rg-src`.toLowerCase());
    expect(commonAncestorScope([hub(1), `${SUB}/resourceGroups/rg-other`])).toBe(SUB.toLowerCase());
    expect(commonAncestorScope([`${SUB}/resourceGroups/rg-a`, `${SUB}/resourceGroups/rg-ab`])).toBe(SUB.toLowerCase());
    // Property: the result covers every input and is a scope (sub, rg, or an even-length provider path).
    const seg = fc.constantFrom("a", "b", "ab");
    const scope = fc.tuple(seg, fc.array(fc.tuple(seg, seg), { maxLength: 3 })).map(([rg, pairs]) =>
      pairs.length === 0 ? `${SUB}/resourceGroups/${rg}` : `${SUB}/resourceGroups/${rg}/providers/Microsoft.X/${pairs.map(([t, n]) => `${t}/${n}`).join("/")}`,
    );
    fc.assert(
      fc.property(fc.array(scope, { minLength: 1, maxLength: 5 }), (scopes) => {
        const common = commonAncestorScope(scopes);
        for (const s of scopes) expect(scopeCovers(common, s)).toBe(true);
        const n = common.split("/").length - 1;
        expect(n === 2 || n === 4 || (n >= 8 && n % 2 === 0)).toBe(true);
      }),
    );
  });
});

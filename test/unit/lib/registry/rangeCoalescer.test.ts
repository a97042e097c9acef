import { describe, expect, it } from "vitest";
import { createRangeCoalescer, spanOf } from "../../../../src/lib/registry/rangeCoalescer";
import type { KeyRange } from "../../../../src/lib/registry/registryKeys";

interface Row {
  rowKey: string;
}

/** A partition of sorted row keys; a read answers what the partition held when the read started. */
function fakeIndex(keys: string[]) {
  let rows = [...keys];
  const reads: { partitionKey: string; span: KeyRange }[] = [];
  const gates: (() => void)[] = [];
  let gated = false;
  return {
    reads,
    add: (k: string) => void (rows = [...rows, k].sort()),
    gate: () => void (gated = true),
    ungate: () => {
      gated = false;
      for (const g of gates.splice(0)) g();
    },
    async readSpan(partitionKey: string, span: KeyRange): Promise<Row[]> {
      reads.push({ partitionKey, span });
      const answer = rows.filter((k) => k >= span.from && k < span.to).map((rowKey) => ({ rowKey }));
      if (gated) await new Promise<void>((r) => gates.push(r));
      return answer;
    },
  };
}

const lookup = (from: string, to: string) => ({ span: { from, to }, ranges: [{ from, to }] });
const tick = () => new Promise((r) => setImmediate(r));

describe("range coalescer", () => {
  it("reads a lone lookup's own span", async () => {
    const index = fakeIndex(["a1", "b1", "c1"]);
    const coalescer = createRangeCoalescer(index.readSpan);
    expect(await coalescer.lookup("p", lookup("b", "c"))).toEqual([{ rowKey: "b1" }]);
    expect(index.reads).toEqual([{ partitionKey: "p", span: { from: "b", to: "c" } }]);
  });

  it("serves the lookups made during a read with one read of their joint span, each keeping its ranges", async () => {
    const index = fakeIndex(["a1", "b1", "c1", "d1", "e1"]);
    index.gate();
    const coalescer = createRangeCoalescer(index.readSpan);
    const first = coalescer.lookup("p", lookup("a", "b"));
    await tick();
    const waiting = [coalescer.lookup("p", lookup("b", "c")), coalescer.lookup("p", lookup("d", "e")), coalescer.lookup("p", { span: { from: "b", to: "f" }, ranges: [{ from: "b", to: "c" }, { from: "e", to: "f" }] })];
    const elsewhere = coalescer.lookup("q", lookup("a", "z"));
    await tick();
    index.ungate();
    expect(await first).toEqual([{ rowKey: "a1" }]);
    expect(await Promise.all(waiting)).toEqual([[{ rowKey: "b1" }], [{ rowKey: "d1" }], [{ rowKey: "b1" }, { rowKey: "e1" }]]);
    expect(await elsewhere).toEqual([{ rowKey: "a1" }, { rowKey: "b1" }, { rowKey: "c1" }, { rowKey: "d1" }, { rowKey: "e1" }]);
    expect(index.reads.filter((r) => r.partitionKey === "p")).toEqual([
      { partitionKey: "p", span: { from: "a", to: "b" } },
      { partitionKey: "p", span: { from: "b", to: "f" } },
    ]);
  });

  it("never answers a lookup with a read that started before it (a row saved meanwhile is found)", async () => {
    const index = fakeIndex([]);
    index.gate();
    const coalescer = createRangeCoalescer(index.readSpan);
    const before = coalescer.lookup("p", lookup("a", "z"));
    await tick();
    index.add("m1"); // a connection is indexed while the first read is in flight
    const after = coalescer.lookup("p", lookup("m", "n"));
    index.ungate();
    await tick();
    index.ungate();
    expect(await before).toEqual([]);
    expect(await after).toEqual([{ rowKey: "m1" }]);
  });

  it("rejects every waiter of a failed read, then reads again", async () => {
    let fail = true;
    const coalescer = createRangeCoalescer<Row>(async () => {
      await tick();
      if (fail) throw new Error("503");
      return [{ rowKey: "a1" }];
    });
    const results = await Promise.allSettled([coalescer.lookup("p", lookup("a", "b")), coalescer.lookup("p", lookup("a", "b")), coalescer.lookup("p", lookup("a", "b"))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    fail = false;
    expect(await coalescer.lookup("p", lookup("a", "b"))).toEqual([{ rowKey: "a1" }]);
  });

  it("spans from the lowest start to the highest end", () => {
    expect(spanOf([{ from: "c", to: "d" }, { from: "a", to: "b" }, { from: "b", to: "e" }])).toEqual({ from: "a", to: "e" });
  });
});

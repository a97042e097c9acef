import { describe, expect, it } from "vitest";
import { createKeyedCoalescer } from "../../../src/lib/keyedCoalescer";

/** A read that waits to be released, recording each batch it was given. */
function gatedReads() {
  const batches: { key: string; batch: readonly number[]; release(error?: Error): void }[] = [];
  const coalescer = createKeyedCoalescer<number, string>(
    (key, batch) =>
      new Promise((resolve, reject) => {
        const readNumber = batches.length;
        batches.push({
          key,
          batch,
          release: (error) => (error ? reject(error) : resolve((n) => (n < 0 ? fail(n) : `${key}:${n}@read${readNumber}`))),
        });
      }),
  );
  return { coalescer, batches };
}

const fail = (n: number): never => {
  throw new Error(`no answer for ${n}`);
};
const tick = () => new Promise((r) => setImmediate(r));

describe("createKeyedCoalescer", () => {
  it("reads a lone request at once, and the requests made during a read together in the next one", async () => {
    const { coalescer, batches } = gatedReads();
    const first = coalescer.request("a", 1);
    const second = coalescer.request("a", 2);
    const third = coalescer.request("a", 3);
    expect(batches.map((b) => b.batch)).toEqual([[1]]);
    batches[0]!.release();
    await expect(first).resolves.toBe("a:1@read0");
    await tick();
    expect(batches.map((b) => b.batch)).toEqual([[1], [2, 3]]); // started after both were made
    batches[1]!.release();
    await expect(Promise.all([second, third])).resolves.toEqual(["a:2@read1", "a:3@read1"]);
  });

  it("keeps keys apart: each has its own read in flight", async () => {
    const { coalescer, batches } = gatedReads();
    const a = coalescer.request("a", 1);
    const b = coalescer.request("b", 1);
    expect(batches.map((x) => [x.key, x.batch])).toEqual([["a", [1]], ["b", [1]]]);
    batches.forEach((x) => x.release());
    await expect(Promise.all([a, b])).resolves.toEqual(["a:1@read0", "b:1@read1"]);
  });

  it("fails every request of a failed read, one whose answer throws alone, and reads afresh afterwards", async () => {
    const { coalescer, batches } = gatedReads();
    const lone = coalescer.request("a", 1);
    const waiting = [coalescer.request("a", 2), coalescer.request("a", -1)];
    batches[0]!.release(new Error("503"));
    await expect(lone).rejects.toThrow("503");
    await tick();
    batches[1]!.release();
    await expect(waiting[0]).resolves.toBe("a:2@read1");
    await expect(waiting[1]).rejects.toThrow("no answer for -1");
    await tick();
    const later = coalescer.request("a", 4);
    expect(batches).toHaveLength(3); // the lane was idle: read at once
    batches[2]!.release();
    await expect(later).resolves.toBe("a:4@read2");
  });
});

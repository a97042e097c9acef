import { describe, expect, it } from "vitest";
import { createTtlCache } from "../../../../src/lib/access/ttlCache";

describe("createTtlCache", () => {
  it("shares one load between concurrent callers and keeps it until the TTL passes", async () => {
    let now = 0;
    let loads = 0;
    const cache = createTtlCache<number>({ ttlInMs: 100, now: () => now });
    const load = async () => ++loads;
    expect(await Promise.all([cache.getOrLoad("k", load), cache.getOrLoad("k", load)])).toEqual([1, 1]);
    now = 100;
    expect(await cache.getOrLoad("k", load)).toBe(2);
  });

  it("forgets a failed load so the next caller retries", async () => {
    const cache = createTtlCache<number>({ ttlInMs: 1_000 });
    await expect(cache.getOrLoad("k", () => Promise.reject(new Error("transient")))).rejects.toThrow("transient");
    expect(await cache.getOrLoad("k", async () => 7)).toBe(7);
  });

  it("drops the oldest entries past maxEntries, and caches nothing with a zero TTL", async () => {
    const bounded = createTtlCache<string>({ ttlInMs: 1_000, maxEntries: 2 });
    for (const k of ["a", "b", "c"]) await bounded.getOrLoad(k, async () => k);
    expect(bounded.size).toBe(2);
    expect(await bounded.getOrLoad("a", async () => "reloaded")).toBe("reloaded");
    const none = createTtlCache<number>({ ttlInMs: 0 });
    let loads = 0;
    await none.getOrLoad("k", async () => ++loads);
    await none.getOrLoad("k", async () => ++loads);
    expect(loads).toBe(2);
  });
});

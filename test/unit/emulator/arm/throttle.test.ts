import { describe, expect, it } from "vitest";
import { ARM_BUCKETS, createThrottle } from "../../../../emulator/arm/throttle";

function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("ARM throttling buckets", () => {
  it("allow the documented burst, then refuse with a Retry-After", () => {
    const clock = fakeClock();
    const throttle = createThrottle({ now: clock.now });
    for (let i = 0; i < ARM_BUCKETS.read.capacity; i++) expect(throttle.take("s", "p", "read").allowed).toBe(true);
    const refused = throttle.take("s", "p", "read");
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
  });

  it("count down the remaining tokens header", () => {
    const throttle = createThrottle({ now: fakeClock().now });
    expect(throttle.take("s", "p", "write").remaining).toBe(199);
    expect(throttle.take("s", "p", "write").remaining).toBe(198);
  });

  it("refill at the documented rate per second", () => {
    const clock = fakeClock();
    const throttle = createThrottle({ now: clock.now });
    for (let i = 0; i < 200; i++) throttle.take("s", "p", "delete");
    expect(throttle.take("s", "p", "delete").allowed).toBe(false);
    clock.advance(1000); // 10 deletes per second
    for (let i = 0; i < 10; i++) expect(throttle.take("s", "p", "delete").allowed).toBe(true);
    expect(throttle.take("s", "p", "delete").allowed).toBe(false);
  });

  it("keep separate buckets per subscription, principal and operation class", () => {
    const throttle = createThrottle({ now: fakeClock().now, buckets: { write: { capacity: 1, refillPerSecond: 1 } } });
    expect(throttle.take("s", "p", "write").allowed).toBe(true);
    expect(throttle.take("s", "p", "write").allowed).toBe(false);
    expect(throttle.take("s2", "p", "write").allowed).toBe(true);
    expect(throttle.take("s", "p2", "write").allowed).toBe(true);
    expect(throttle.take("s", "p", "read").allowed).toBe(true);
    expect(throttle.take("S", "P", "write").allowed).toBe(false);
  });

  it("never refuses when switched off", () => {
    const throttle = createThrottle({ now: fakeClock().now, enabled: false, buckets: { read: { capacity: 1, refillPerSecond: 0.001 } } });
    for (let i = 0; i < 5; i++) expect(throttle.take("s", "p", "read").allowed).toBe(true);
  });

  it("asks for a longer wait when the refill is slow", () => {
    const throttle = createThrottle({ now: fakeClock().now, buckets: { write: { capacity: 1, refillPerSecond: 0.25 } } });
    throttle.take("s", "p", "write");
    expect(throttle.take("s", "p", "write").retryAfterSeconds).toBe(4);
  });
});

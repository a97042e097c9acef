import { describe, expect, it } from "vitest";
import { createFaultInjector } from "../../../../emulator/arm/faults";

describe("fault injection rules", () => {
  it("inject by route pattern and rate", () => {
    const faults = createFaultInjector(() => 0.5);
    faults.add({ pattern: "^PUT .+/dataConnections/", errorRate: 0.6, errorStatus: 503 });
    faults.add({ pattern: "^GET ", throttleRate: 0.4, retryAfterSeconds: 7 });
    expect(faults.decide("PUT", "/s/x/dataConnections/dc")).toMatchObject({ kind: "error", status: 503 });
    expect(faults.decide("DELETE", "/s/x/dataConnections/dc")).toEqual({ kind: "none" });
    expect(faults.decide("GET", "/s/x")).toEqual({ kind: "none" }); // 0.5 is not below 0.4
  });

  it("stop after the given number of injections", () => {
    const faults = createFaultInjector(() => 0);
    faults.add({ pattern: "*", resetRate: 1, remaining: 2 });
    expect(faults.decide("GET", "/a").kind).toBe("reset");
    expect(faults.decide("GET", "/a").kind).toBe("reset");
    expect(faults.decide("GET", "/a").kind).toBe("none");
  });

  it("add uniform latency from every matching rule", () => {
    const faults = createFaultInjector(() => 0.5);
    faults.add({ pattern: "*", latency: { minInMs: 10, maxInMs: 30 } });
    faults.add({ pattern: "^POST ", latency: { minInMs: 5, maxInMs: 5 } });
    expect(faults.latencyInMs("GET", "/a")).toBe(20);
    expect(faults.latencyInMs("POST", "/a")).toBe(25);
  });

  it("fail LROs of matching paths, once per remaining count", () => {
    const faults = createFaultInjector();
    faults.add({ id: "lro", pattern: "dataConnections/dc1$", failLro: true, remaining: 1 });
    expect(faults.shouldFailLro("/x/dataConnections/dc2")).toBe(false);
    expect(faults.shouldFailLro("/x/dataConnections/dc1")).toBe(true);
    expect(faults.shouldFailLro("/x/dataConnections/dc1")).toBe(false);
  });

  it("refuse invalid patterns and remove rules by id", () => {
    const faults = createFaultInjector();
    expect(() => faults.add({ pattern: "(" })).toThrow();
    faults.add({ id: "a", pattern: "*", errorRate: 1 });
    expect(faults.remove("a")).toBe(true);
    expect(faults.rules()).toEqual([]);
  });
});

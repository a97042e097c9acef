import { afterEach, describe, expect, it } from "vitest";
import { createLroManager, type EmulatorLroManager } from "../../../../emulator/arm/lroManager";

describe("LRO manager: Retry-After", () => {
  let manager: EmulatorLroManager | undefined;
  afterEach(() => manager?.reset());

  const start = (durationInMs: number, timeScale: number) => {
    manager = createLroManager({ clock: { now: () => 1_700_000_000_000, timeScale: () => timeScale }, shouldFail: () => false });
    return manager.start({
      namespace: "Microsoft.Test",
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      location: "westeurope",
      apiVersion: "2024-01-01",
      origin: "https://127.0.0.1:1",
      operationKind: "Test",
      durationInMs,
      complete() {},
    });
  };

  it("says how many whole seconds are left of the scaled duration", () => {
    expect(start(60_000, 0.1).headers["Retry-After"]).toBe("6");
  });

  it("leaves Retry-After out when under a second is left, so clients poll at their own interval", () => {
    expect(start(60_000, 0.01).headers["Retry-After"]).toBeUndefined();
    expect(start(900, 1).headers["Retry-After"]).toBeUndefined();
  });

  it("always sends Azure-AsyncOperation and Location", () => {
    const headers = start(10, 1).headers;
    expect(headers["Azure-AsyncOperation"]).toMatch(/\/operationResults\/[0-9a-f-]{36}\?api-version=2024-01-01$/);
    expect(headers.Location).toBe(`${headers["Azure-AsyncOperation"]}&operationResultResponseType=Location`);
  });
});

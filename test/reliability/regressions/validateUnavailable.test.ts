// Regression (found by the fault matrix): a dry run whose checks could not run — ARM 5xx or 429 past the SDK's
// retries — answered 200 {valid: false} with KustoUnavailable "problems", so a pipeline gating on `valid` would
// reject a good connection over a transient fault, with no Retry-After. It now fails the request (502/429).
import { describe, expect, it } from "vitest";
import { createConnectionsService } from "../../../src/lib/connections/createConnectionsService";
import { AppError } from "../../../src/lib/errors";
import { createConnectionsWorld, keyOf, specs, writer } from "../../support/fakes/connectionsWorld";

const input = (name: string) => ({ caller: writer(), key: keyOf(name), spec: specs.eventHub(), access: {}, correlationId: "r" });

describe("validating while Kusto is unavailable", () => {
  it.each([
    ["upstream", new AppError("upstream", "KustoUnavailable", "validating failed with HTTP 500 (InternalServerError).", { retryAfterInSeconds: 5 })],
    ["throttled", new AppError("throttled", "KustoThrottled", "ARM throttled validating.", { retryAfterInSeconds: 7 })],
  ])("fails with the %s error instead of reporting the connection invalid", async (_kind, error) => {
    const world = createConnectionsWorld();
    world.kusto.validationMessages = () => {
      throw error;
    };
    const result = await createConnectionsService(world.deps).validate(input("events"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBe(error);
    expect(world.journal.entries).toEqual([]);
    expect(world.registry.calls.save).toBe(0);
  });

  it("still reports a refusal by Kusto (a 400, the caller's to fix) as a validation problem", async () => {
    const world = createConnectionsWorld();
    world.kusto.validationMessages = () => {
      throw new AppError("validation", "KustoRejected", "Kusto rejected validating: bad consumer group.");
    };
    const result = await createConnectionsService(world.deps).validate(input("events"));
    expect(result.ok && result.value.valid).toBe(false);
    expect(result.ok && result.value.problems.map((p) => p.code)).toEqual(["KustoRejected"]);
  });
});

// Kusto's RestErrors become AppErrors with stable codes: what a pipeline branches on.
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { isTransient, toKustoAppError } from "../../../../src/lib/azure/kustoErrors";

function restError(status: number, code: string, message = "from ARM", headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: "https://management.azure.com/x" });
  return new RestError(message, { statusCode: status, code, request, response: { status, headers: createHttpHeaders(headers), request } });
}

describe("Kusto error mapping", () => {
  it.each([
    [400, "BadRequest", "validation", "KustoRejected"],
    [401, "InvalidAuthenticationToken", "upstream", "ArmAuthenticationFailed"],
    [403, "AuthorizationFailed", "forbidden", "ArmAuthorizationFailed"],
    [403, "LinkedAuthorizationFailed", "forbidden", "LinkedAuthorizationFailed"],
    [404, "ResourceNotFound", "notFound", "KustoResourceNotFound"],
    [409, "AnotherOperationInProgress", "conflict", "OperationInProgress"],
    [429, "TooManyRequests", "throttled", "KustoThrottled"],
    [503, "ServiceUnavailable", "upstream", "KustoUnavailable"],
  ])("HTTP %i %s → %s %s", (status, armCode, kind, code) => {
    expect(toKustoAppError(restError(status, armCode), "writing x")).toMatchObject({ kind, code });
  });

  it("passes Kusto's own message on for a 400, at /properties", () => {
    const error = toKustoAppError(restError(400, "BadRequest", "Consumer group 'x' does not exist."), "writing x");
    expect(error.problems).toEqual([{ code: "BadRequest", message: "Consumer group 'x' does not exist.", path: "/properties" }]);
  });

  it("keeps ARM's Retry-After for a 429, in seconds", () => {
    expect(toKustoAppError(restError(429, "TooManyRequests", "slow down", { "retry-after": "17" }), "x").retryAfterInSeconds).toBe(17);
  });

  it("never passes an upstream body on for other failures", () => {
    expect(toKustoAppError(restError(500, "InternalServerError", "stack trace at line 12"), "x").message).not.toContain("stack trace");
  });

  it("treats 429, 5xx and network failures while polling as transient, not 4xx", () => {
    expect(isTransient(restError(429, "TooManyRequests"))).toBe(true);
    expect(isTransient(restError(502, "BadGateway"))).toBe(true);
    expect(isTransient(restError(404, "NotFound"))).toBe(false);
    expect(isTransient(new Error("boom"))).toBe(false);
  });
});

import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { isNotFound, retryAfterInSeconds, toAccessReadError } from "../../../../src/lib/azure/accessReadErrors";

const SCOPE = "/subscriptions/s/resourceGroups/rg";

function restError(statusCode: number, headers: Record<string, string> = {}, code?: string): RestError {
  const request = createPipelineRequest({ url: "https://arm.example/x" });
  return new RestError("upstream said no, with details that must not leak", {
    statusCode,
    code,
    request,
    response: { status: statusCode, headers: createHttpHeaders(headers), request, bodyAsText: '{"error":{"message":"secret detail"}}' },
  });
}

describe("toAccessReadError", () => {
  it("makes a 403 forbidden AccessReadForbidden naming the scope", () => {
    const error = toAccessReadError(restError(403, {}, "AuthorizationFailed"), SCOPE);
    expect(error).toMatchObject({ kind: "forbidden", code: "AccessReadForbidden" });
    expect(error.message).toContain(SCOPE);
    expect(error.message).toContain("AuthorizationFailed");
  });

  it("makes a 429 throttled AccessReadThrottled carrying Retry-After", () => {
    expect(toAccessReadError(restError(429, { "retry-after": "12" }), SCOPE)).toMatchObject({ kind: "throttled", code: "AccessReadThrottled", retryAfterInSeconds: 12 });
    expect(toAccessReadError(restError(429), SCOPE).retryAfterInSeconds).toBeUndefined();
  });

  it("makes anything else upstream AccessReadFailed without ARM's body", () => {
    for (const error of [toAccessReadError(restError(500, { "retry-after": "3" }), SCOPE), toAccessReadError(restError(401), SCOPE), toAccessReadError(new Error("socket hang up"), SCOPE)]) {
      expect(error).toMatchObject({ kind: "upstream", code: "AccessReadFailed" });
      expect(error.message).not.toContain("secret detail");
    }
    expect(toAccessReadError(restError(503, { "retry-after": "3" }), SCOPE).retryAfterInSeconds).toBe(3);
  });

  it("recognises only a 404 as not found", () => {
    expect(isNotFound(restError(404))).toBe(true);
    expect(isNotFound(restError(403))).toBe(false);
    expect(isNotFound(new Error("404"))).toBe(false);
  });
});

describe("retryAfterInSeconds", () => {
  it("reads delta-seconds and HTTP dates, and nothing else", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterInSeconds("30", now)).toBe(30);
    expect(retryAfterInSeconds("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10);
    expect(retryAfterInSeconds("Tue, 31 Dec 2024 00:00:10 GMT", now)).toBe(0);
    expect(retryAfterInSeconds("soon", now)).toBeUndefined();
    expect(retryAfterInSeconds(undefined, now)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { AppError, type ErrorKind } from "../../../../src/lib/errors";
import { toProblemResponse } from "../../../../src/lib/http/problem";

const context = { correlationId: "corr-1", instance: "/api/connections/x" };
const bodyOf = (r: { body?: string }) => JSON.parse(r.body ?? "null") as Record<string, unknown>;

describe("toProblemResponse", () => {
  it.each([
    ["validation", 400],
    ["unauthorized", 401],
    ["forbidden", 403],
    ["notFound", 404],
    ["conflict", 409],
    ["preconditionFailed", 412],
    ["tooLarge", 413],
    ["unsupportedMediaType", 415],
    ["throttled", 429],
    ["upstream", 502],
    ["internal", 500],
  ] as [ErrorKind, number][])("maps %s to %i problem+json with a stable type per code", (kind, status) => {
    const response = toProblemResponse(new AppError(kind, "SomeCode", "What happened."), context);
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(response.headers["x-correlation-id"]).toBe("corr-1");
    expect(bodyOf(response)).toMatchObject({
      type: "urn:adx-connection-lifecycle:problem:SomeCode",
      title: expect.any(String),
      status,
      detail: "What happened.",
      code: "SomeCode",
      instance: "/api/connections/x",
      correlationId: "corr-1",
    });
  });

  it("lists every problem with its path", () => {
    const error = new AppError("validation", "InvalidRequest", "2 problems", {
      problems: [
        { code: "MissingProperty", message: "is required", path: "/properties/consumerGroup" },
        { code: "UnknownProperty", message: "unknown", path: "/foo" },
      ],
    });
    expect(bodyOf(toProblemResponse(error, context)).errors).toEqual([
      { code: "MissingProperty", message: "is required", path: "/properties/consumerGroup" },
      { code: "UnknownProperty", message: "unknown", path: "/foo" },
    ]);
  });

  it("never leaks an unexpected error's message, stack or cause", () => {
    const secret = new Error("upstream said: AccountKey=abc123; at Object.<anonymous> (/srv/app.js:1:1)");
    const response = toProblemResponse(secret, context);
    expect(response.status).toBe(500);
    expect(response.body).not.toMatch(/AccountKey|app\.js|stack/);
    expect(bodyOf(response)).toMatchObject({ code: "InternalError", detail: expect.stringContaining("corr-1") });
    const wrapped = toProblemResponse(new AppError("upstream", "KustoFailed", "Kusto failed.", { cause: secret }), context);
    expect(wrapped.body).not.toMatch(/AccountKey/);
  });

  it("tells throttled and upstream callers when to retry, in whole seconds of at least one", () => {
    expect(toProblemResponse(new AppError("throttled", "T", "t", { retryAfterInSeconds: 0.2 }), context).headers["retry-after"]).toBe("1");
    expect(toProblemResponse(new AppError("throttled", "T", "t", { retryAfterInSeconds: 7.5 }), context).headers["retry-after"]).toBe("8");
    expect(toProblemResponse(new AppError("throttled", "T", "t"), context).headers["retry-after"]).toBe("10");
    expect(toProblemResponse(new AppError("upstream", "U", "u"), context).headers["retry-after"]).toBe("5");
    expect(toProblemResponse(new AppError("validation", "V", "v"), context).headers["retry-after"]).toBeUndefined();
  });

  it("challenges for a bearer token on 401, with invalid_token only when a token was sent (RFC 6750)", () => {
    expect(toProblemResponse(new AppError("unauthorized", "MissingToken", "Send one."), context).headers["www-authenticate"]).toBe("Bearer");
    expect(toProblemResponse(new AppError("unauthorized", "TokenExpired", 'The "token" expired.'), context).headers["www-authenticate"]).toBe(
      `Bearer error="invalid_token", error_description="The 'token' expired."`,
    );
    expect(toProblemResponse(new AppError("forbidden", "MissingAppRole", "no"), context).headers["www-authenticate"]).toBeUndefined();
  });
});

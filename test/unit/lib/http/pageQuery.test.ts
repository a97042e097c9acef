import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeContinuationToken, encodeContinuationToken, parsePageQuery, toNextLink } from "../../../../src/lib/http/pageQuery";
import { getCorrelationId } from "../../../../src/lib/http/correlation";

describe("paging", () => {
  it("defaults the page size and bounds it", () => {
    expect(parsePageQuery(new URLSearchParams(""))).toEqual({ ok: true, value: { pageSize: 50 } });
    expect(parsePageQuery(new URLSearchParams("pageSize=200"))).toEqual({ ok: true, value: { pageSize: 200 } });
    for (const bad of ["0", "201", "-1", "1.5", "ten", "", "99999999999"]) {
      const parsed = parsePageQuery(new URLSearchParams({ pageSize: bad }));
      expect(parsed.ok ? "accepted" : parsed.error[0]?.path, bad).toBe("/query/pageSize");
    }
  });

  it("round-trips any registry token through nextLink, keeping the other query parameters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }), (token) => {
        const link = toNextLink("https://app.example/api/connections?cluster=adxdemo&continuationToken=old&pageSize=10", token) as string;
        const url = new URL(link);
        expect(url.origin + url.pathname).toBe("https://app.example/api/connections");
        expect(url.searchParams.get("cluster")).toBe("adxdemo");
        expect(url.searchParams.get("pageSize")).toBe("10");
        expect(parsePageQuery(url.searchParams)).toEqual({ ok: true, value: { pageSize: 10, continuationToken: token } });
      }),
    );
  });

  it("has no nextLink on the last page", () => {
    expect(toNextLink("https://app.example/api/connections", undefined)).toBeUndefined();
  });

  it("refuses tokens it did not issue", () => {
    for (const bad of ["not base64!", "a".repeat(5000), "QQ=", "_w"]) {
      expect(decodeContinuationToken(bad), bad).toBeUndefined();
    }
    expect(decodeContinuationToken(encodeContinuationToken("x"))).toBe("x");
    const parsed = parsePageQuery(new URLSearchParams({ continuationToken: "%%%" }));
    expect(parsed.ok ? [] : parsed.error.map((p) => p.code)).toEqual(["InvalidContinuationToken"]);
  });
});

describe("getCorrelationId", () => {
  const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null });
  it("takes the caller's ID, or ARM's, when it is a safe token", () => {
    expect(getCorrelationId(headers({ "x-correlation-id": "abc-123" }))).toBe("abc-123");
    expect(getCorrelationId(headers({ "x-ms-correlation-request-id": "3f1c" }))).toBe("3f1c");
  });
  it("replaces unsafe or missing IDs with a new GUID", () => {
    const cases: Record<string, string>[] = [{}, { "x-correlation-id": "line\nbreak" }, { "x-correlation-id": "x".repeat(129) }];
    for (const h of cases) {
      expect(getCorrelationId(headers(h))).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

import { ReadableStream } from "node:stream/web";
import { describe, expect, it } from "vitest";
import type { Result } from "../../../../src/lib/errors";
import { checkMediaType, maxBodyBytes, readJsonBody } from "../../../../src/lib/http/readJsonBody";

const request = (body: string | Uint8Array | Uint8Array[] | null, headers: Record<string, string> = { "content-type": "application/json" }) => {
  const chunks = body === null ? null : Array.isArray(body) ? body : [typeof body === "string" ? new TextEncoder().encode(body) : body];
  let pulled = 0;
  const stream =
    chunks === null
      ? null
      : new ReadableStream<Uint8Array>({
          pull(controller) {
            const next = chunks[pulled++];
            if (next) controller.enqueue(next);
            else controller.close();
          },
        }, { highWaterMark: 0 }); // pull only when the reader asks: `pulled` counts what was read
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { req: { headers: { get: (name: string) => lower[name.toLowerCase()] ?? null }, body: stream }, pulled: () => pulled };
};
const codeOf = (r: Result<unknown>) => (r.ok ? "ok" : `${r.error.kind}:${r.error.code}`);

describe("readJsonBody", () => {
  it("parses a JSON body", async () => {
    expect(await readJsonBody(request('{"kind":"EventHub"}').req)).toEqual({ ok: true, value: { kind: "EventHub" } });
  });

  it("refuses by Content-Length before reading anything", async () => {
    const { req, pulled } = request("{}", { "content-type": "application/json", "content-length": String(maxBodyBytes + 1) });
    expect(codeOf(await readJsonBody(req))).toBe("tooLarge:PayloadTooLarge");
    expect(pulled()).toBe(0);
  });

  it("refuses while reading when the length is absent or lies, and stops reading", async () => {
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const chunks = Array.from({ length: 10 }, () => chunk);
    const { req, pulled } = request(chunks, { "content-type": "application/json", "content-length": "10" });
    expect(codeOf(await readJsonBody(req))).toBe("tooLarge:PayloadTooLarge");
    expect(pulled()).toBe(5); // 4 × 16 KiB fit; the 5th crosses 64 KiB and ends the read
  });

  it("accepts a body of exactly the limit", async () => {
    const body = `"${"a".repeat(maxBodyBytes - 2)}"`;
    expect(codeOf(await readJsonBody(request(body).req))).toBe("ok");
  });

  it("refuses other media types with 415", async () => {
    for (const type of [undefined, "text/plain", "application/xml", "application/json-patch+json", "application/x-www-form-urlencoded"]) {
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      expect(codeOf(await readJsonBody(request("{}", headers).req)), String(type)).toBe("unsupportedMediaType:UnsupportedMediaType");
    }
    expect(codeOf(await readJsonBody(request("{}", { "content-type": "application/json; charset=latin1" }).req))).toBe(
      "unsupportedMediaType:UnsupportedCharset",
    );
  });

  it("accepts application/json with a UTF-8 charset in any spelling", () => {
    for (const type of ["application/json", "Application/JSON", "application/json; charset=utf-8", 'application/json;charset="UTF-8"', "application/json; charset=utf8"]) {
      expect(checkMediaType(type).ok, type).toBe(true);
    }
  });

  it("refuses empty bodies, malformed JSON and invalid UTF-8 with 400", async () => {
    expect(codeOf(await readJsonBody(request("").req))).toBe("validation:MissingBody");
    expect(codeOf(await readJsonBody(request(null).req))).toBe("validation:MissingBody");
    expect(codeOf(await readJsonBody(request('{"kind": ').req))).toBe("validation:MalformedJson");
    expect(codeOf(await readJsonBody(request(new Uint8Array([0x7b, 0xff, 0x7d])).req))).toBe("validation:MalformedJson");
  });

  it("ignores a UTF-8 byte order mark", async () => {
    expect(await readJsonBody(request(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).req)).toEqual({ ok: true, value: {} });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeKey, encodeKey, joinKey, KEY_SEPARATOR, prefixUpperBound, splitKey } from "../../../../src/lib/registry/keyEncoding";

// Table Storage forbids these in PartitionKey/RowKey.
// eslint-disable-next-line no-control-regex -- control characters are exactly what the test looks for
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Full UTF-16 code units (lone surrogates included) and resource-ID-like strings, where '/' and '.' abound.
const anyString = fc.string({ unit: "binary", maxLength: 40 });
const idLike = fc.string({ unit: fc.constantFrom("/", ".", "-", "_", "a", "z", "0", "9", "A", "#", "?", "\\", " ", "~", "é", "!", "%", "'"), maxLength: 30 });
const strings = fc.oneof(anyString, idLike);

describe("encodeKey", () => {
  it("round-trips every string", () => {
    fc.assert(fc.property(strings, (s) => decodeKey(encodeKey(s)) === s), { numRuns: 2000 });
  });

  it("never produces a character Table Storage forbids in keys, nor the separator, nor quotes", () => {
    fc.assert(
      fc.property(strings, (s) => {
        const e = encodeKey(s);
        expect(e).not.toMatch(FORBIDDEN);
        expect(e).not.toContain(KEY_SEPARATOR);
        expect(e).not.toMatch(/['"% ]/);
        expect(e).toMatch(/^[\x21-\x7e]*$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("preserves order (ordinal, code unit by code unit)", () => {
    fc.assert(fc.property(strings, strings, (a, b) => ordinal(encodeKey(a), encodeKey(b)) === ordinal(a, b)), { numRuns: 3000 });
  });

  it("preserves prefixes both ways: a is a prefix of b exactly when enc(a) is a prefix of enc(b)", () => {
    fc.assert(
      fc.property(strings, strings, (a, b) => encodeKey(a + b).startsWith(encodeKey(a)) && encodeKey(b).startsWith(encodeKey(a)) === b.startsWith(a)),
      { numRuns: 3000 },
    );
  });

  it("keeps the lower-case letters, digits, '-' and '_' of resource names as they are", () => {
    expect(encodeKey("rg-adx_demo01")).toBe("rg-adx_demo01");
    expect(encodeKey("/subscriptions/abc")).toBe(".1subscriptions.1abc");
    expect(encodeKey("microsoft.kusto")).toBe("microsoft.0kusto");
  });

  it("orders a character and its neighbours across run boundaries", () => {
    const chars = [0x00, 0x1f, 0x20, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x39, 0x3a, 0x3f, 0x40, 0x41, 0x5a, 0x5b, 0x5c, 0x5e, 0x5f, 0x60, 0x61, 0x7a, 0x7b, 0x7f, 0x9f, 0xa0, 0xd800, 0xdfff, 0xffff];
    const encoded = chars.map((c) => encodeKey(String.fromCharCode(c)));
    expect([...encoded].sort(ordinal)).toEqual(encoded);
    expect(new Set(encoded).size).toBe(chars.length);
  });

  it("refuses text it cannot have produced", () => {
    expect(() => decodeKey("a/b")).toThrow();
    expect(() => decodeKey(".")).toThrow(); // truncated codeword
    expect(() => decodeKey(".2")).toThrow(); // outside the '.' run
    expect(() => decodeKey("~00")).toThrow();
  });
});

describe("joinKey", () => {
  const parts = fc.array(strings, { minLength: 1, maxLength: 5 });

  it("round-trips through splitKey", () => {
    fc.assert(fc.property(parts, (p) => {
      expect(splitKey(joinKey(p))).toEqual(p);
    }));
  });

  it("sorts as the tuple of its parts", () => {
    const compareTuples = (a: string[], b: string[]): number => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const c = ordinal(a[i] as string, b[i] as string);
        if (c !== 0) return c;
      }
      return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
    };
    fc.assert(fc.property(parts, parts, (a, b) => Math.sign(ordinal(joinKey(a), joinKey(b))) === Math.sign(compareTuples(a, b))), { numRuns: 2000 });
  });
});

describe("prefixUpperBound", () => {
  it("bounds exactly the encodings that start with an encoded prefix", () => {
    fc.assert(
      fc.property(strings.filter((s) => s.length > 0), strings, (prefix, s) => {
        const p = encodeKey(prefix);
        const e = encodeKey(s);
        const inRange = e >= p && e < prefixUpperBound(p);
        return inRange === e.startsWith(p);
      }),
      { numRuns: 3000 },
    );
  });

  it("bounds a prefix ending in the separator", () => {
    const p = joinKey(["sub", "rg"]) + KEY_SEPARATOR;
    expect(joinKey(["sub", "rg", "c"]) < prefixUpperBound(p)).toBe(true);
    expect(joinKey(["sub", "rg", "c"]) >= p).toBe(true);
    expect(joinKey(["sub", "rg2", "c"]) >= prefixUpperBound(p)).toBe(true);
  });
});

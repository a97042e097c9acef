import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromConnectionEntity, toConnectionEntity } from "../../../../src/lib/registry/connectionEntity";
import { fromJsonProperties, JSON_CHUNK_CHARS, JsonTooLargeError, MAX_JSON_CHARS, toJsonProperties } from "../../../../src/lib/registry/jsonProperties";
import { connectionKey, managedConnection } from "./connectionFixture";

describe("toConnectionEntity / fromConnectionEntity", () => {
  it("round-trips a connection, leaving its ETag to the table", () => {
    const connection = { ...managedConnection(), etag: 'W/"old"' };
    const entity = toConnectionEntity(connection);
    expect(JSON.stringify(entity)).not.toContain('W/\\"old\\"');
    const { etag: _etag, ...withoutEtag } = connection;
    expect(fromConnectionEntity(entity, 'W/"new"')).toEqual({ ...withoutEtag, etag: 'W/"new"' });
  });

  it("writes lower-cased filter columns and keeps the record's casing", () => {
    const connection = managedConnection({ key: connectionKey({ cluster: "ADXDemo", database: "Telemetry" }), status: "Provisioning" });
    const entity = toConnectionEntity(connection);
    expect(entity).toMatchObject({ cluster: "adxdemo", database: "telemetry", status: "Provisioning", kind: "EventHub", authMode: "key" });
    expect(fromConnectionEntity(entity, undefined).key.cluster).toBe("ADXDemo");
  });

  it("keeps a realistic record in one property of a few KB", () => {
    const entity = toConnectionEntity(managedConnection());
    expect(typeof entity.record).toBe("string");
    expect((entity.record as string).length).toBeLessThan(JSON_CHUNK_CHARS);
    expect(entity.recordParts).toBeUndefined();
  });

  it("splits a large record over several properties, none over the 64 KiB limit", () => {
    const big = managedConnection({ spec: { kind: "EventHub", properties: { blob: "é😀x".repeat(5_000) } } });
    const entity = toConnectionEntity(big);
    expect(entity.recordParts).toBeGreaterThan(1);
    for (const [name, value] of Object.entries(entity)) {
      if (typeof value === "string") expect(value.length * 2, name).toBeLessThanOrEqual(64 * 1024);
    }
    expect(fromConnectionEntity(entity, undefined)).toEqual(big);
  });

  it("refuses a row without a record", () => {
    expect(() => fromConnectionEntity({ partitionKey: "p", rowKey: "r" }, undefined)).toThrow(/no connection record/);
  });
});

describe("JSON properties", () => {
  it("round-trip any JSON value, cut anywhere, as ASCII", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary", maxLength: 40_000 }), (value, text) => {
        const doc = { value, text };
        const props = toJsonProperties("doc", doc);
        for (const v of Object.values(props)) if (typeof v === "string") expect(v).toMatch(/^[ -~]*$/);
        expect(fromJsonProperties("doc", props)).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
      { numRuns: 50 },
    );
  });

  it("refuse a document over the limit rather than write a row Table Storage rejects", () => {
    expect(() => toJsonProperties("doc", "x".repeat(MAX_JSON_CHARS))).toThrow(JsonTooLargeError);
  });

  it("say when a part is missing", () => {
    const props = toJsonProperties("doc", "y".repeat(JSON_CHUNK_CHARS * 2));
    delete props.doc1;
    expect(() => fromJsonProperties("doc", props)).toThrow(/part 1/);
  });
});

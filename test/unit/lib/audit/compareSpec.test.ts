import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { diffSpec } from "../../../../src/lib/audit/compareSpec";
import { specs } from "../../../support/fakes/demoIds";

const asKusto = (spec: ReturnType<typeof specs.eventHub>, extra: Record<string, unknown> = {}) => ({ kind: spec.kind, location: spec.location, properties: { ...spec.properties, ...extra } });

describe("diffSpec", () => {
  it("finds no drift when Kusto carries the spec, whatever it adds (read-only and defaulted properties)", () => {
    const spec = specs.eventHub();
    expect(diffSpec(spec, asKusto(spec, { provisioningState: "Succeeded", compression: "None", managedIdentityObjectId: "x" }))).toEqual([]);
  });

  it("compares resource IDs and the location case-insensitively", () => {
    const spec = specs.eventGrid();
    const kusto = asKusto(spec);
    kusto.properties.eventHubResourceId = String(spec.properties.eventHubResourceId).toUpperCase();
    kusto.properties.storageAccountResourceId = `${String(spec.properties.storageAccountResourceId).toLowerCase()}/`;
    expect(diffSpec(spec, { ...kusto, location: "West Europe" })).toEqual([]);
  });

  it("reports each drifted field with its desired and actual value, missing fields as undefined", () => {
    const spec = specs.eventHub();
    const kusto = asKusto(spec, { consumerGroup: "other" });
    delete (kusto.properties as Record<string, unknown>).dataFormat;
    expect(diffSpec(spec, kusto)).toEqual([
      { path: "/properties/consumerGroup", desired: "adx", actual: "other" },
      { path: "/properties/dataFormat", desired: "JSON", actual: undefined },
    ]);
  });

  it("compares other strings exactly: a table name differing in case is drift", () => {
    const spec = specs.eventHub();
    expect(diffSpec(spec, asKusto(spec, { tableName: "events" })).map((d) => d.path)).toEqual(["/properties/tableName"]);
  });

  it("reports a kind or location change", () => {
    const spec = specs.eventHub();
    expect(diffSpec(spec, { ...asKusto(spec), kind: "EventGrid", location: "northeurope" }).map((d) => d.path)).toEqual(["/kind", "/location"]);
  });

  it("is empty for any spec compared with itself in any property order (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== "__proto__"), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (properties) => {
        const reversed = Object.fromEntries(Object.entries(properties).reverse());
        return diffSpec({ kind: "EventHub", properties }, { kind: "eventhub", properties: reversed }).length === 0;
      }),
    );
  });
});

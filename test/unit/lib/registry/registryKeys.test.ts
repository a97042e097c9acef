import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  connectionKeyString,
  connectionPartitionKey,
  connectionPartitionPrefix,
  fromConnectionKeyString,
  fromLedgerRowKey,
  fromSourceRowKey,
  grantIndexKeys,
  ledgerRowKey,
  sourceIndexKeys,
  inKeyRanges,
  sourceScopeQuery,
  type KeyRange,
} from "../../../../src/lib/registry/registryKeys";
import { connectionKey, eventHubId, SUB } from "./connectionFixture";

const inRanges = (rowKey: string, ranges: readonly KeyRange[]): boolean => inKeyRanges(rowKey, ranges);

describe("connection keys", () => {
  it("ignore the casing of every part", () => {
    const key = connectionKey();
    const shouting = { subscriptionId: key.subscriptionId.toUpperCase(), resourceGroup: "RG-ADX-Demo", cluster: "ADXDEMO", database: "Telemetry", name: "Ingest-Telemetry" };
    expect(connectionKeyString(shouting)).toBe(connectionKeyString(key));
  });

  it("round-trip to the lower-cased key, whatever the names hold", () => {
    const part = fc.string({ minLength: 1, maxLength: 20, unit: "binary" });
    fc.assert(
      fc.property(part, part, part, part, part, (subscriptionId, resourceGroup, cluster, database, name) => {
        const key = { subscriptionId, resourceGroup, cluster, database, name };
        const lower = Object.fromEntries(Object.entries(key).map(([k, v]) => [k, v.toLowerCase()]));
        expect(fromConnectionKeyString(connectionKeyString(key))).toEqual(lower);
      }),
    );
  });

  it("turn leading list filters into a partition prefix that selects exactly that scope", () => {
    const byRg = connectionPartitionPrefix({ subscriptionId: SUB, resourceGroup: "RG-ADX-Demo" });
    expect(byRg.used).toBe(2);
    expect(connectionPartitionKey(connectionKey()).startsWith(byRg.prefix as string)).toBe(true);
    expect(connectionPartitionKey(connectionKey({ resourceGroup: "rg-adx-demo2" })).startsWith(byRg.prefix as string)).toBe(false);
    expect(connectionPartitionPrefix({ subscriptionId: SUB, resourceGroup: "rg", cluster: "c", database: "d" })).toEqual({ exact: connectionPartitionKey({ subscriptionId: SUB, resourceGroup: "rg", cluster: "c", database: "d" }), used: 4 });
    expect(connectionPartitionPrefix({ cluster: "c" })).toEqual({ used: 0 }); // no subscription: a column filter
  });
});

describe("grant index keys", () => {
  it("partition by the role assignment, in any casing", () => {
    const id = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/AAAA`;
    expect(grantIndexKeys(id, connectionKey()).partitionKey).toBe(grantIndexKeys(id.toLowerCase() + "/", connectionKey()).partitionKey);
  });
});

describe("source index keys", () => {
  const key = connectionKey();
  const hub = eventHubId();

  it("partition by the source's subscription and round-trip the source and the connection", () => {
    const keys = sourceIndexKeys(hub, key);
    expect(keys.partitionKey).toBe(SUB);
    expect(fromSourceRowKey(keys.rowKey)).toEqual({ sourceResourceId: hub.toLowerCase(), key });
  });

  it("find a source from its subscription, resource group, namespace and itself, and not from a sibling", () => {
    const row = sourceIndexKeys(hub, key);
    const rg = `/subscriptions/${SUB}/resourceGroups/rg-sources-demo`;
    const ns = `${rg}/providers/Microsoft.EventHub/namespaces/evhns-adx-demo`;
    expect(sourceScopeQuery(`/subscriptions/${SUB.toUpperCase()}`)).toEqual({ kind: "subscription", partitionKey: SUB });
    for (const scope of [rg, ns, hub, hub.toUpperCase(), `${ns}/`]) {
      const q = sourceScopeQuery(scope);
      expect(q.kind).toBe("ranges");
      if (q.kind === "ranges") expect(inRanges(row.rowKey, q.ranges), scope).toBe(true);
    }
    for (const scope of [`${rg}-2`, `${ns}2`, `${hub}-old`, `${hub}/consumergroups/adx`]) {
      const q = sourceScopeQuery(scope);
      if (q.kind === "ranges") expect(inRanges(row.rowKey, q.ranges), scope).toBe(false);
    }
  });

  it("match a source by scope exactly when the source is the scope or lies under it (property)", () => {
    const segment = fc.constantFrom("a", "ab", "a-b", "a.b", "b", "x_1");
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/subscriptions/${SUB}/${s.join("/")}`);
    fc.assert(
      fc.property(path, path, (source, scope) => {
        const q = sourceScopeQuery(scope);
        if (q.kind !== "ranges") return;
        const expected = source === scope || source.startsWith(`${scope}/`);
        const rowKey = sourceIndexKeys(source, key).rowKey;
        expect(inRanges(rowKey, q.ranges)).toBe(expected);
        // The one range the query reads holds every match (and maybe siblings, which inRanges then drops).
        if (expected) expect(inRanges(rowKey, [q.span])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("cannot resolve scopes above a subscription by prefix", () => {
    expect(sourceScopeQuery("/providers/Microsoft.Management/managementGroups/contoso").kind).toBe("unresolvable");
    expect(sourceScopeQuery("/").kind).toBe("unresolvable");
  });

  it("refuse a source that is not under a subscription", () => {
    expect(() => sourceIndexKeys("/providers/Microsoft.Management/managementGroups/x", key)).toThrow();
  });
});

describe("ledger keys", () => {
  it("round-trip the index and the normalized ID", () => {
    expect(fromLedgerRowKey(ledgerRowKey("grant", "/Subscriptions/X/ra/1/"))).toEqual({ index: "grant", id: "/subscriptions/x/ra/1" });
    expect(fromLedgerRowKey(ledgerRowKey("source", eventHubId()))).toEqual({ index: "source", id: eventHubId().toLowerCase() });
  });
});

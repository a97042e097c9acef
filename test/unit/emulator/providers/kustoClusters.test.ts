import { describe, expect, it } from "vitest";
import { createTestContext, identityOf } from "./testContext";
import { CLUSTER_ID, CLUSTER_MI_OBJECT_ID, CREATOR, KUSTO_TENANT, kustoWorldSeed, RG_ID, SUB } from "./kustoWorld";

function setup() {
  const t = createTestContext(kustoWorldSeed());
  const caller = identityOf(t.world, CREATOR.objectId);
  return { ...t, get: (path: string) => t.call("GET", path, { caller }), del: (path: string) => t.call("DELETE", path, { caller }) };
}
const CLUSTER_PATH = `${RG_ID}/providers/Microsoft.Kusto/clusters/kustoCluster`;

describe("Microsoft.Kusto clusters, databases and operations", () => {
  it("lists operations at tenant scope, including the data-connection actions", async () => {
    const t = setup();
    const res = await t.get("/providers/Microsoft.Kusto/operations");
    const names = (res.body as { value: { name: string }[] }).value.map((o) => o.name);
    expect(names).toContain("Microsoft.Kusto/Clusters/Databases/DataConnections/write");
  });

  it("returns a cluster with its identity's principalId and tenantId, filling them from the world when the seed omits them", async () => {
    const t = setup();
    expect((await t.get(CLUSTER_PATH)).body).toMatchObject({ id: CLUSTER_ID, identity: { principalId: CLUSTER_MI_OBJECT_ID, tenantId: KUSTO_TENANT } });
    const cluster = t.world.getResource(CLUSTER_ID);
    t.world.putResource({ ...cluster?.body, identity: { type: "SystemAssigned" } });
    expect((await t.get(CLUSTER_PATH)).body).toMatchObject({ identity: { type: "SystemAssigned", principalId: CLUSTER_MI_OBJECT_ID, tenantId: KUSTO_TENANT } });
  });

  it("lists clusters by resource group and by subscription, and 404s a missing one", async () => {
    const t = setup();
    expect(((await t.get(`${RG_ID}/providers/Microsoft.Kusto/clusters`)).body as { value: unknown[] }).value).toHaveLength(1);
    expect(((await t.get(`/subscriptions/${SUB}/providers/Microsoft.Kusto/clusters`)).body as { value: unknown[] }).value).toHaveLength(1);
    expect((await t.get(`${RG_ID}/providers/Microsoft.Kusto/clusters/nope`)).body).toMatchObject({ error: { code: "ResourceNotFound" } });
  });

  it("lists and gets ReadWrite databases", async () => {
    const t = setup();
    const list = (await t.get(`${CLUSTER_PATH}/databases`)).body as { value: { name: string; kind: string }[] };
    expect(list.value.map((d) => [d.name, d.kind])).toEqual([["kustoCluster/KustoDatabase8", "ReadWrite"], ["kustoCluster/KustoDatabase1", "ReadWrite"]]);
    expect((await t.get(`${CLUSTER_PATH}/databases/KustoDatabase1`)).status).toBe(200);
    expect((await t.get(`${CLUSTER_PATH}/databases/nope`)).status).toBe(404);
  });

  it("deletes a cluster as an LRO, with its databases", async () => {
    const t = setup();
    const res = await t.del(CLUSTER_PATH);
    expect(res.status).toBe(202);
    expect((await t.get(CLUSTER_PATH)).body).toMatchObject({ properties: { provisioningState: "Deleting" } });
    expect((await t.del(CLUSTER_PATH)).status).toBe(409);
    await t.lro.drain();
    expect(t.world.listByType("Microsoft.Kusto/Clusters/Databases")).toHaveLength(0);
    expect((await t.del(CLUSTER_PATH)).status).toBe(204);
  });
});

// Source providers through the ARM front door over HTTPS: seed an Event Hub namespace and hub, list keys,
// point a Kusto connection at it, and see the connection fail once the namespace is deleted.
import https from "node:https";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startKustoHarness, type KustoHarness } from "../kusto/harness";
import { CREATOR, KUSTO_TENANT, RG_ID } from "../../../unit/emulator/providers/kustoWorld";

let h: KustoHarness;
let token = "";

beforeAll(async () => {
  h = await startKustoHarness();
  token = await h.emulator.tokens.mint({ tenantId: KUSTO_TENANT, objectId: CREATOR.objectId, appId: CREATOR.appId, audience: "https://management.azure.com/" });
});
afterAll(async () => h?.close());

function arm(method: string, path: string, apiVersion: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${h.emulator.armEndpoint}${path}?api-version=${apiVersion}`,
      { method, ca: h.emulator.caPem, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function until(probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

it("seeds, reads and deletes an event hub source through ARM, and a Kusto connection on it fails when it goes", async () => {
  const ns = `${RG_ID}/providers/Microsoft.EventHub/namespaces/live`;
  expect((await arm("PUT", ns, "2024-01-01", { location: "westus", sku: { name: "Standard" } })).status).toBe(201);
  expect((await arm("PUT", `${ns}/eventhubs/telemetry`, "2024-01-01", {})).status).toBe(201);
  const keys = await arm("POST", `${ns}/authorizationRules/RootManageSharedAccessKey/listKeys`, "2024-01-01");
  expect(keys.json.primaryConnectionString).toMatch(/^Endpoint=sb:\/\/live\.servicebus\.windows\.net\/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=/);
  expect((await arm("GET", `${ns}/eventhubs/telemetry/consumergroups/$Default`, "2024-01-01")).status).toBe(200);

  const dc = `${RG_ID}/providers/Microsoft.Kusto/clusters/kustoCluster/databases/KustoDatabase8/dataConnections/live`;
  const created = await arm("PUT", dc, "2023-08-15", { kind: "EventHub", properties: { eventHubResourceId: `${ns}/eventhubs/telemetry`, consumerGroup: "$Default" } });
  expect(created.status).toBe(201);
  await until(async () => ((await arm("GET", dc, "2023-08-15")).json.properties as { provisioningState: string }).provisioningState === "Succeeded");

  expect((await arm("DELETE", ns, "2024-01-01")).status).toBe(200);
  expect((await arm("GET", `${ns}/eventhubs/telemetry`, "2024-01-01")).status).toBe(404);
  expect(((await arm("GET", dc, "2023-08-15")).json.properties as { provisioningState: string }).provisioningState).toBe("Failed");
});

it("rejects an api-version the provider does not serve", async () => {
  const res = await arm("GET", `${RG_ID}/providers/Microsoft.Storage/storageAccounts/teststorageaccount`, "2015-01-01");
  expect(res.status).toBe(400);
});

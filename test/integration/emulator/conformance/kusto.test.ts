// Conformance: every Microsoft.Kusto data-connection example of the spec (copied into ./kusto) replayed
// through the real @azure/arm-kusto client against the emulator, on a world seeded to match the example.
// Raw response bodies are validated against kusto.json's definitions (ajv) and compared with the example's
// response field by field. The examples' own quirks are listed in emulator/providers/README.md.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FullOperationResponse } from "@azure/core-client";
import type { DataConnectionUnion, KustoManagementClient } from "@azure/arm-kusto";
import { integrationSeed, startKustoHarness, type KustoHarness } from "../kusto/harness";
import { CREATOR, DB8_ID, KUSTO_TENANT, NAMESPACE_ID } from "../../../unit/emulator/providers/kustoWorld";
import { KUSTO_REFERENCE_DIR, loadKustoSwagger } from "./swaggerSchemas";

interface Example {
  parameters: Record<string, unknown> & { "api-version": string; databaseName: string; dataConnectionName?: unknown; parameters?: Record<string, unknown> };
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}
interface Captured {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const swagger = loadKustoSwagger();
const RG = "kustorptest";
const CLUSTER = "kustoCluster";
const POLL = { updateIntervalInMs: 20 };
const MODEL_BY_KIND: Record<string, string> = {
  EventHub: "EventHubDataConnection",
  EventGrid: "EventGridDataConnection",
  IotHub: "IotHubDataConnection",
  CosmosDb: "CosmosDbDataConnection",
};
const OPERATION_RESULT_URL = /^https:\/\/[^/]+\/subscriptions\/12345678-1234-1234-1234-123456789098\/providers\/Microsoft\.Kusto\/locations\/westus\/operationResults\/([0-9a-f-]{36})\?api-version=/;

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let h: KustoHarness;

function example(name: string): Example {
  return JSON.parse(readFileSync(path.join(KUSTO_REFERENCE_DIR, `${name}.json`), "utf8")) as Example;
}

function clientFor(ex: Example): KustoManagementClient {
  return h.client(h.credential(CREATOR, KUSTO_TENANT), { apiVersion: ex.parameters["api-version"] });
}

/** Records the raw responses the SDK reports through onResponse (for LROs: the initial one), as sent on the wire. */
function capture(): { onResponse(raw: FullOperationResponse): void; responses: Captured[] } {
  const responses: Captured[] = [];
  return {
    responses,
    // bodyAsText, not parsedBody: the SDK's deserializer flattens `properties` and turns dates into Dates.
    onResponse: (raw) => responses.push({ status: raw.status, body: raw.bodyAsText ? (JSON.parse(raw.bodyAsText) as unknown) : undefined, headers: raw.headers.toJSON() }),
  };
}

/** Schema errors of a data connection body, plus properties its kind's model does not define. */
function dataConnectionProblems(body: unknown): string[] {
  const kind = String((body as { kind?: unknown }).kind);
  const model = MODEL_BY_KIND[kind] ?? "DataConnection";
  const validate = swagger.validator(model);
  const problems = validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
  const propertiesModel = MODEL_BY_KIND[kind] ? swagger.definitions[`${kind}ConnectionProperties`] ?? swagger.definitions[`${kind}DataConnectionProperties`] : undefined;
  if (propertiesModel) {
    const known = new Set(Object.keys(propertiesModel.properties ?? {}));
    for (const key of Object.keys((body as { properties?: object }).properties ?? {})) if (!known.has(key)) problems.push(`properties.${key} is not in ${kind}'s model`);
  }
  return problems;
}

function schemaProblems(definition: string, body: unknown): string[] {
  const validate = swagger.validator(definition);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

/** Fields of `expected` missing from or different in `actual` (arrays by index), skipping `ignore` paths. */
function differences(expected: unknown, actual: unknown, ignore: string[] = [], at = ""): string[] {
  if (ignore.includes(at)) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    return expected.flatMap((e, i) => differences(e, actual[i], ignore, `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => differences(v, (actual as Record<string, unknown>)[k], ignore, at ? `${at}.${k}` : k));
  }
  // The SDK sends date-times as JS Dates (millisecond precision): compare them as instants.
  if (typeof expected === "string" && typeof actual === "string" && ISO_DATE.test(expected) && Date.parse(expected) === Date.parse(actual)) return [];
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** The request model the SDK takes: ARM's `properties` flattened into the top level. */
function toSdkModel(body: Record<string, unknown>): DataConnectionUnion {
  const { properties, ...rest } = body;
  return { ...rest, ...(properties as object) } as unknown as DataConnectionUnion;
}

/** Stores an example's response body as the resource at the example's request path (the world "matches" it). */
function seedConnection(ex: Example, body: unknown, name = String(ex.parameters.dataConnectionName)): void {
  const db = ex.parameters.databaseName;
  const stored = structuredClone(body) as Record<string, unknown>;
  stored.id = `${DB8_ID.replace("KustoDatabase8", db)}/DataConnections/${name}`;
  stored.name = `${CLUSTER}/${db}/${name}`;
  h.emulator.world.putResource(stored);
}

async function operationResultOf(client: KustoManagementClient, headers: Record<string, string>): Promise<{ status?: string }> {
  const url = headers["azure-asyncoperation"] ?? "";
  expect(url).toMatch(OPERATION_RESULT_URL);
  const operationId = OPERATION_RESULT_URL.exec(url)?.[1] ?? "";
  const c = capture();
  const result = await client.operationsResults.get("westus", operationId, { onResponse: c.onResponse });
  expect(schemaProblems("OperationResult", c.responses[0]?.body)).toEqual([]);
  return result;
}

beforeAll(async () => {
  h = await startKustoHarness();
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.emulator.world.reset();
  h.emulator.world.load(integrationSeed());
});

describe("Kusto spec examples replayed through @azure/arm-kusto", () => {
  const creates: [string, string[]][] = [
    ["KustoDataConnectionsCreateOrUpdate", []],
    // The example's response id ends in KustoDataConnection9 while its name ends in dataConnectionTest.
    ["KustoDataConnectionsEventGridCreateOrUpdate", ["id"]],
    ["KustoDataConnectionsCosmosDbCreateOrUpdate", []],
  ];
  it.each(creates)("%s: the initial response, the LRO and the resource read back match", async (name, ignore) => {
    const ex = example(name);
    const client = clientFor(ex);
    const c = capture();
    const result = await client.dataConnections.beginCreateOrUpdateAndWait(RG, CLUSTER, ex.parameters.databaseName, String(ex.parameters.dataConnectionName), toSdkModel(ex.parameters.parameters ?? {}), {
      ...POLL,
      onResponse: c.onResponse,
    });
    const initial = c.responses[0] as Captured;
    expect(Object.keys(ex.responses)).toContain(String(initial.status));
    expect(dataConnectionProblems(initial.body)).toEqual([]);
    expect(differences(ex.responses[String(initial.status)]?.body, initial.body, ignore)).toEqual([]);
    expect((result as { provisioningState?: string }).provisioningState).toBe("Succeeded");
    expect((await operationResultOf(client, initial.headers)).status).toBe("Succeeded");
    const get = capture();
    await client.dataConnections.get(RG, CLUSTER, ex.parameters.databaseName, String(ex.parameters.dataConnectionName), { onResponse: get.onResponse });
    expect(differences(ex.responses["200"]?.body, get.responses[0]?.body, ignore)).toEqual([]);
    expect(get.responses[0]?.body).toMatchObject({ properties: { provisioningState: "Succeeded" } });
  });

  const gets: [string, string[]][] = [
    ["KustoDataConnectionsGet", []],
    ["KustoDataConnectionsEventGridGet", ["id"]],
    // The example GETs dataConnectionTest and answers with KustoDataConnection1.
    ["KustoDataConnectionsCosmosDbGet", ["id", "name"]],
    ["KustoDataConnectionsEventHubWithManagedIdentityGet", []],
  ];
  it.each(gets)("%s: the response body is the example's", async (name, ignore) => {
    const ex = example(name);
    seedConnection(ex, ex.responses["200"]?.body);
    const c = capture();
    await clientFor(ex).dataConnections.get(RG, CLUSTER, ex.parameters.databaseName, String(ex.parameters.dataConnectionName), { onResponse: c.onResponse });
    const body = c.responses[0]?.body;
    expect(dataConnectionProblems(body)).toEqual([]);
    expect(differences(ex.responses["200"]?.body, body, ignore)).toEqual([]);
    expect(differences(body, ex.responses["200"]?.body, ignore)).toEqual([]);
  });

  it("KustoDataConnectionsListByDatabase: the page is the example's, each item valid for its kind", async () => {
    const ex = example("KustoDataConnectionsListByDatabase");
    const items = (ex.responses["200"]?.body as { value: { name: string }[] }).value;
    for (const item of items) seedConnection(ex, item, item.name.split("/").pop());
    const c = capture();
    for await (const page of clientFor(ex).dataConnections.listByDatabase(RG, CLUSTER, ex.parameters.databaseName, { onResponse: c.onResponse }).byPage()) void page;
    const body = c.responses[0]?.body as { value: unknown[] };
    expect(schemaProblems("DataConnectionListResult", body)).toEqual([]);
    expect(body.value.flatMap(dataConnectionProblems)).toEqual([]);
    expect(differences(ex.responses["200"]?.body, body)).toEqual([]);
  });

  it("KustoDataConnectionsUpdate: PATCH answers 202 with the example's body and completes", async () => {
    const ex = example("KustoDataConnectionsUpdate");
    seedConnection(ex, { ...(ex.responses["200"]?.body as object), properties: { ...((ex.responses["200"]?.body as { properties: object }).properties), provisioningState: "Succeeded" } });
    const client = clientFor(ex);
    const c = capture();
    const result = await client.dataConnections.beginUpdateAndWait(RG, CLUSTER, ex.parameters.databaseName, String(ex.parameters.dataConnectionName), toSdkModel(ex.parameters.parameters ?? {}), {
      ...POLL,
      onResponse: c.onResponse,
    });
    const initial = c.responses[0] as Captured;
    expect(Object.keys(ex.responses)).toContain(String(initial.status));
    expect(dataConnectionProblems(initial.body)).toEqual([]);
    expect(differences(ex.responses[String(initial.status)]?.body, initial.body)).toEqual([]);
    expect(differences(ex.responses[String(initial.status)]?.headers ? { present: true } : {}, { present: initial.headers["azure-asyncoperation"] !== undefined })).toEqual([]);
    expect((result as { provisioningState?: string }).provisioningState).toBe("Succeeded");
  });

  it("KustoDataConnectionsDelete: 202 with an Azure-AsyncOperation URL of the example's form, then gone", async () => {
    const ex = example("KustoDataConnectionsDelete");
    seedConnection(ex, example("KustoDataConnectionsGet").responses["200"]?.body);
    const client = clientFor(ex);
    const c = capture();
    await client.dataConnections.beginDeleteAndWait(RG, CLUSTER, ex.parameters.databaseName, String(ex.parameters.dataConnectionName), { ...POLL, onResponse: c.onResponse });
    const initial = c.responses[0] as Captured;
    expect(Object.keys(ex.responses)).toContain(String(initial.status));
    expect((await operationResultOf(client, initial.headers)).status).toBe("Succeeded");
    await expect(client.dataConnections.get(RG, CLUSTER, ex.parameters.databaseName, String(ex.parameters.dataConnectionName))).rejects.toMatchObject({ statusCode: 404 });
  });

  it("KustoDataConnectionsCheckNameAvailability: a taken name is reported as the example does", async () => {
    const ex = example("KustoDataConnectionsCheckNameAvailability");
    const request = ex.parameters.dataConnectionName as { name: string; type: "Microsoft.Kusto/clusters/databases/dataConnections" };
    seedConnection(ex, example("KustoDataConnectionsGet").responses["200"]?.body, request.name);
    const c = capture();
    await clientFor(ex).dataConnections.checkNameAvailability(RG, CLUSTER, ex.parameters.databaseName, request, { onResponse: c.onResponse });
    expect(schemaProblems("CheckNameResult", c.responses[0]?.body)).toEqual([]);
    expect(c.responses[0]?.body).toEqual(ex.responses["200"]?.body);
  });

  const validations: [string, () => void][] = [
    // Its scenario: neither the event hub's namespace nor the database exists.
    ["KustoDataConnectionValidationAsync", () => void (h.emulator.world.deleteResource(NAMESPACE_ID), h.emulator.world.deleteResource(DB8_ID))],
    // Its scenario: the database does not exist.
    ["KustoDataConnectionEventGridValidationAsync", () => void h.emulator.world.deleteResource(DB8_ID)],
  ];
  it.each(validations)("%s: the errors are the example's, in the swagger's {value:[...]} shape", async (name, arrange) => {
    const ex = example(name);
    arrange();
    const request = ex.parameters.parameters as { dataConnectionName: string; properties: Record<string, unknown> };
    const c = capture();
    const result = await clientFor(ex).dataConnections.beginDataConnectionValidationAndWait(
      RG,
      CLUSTER,
      ex.parameters.databaseName,
      { dataConnectionName: request.dataConnectionName, properties: toSdkModel(request.properties) },
      { ...POLL, onResponse: c.onResponse },
    );
    const body = c.responses[0]?.body;
    expect(schemaProblems("DataConnectionValidationListResult", body)).toEqual([]);
    const expected = ex.responses["200"]?.body;
    // KustoDataConnectionValidationAsync.json answers a bare array; the swagger (and we) wrap it in value.
    expect(body).toEqual(Array.isArray(expected) ? { value: expected } : expected);
    expect(result.value?.length).toBeGreaterThan(0);
  });
});

describe("Kusto clusters and databases against the swagger", () => {
  it("a cluster GET is a valid Cluster with its identity", async () => {
    const c = capture();
    await h.client(h.credential(CREATOR, KUSTO_TENANT)).clusters.get(RG, CLUSTER, { onResponse: c.onResponse });
    expect(schemaProblems("Cluster", c.responses[0]?.body)).toEqual([]);
    expect(c.responses[0]?.body).toMatchObject({ identity: { principalId: expect.any(String), tenantId: KUSTO_TENANT } });
  });

  it("a database list is a valid DatabaseListResult of ReadWrite databases", async () => {
    const c = capture();
    for await (const page of h.client(h.credential(CREATOR, KUSTO_TENANT)).databases.listByCluster(RG, CLUSTER, { onResponse: c.onResponse }).byPage()) void page;
    const body = c.responses[0]?.body as { value: unknown[] };
    expect(schemaProblems("DatabaseListResult", body)).toEqual([]);
    expect(body.value.flatMap((d) => schemaProblems("ReadWriteDatabase", d))).toEqual([]);
  });
});

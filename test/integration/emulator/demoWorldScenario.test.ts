// The local Azure as the app will use it, on the demo world: the real SDK clients with the real
// credentials (ManagedIdentityCredential against the emulator's MI endpoint; the cross-tenant chain MI →
// federated credential → auxiliary header) create, read, list, validate and delete all four kinds.
import { KustoManagementClient, type DataConnectionUnion } from "@azure/arm-kusto";
import { auxiliaryAuthenticationHeaderPolicy } from "@azure/core-rest-pipeline";
import { ClientAssertionCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../emulator/index";
import type { WorldSeed } from "../../../emulator/world/types";
import { loggedRequests } from "../../support/emulatorAdmin";

const ARM_SCOPE = "https://management.azure.com/.default";
/** LRO polling interval: the emulator's operations take ~10 ms here (time scale 0.05). */
const poll = { updateIntervalInMs: 10 };
const seed = JSON.parse(readFileSync(join(__dirname, "../../../emulator/worlds/demo.json"), "utf8")) as WorldSeed;
const m = seed.meta as Record<string, string>;
const rg = m.kustoResourceGroup as string;
const cluster = m.kustoClusterName as string;
const database = "telemetry";

describe("the demo world through the real SDK clients and credentials", () => {
  let emulator: EmulatorHandle;
  let stateDir: string;
  let appIdentity: ManagedIdentityCredential;
  const savedEnv = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  const kusto = (auxiliary?: TokenCredential) => {
    const client = new KustoManagementClient(appIdentity, m.kustoSubscriptionId as string, {
      endpoint: emulator.armEndpoint,
      credentialScopes: [ARM_SCOPE],
      tlsOptions: { ca: emulator.caPem },
    });
    if (auxiliary) client.pipeline.addPolicy(auxiliaryAuthenticationHeaderPolicy({ credentials: [auxiliary], scopes: ARM_SCOPE }));
    return client;
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "demo-scenario-"));
    emulator = await startEmulator({ stateDir, world: seed, timeScale: 0.05 });
    // The App Service MI source reads these when the credential is built, as in a function app.
    process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
    process.env.IDENTITY_HEADER = emulator.identityHeader;
    appIdentity = new ManagedIdentityCredential({ clientId: m.appIdentityClientId as string });
  });

  afterAll(async () => {
    process.env.IDENTITY_ENDPOINT = savedEnv.endpoint;
    process.env.IDENTITY_HEADER = savedEnv.header;
    if (savedEnv.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    if (savedEnv.header === undefined) delete process.env.IDENTITY_HEADER;
    await emulator?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const connections: Record<string, DataConnectionUnion> = {
    "events-eh": { kind: "EventHub", location: m.location, eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" },
    "blobs-eg": {
      kind: "EventGrid",
      location: m.location,
      storageAccountResourceId: m.storageAccountResourceId,
      eventHubResourceId: m.eventHubResourceId,
      consumerGroup: m.eventHubConsumerGroup,
      tableName: "Blobs",
      dataFormat: "CSV",
      blobStorageEventType: "Microsoft.Storage.BlobCreated",
    },
    "devices-iot": {
      kind: "IotHub",
      location: m.location,
      iotHubResourceId: m.iotHubResourceId,
      consumerGroup: m.iotHubConsumerGroup,
      sharedAccessPolicyName: "iothubowner",
      tableName: "Devices",
      dataFormat: "JSON",
    },
    "readings-cosmos": {
      kind: "CosmosDb",
      location: m.location,
      tableName: "Readings",
      managedIdentityResourceId: m.kustoClusterResourceId,
      cosmosDbAccountResourceId: m.cosmosDbAccountResourceId,
      cosmosDbDatabase: m.cosmosDbDatabase,
      cosmosDbContainer: m.cosmosDbContainer,
    } as DataConnectionUnion,
  };

  it("validates, creates, reads, lists and deletes a data connection of every kind as the app's managed identity", async () => {
    const client = kusto();
    for (const [name, spec] of Object.entries(connections)) {
      const validation = await client.dataConnections.beginDataConnectionValidationAndWait(rg, cluster, database, {
        dataConnectionName: name,
        properties: spec,
      }, poll);
      expect(validation.value ?? [], name).toEqual([]);
      const created = await client.dataConnections.beginCreateOrUpdateAndWait(rg, cluster, database, name, spec, poll);
      expect(created.kind, name).toBe(spec.kind);
      expect(created.name).toBe(`${cluster}/${database}/${name}`);
      const read = await client.dataConnections.get(rg, cluster, database, name);
      expect((read as { provisioningState?: string }).provisioningState, name).toBe("Succeeded");
    }

    const listed: string[] = [];
    for await (const c of client.dataConnections.listByDatabase(rg, cluster, database)) listed.push(c.name ?? "");
    expect(listed.sort()).toEqual(Object.keys(connections).map((n) => `${cluster}/${database}/${n}`).sort());

    for (const name of Object.keys(connections)) await client.dataConnections.beginDeleteAndWait(rg, cluster, database, name, poll);
    const after: string[] = [];
    for await (const c of client.dataConnections.listByDatabase(rg, cluster, database)) after.push(c.name ?? "");
    expect(after).toEqual([]);
  });

  it("reports what is wrong through dataConnectionValidation, and refuses the create", async () => {
    const client = kusto();
    const spec = { ...connections["events-eh"], consumerGroup: "no-such-group" } as DataConnectionUnion;
    const validation = await client.dataConnections.beginDataConnectionValidationAndWait(rg, cluster, database, {
      dataConnectionName: "bad-eh",
      properties: spec,
    }, poll);
    expect(validation.value?.length).toBeGreaterThan(0);
    expect(JSON.stringify(validation.value)).toContain("no-such-group");
    await expect(client.dataConnections.beginCreateOrUpdateAndWait(rg, cluster, database, "bad-eh", spec, poll)).rejects.toMatchObject({ statusCode: 400 });
  });

  it("creates a cross-tenant Event Hub connection only with the auxiliary token of the federated chain", async () => {
    const spec: DataConnectionUnion = {
      kind: "EventHub",
      location: m.location,
      eventHubResourceId: m.sourceEventHubResourceId,
      consumerGroup: m.sourceConsumerGroup,
      tableName: "Partner",
      dataFormat: "JSON",
    };

    await expect(kusto().dataConnections.beginCreateOrUpdateAndWait(rg, cluster, database, "partner-eh", spec, poll)).rejects.toMatchObject({
      statusCode: 403,
      code: "LinkedAuthorizationFailed",
    });

    // The UAMI's token for api://AzureADTokenExchange is the assertion of the multi-tenant app in the source tenant.
    const sourceTenant = new ClientAssertionCredential(
      m.sourceTenantId as string,
      m.multiTenantAppId as string,
      async () => (await appIdentity.getToken("api://AzureADTokenExchange/.default")).token,
      { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caPem } },
    );
    const created = await kusto(sourceTenant).dataConnections.beginCreateOrUpdateAndWait(rg, cluster, database, "partner-eh", spec, poll);
    expect(created.kind).toBe("EventHub");

    const put = (await loggedRequests(emulator, { path: "/dataConnections/partner-eh" })).find((e) => e.method === "PUT" && e.status < 300);
    expect(put?.principal?.objectId).toBe(m.appIdentityObjectId);
    expect(put?.auxiliaryTenants).toEqual([m.sourceTenantId]);
  });
});

// The source reader over the emulator's ARM with the app's real clients: each kind of source the event filter
// names reads as present while it exists and as gone (404) once deleted; in the partner tenant it reads with
// the cross-tenant app's token. An ARM refusal is an error, never "gone".
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../emulator/index";
import { createSourceReader } from "../../../src/lib/azure/sourceReader";
import type { SourceReader } from "../../../src/lib/revocation/ports";
import { emulatorClients, type EmulatorClients } from "../connections/emulatorClients";

describe("the source reader against the emulator", () => {
  let emulator: EmulatorHandle;
  let dir: string;
  let m: Record<string, string>;
  let env: EmulatorClients;
  let reader: SourceReader;

  beforeAll(async () => {
    mkdirSync(".local", { recursive: true });
    dir = mkdtempSync(join(".local", "source-reader-"));
    m = (JSON.parse(readFileSync("emulator/worlds/demo.json", "utf8")) as { meta: Record<string, string> }).meta;
    emulator = await startEmulator({ stateDir: dir, world: "emulator/worlds/demo.json", throttling: false, timeScale: 0 });
    env = emulatorClients(emulator, m);
    reader = createSourceReader({ armEndpoint: emulator.armEndpoint, clientFor: (tenantId) => env.clients.authorization(tenantId) });
  });

  afterAll(async () => {
    env?.restoreEnv();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads every kind of source of the app's tenant as present", async () => {
    const tenant = m.kustoTenantId!;
    const ids = [
      m.eventHubNamespaceResourceId!,
      m.eventHubResourceId!,
      `${m.eventHubResourceId}/consumergroups/${m.eventHubConsumerGroup}`,
      m.storageAccountResourceId!,
      m.iotHubResourceId!,
      `${m.iotHubResourceId}/eventHubEndpoints/events/ConsumerGroups/${m.iotHubConsumerGroup}`,
      m.cosmosDbAccountResourceId!,
      `${m.cosmosDbAccountResourceId}/sqlDatabases/${m.cosmosDbDatabase}`,
      `${m.cosmosDbAccountResourceId}/sqlDatabases/${m.cosmosDbDatabase}/containers/${m.cosmosDbContainer}`,
      m.kustoClusterResourceId!,
      `${m.kustoClusterResourceId}/databases/telemetry`,
    ];
    const found = await Promise.all(ids.map(async (id) => [id, await reader.exists(tenant, id)] as const));
    expect(found.filter(([, exists]) => !exists)).toEqual([]);
  });

  it("reads missing resources as gone (404)", async () => {
    const tenant = m.kustoTenantId!;
    expect(await reader.exists(tenant, `${m.eventHubResourceId}/consumergroups/nope`)).toBe(false);
    expect(await reader.exists(tenant, m.eventHubNamespaceResourceId!.replace("evhns-adx-demo", "evhns-gone"))).toBe(false);
    expect(await reader.exists(tenant, `${m.kustoClusterResourceId}/databases/gone`)).toBe(false);
  });

  it("reads the partner tenant's sources with the cross-tenant app", async () => {
    const tenant = m.sourceTenantId!;
    for (const id of [m.sourceEventHubNamespaceResourceId!, m.sourceEventHubResourceId!, `${m.sourceEventHubResourceId}/consumergroups/${m.sourceConsumerGroup}`]) {
      expect(await reader.exists(tenant, id)).toBe(true);
    }
  });

  it("an ARM refusal is an error, not a deletion", async () => {
    // The app's tenant token does not open the partner tenant's subscription.
    await expect(reader.exists(m.kustoTenantId!, m.sourceEventHubNamespaceResourceId!)).rejects.toMatchObject({ kind: expect.stringMatching(/upstream|forbidden/) });
  });
});

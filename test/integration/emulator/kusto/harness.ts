// Starts the whole emulator on the spec examples' world and builds real SDK clients against it: the
// KustoManagementClient with the emulator as endpoint/$host, TLS trust through tlsOptions.ca, tokens
// minted by the emulator's token service, and optionally an auxiliary-token policy for the source tenant.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { auxiliaryAuthenticationHeaderPolicy } from "@azure/core-rest-pipeline";
import { KustoManagementClient } from "@azure/arm-kusto";
import { startEmulator, type EmulatorHandle } from "../../../../emulator";
import type { WorldSeed } from "../../../../emulator/world/types";
import { kustoWorldSeed, SUB } from "../../../unit/emulator/providers/kustoWorld";

export const ARM_SCOPE = "https://management.azure.com/.default";

export interface KustoHarness {
  emulator: EmulatorHandle;
  credential(principal: { objectId: string; appId?: string }, tenantId: string): TokenCredential;
  client(credential: TokenCredential, options?: { apiVersion?: string; auxiliary?: TokenCredential[] }): KustoManagementClient;
  close(): Promise<void>;
}

/** The spec examples' world: its callers hold roles on the resource group only, and can still poll their LROs. */
export function integrationSeed(): WorldSeed {
  return kustoWorldSeed();
}

export async function startKustoHarness(seed: WorldSeed = integrationSeed()): Promise<KustoHarness> {
  mkdirSync(path.join(process.cwd(), ".local"), { recursive: true });
  const dir = mkdtempSync(path.join(process.cwd(), ".local", "kusto-"));
  const emulator = await startEmulator({ stateDir: dir, throttling: false, timeScale: 0.05, world: seed });
  return {
    emulator,
    credential(principal, tenantId) {
      return {
        async getToken() {
          const token = await emulator.tokens.mint({ tenantId, objectId: principal.objectId, appId: principal.appId, audience: "https://management.azure.com/" });
          return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
    },
    client(credential, options = {}) {
      const client = new KustoManagementClient(credential, SUB, {
        endpoint: emulator.armEndpoint,
        $host: emulator.armEndpoint,
        credentialScopes: [ARM_SCOPE],
        tlsOptions: { ca: emulator.caPem },
        ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      });
      if (options.auxiliary) client.pipeline.addPolicy(auxiliaryAuthenticationHeaderPolicy({ credentials: options.auxiliary, scopes: ARM_SCOPE }));
      return client;
    },
    async close() {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Azurite over HTTPS (a throw-away CA's leaf) and a TableClient factory trusting that CA: the registry's
// adapters get exactly the clients production builds, only pointed at Azurite.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { TableClient } from "@azure/data-tables";
import { startAzurite, type AzuriteHandle } from "../../../emulator/azurite";
import { createCertificateAuthority } from "../../../emulator/tls/certificateAuthority";

export interface AzuriteTables {
  azurite: AzuriteHandle;
  ca: string;
  tableClient(name: string): TableClient;
  /** A fresh table prefix, so each test works on its own tables. */
  newPrefix(): string;
  close(): Promise<void>;
}

let counter = 0;

export async function startAzuriteTables(): Promise<AzuriteTables> {
  mkdirSync(path.join(process.cwd(), ".local"), { recursive: true });
  const dir = mkdtempSync(path.join(process.cwd(), ".local", "registry-test-"));
  const authority = await createCertificateAuthority({ dir: path.join(dir, "ca") });
  const azurite = await startAzurite({ location: path.join(dir, "azurite"), tls: { certPem: authority.certPem, keyPem: authority.keyPem } });
  return {
    azurite,
    ca: authority.caPem,
    tableClient: (name) => TableClient.fromConnectionString(azurite.connectionString, name, { tlsOptions: { ca: authority.caPem } }),
    newPrefix: () => `t${process.pid}x${++counter}x${Date.now().toString(36)}`,
    async close() {
      await azurite.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The real production bundle (dist/index.js, what Azure runs) loaded by the local host: GET /api/health.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAzurite, type AzuriteHandle } from "../../../emulator/azurite";
import { startHost, type HostHandle } from "../../../emulator/host";
import { createCertificateAuthority } from "../../../emulator/tls/certificateAuthority";
import { createTempDir, repoRoot } from "./fixtureApp";

let azurite: AzuriteHandle;
let host: HostHandle;
let dataDir: string;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, "dist/index.js"))) execFileSync(process.execPath, [join(repoRoot, "scripts/build.mjs")], { cwd: repoRoot });
  dataDir = createTempDir("hostProd-");
  // Storage over HTTPS as in Azure: the app trusts the throw-away CA through NODE_EXTRA_CA_CERTS, no switch in src/.
  const ca = await createCertificateAuthority({ dir: join(dataDir, "tls") });
  azurite = await startAzurite({ location: join(dataDir, "azurite"), tls: { certPem: ca.certPem, keyPem: ca.keyPem } });
  host = await startHost({
    appRoot: repoRoot,
    port: 0,
    logFile: join(dataDir, "host.log"),
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      NODE_EXTRA_CA_CERTS: ca.caFile,
      // Nothing listens there: the ARM probe fails fast instead of waiting on a network this machine lacks.
      ARM_ENDPOINT: "https://127.0.0.1:9",
      AZURE_AUTHORITY_HOST: "https://127.0.0.1:9",
      // The host resolves the audit trigger's %AUDIT_SCHEDULE% and %AUDIT_QUEUE% before the app runs (Azure too).
      AUDIT_SCHEDULE: "0 0 */6 * * *",
      AUDIT_QUEUE: "audit-shards",
    },
  });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("serves /api/health from the production bundle with the app's version and reachable storage", async () => {
  const res = await fetch(`${host.url}/api/health`);
  expect([200, 503]).toContain(res.status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
  const report = (await res.json()) as { version: string; checks: Record<string, { status: string }> };
  expect(report.version).toBe(pkg.version);
  expect(report.checks.storage?.status).toBe("ok");
});

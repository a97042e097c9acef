// No keys, connection strings or SAS in the app's source and configuration (infra/ has its own scan in
// test/unit/infra/noSecrets.test.ts). Azurite's published development key may appear only under emulator/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createResults } from "../support/reliability/results";
import { findSecretsInText } from "../support/secretScan";

const repoRoot = resolve(__dirname, "..", "..");
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const configFiles = ["host.json", "local.settings.example.json", "package.json", "azure.yaml", "tsconfig.json", "tsconfig.build.json"].map((f) => join(repoRoot, f));

describe("secrets in the app's source and configuration", () => {
  const results = createResults("secrets");
  afterAll(() => results.write());

  it("finds none in src/ or the configuration files", () => {
    const scanned = [...files(join(repoRoot, "src")), ...configFiles];
    expect(scanned.length).toBeGreaterThan(50);
    const found = scanned.flatMap((f) => findSecretsInText(relative(repoRoot, f), readFileSync(f, "utf8"), [AZURITE_KEY]));
    results.add({ table: "secrets", operation: "source scan", condition: `${scanned.length} files: src/ and ${configFiles.length} configuration files`, outcome: `${found.length} findings`, attempts: 1, timeInMs: 0, inconsistencies: found.length, notes: "infra/ is scanned by test/unit/infra/noSecrets.test.ts" });
    expect(found).toEqual([]);
  });

  it("the scanner flags each kind of secret it looks for, and plain prose and IDs pass", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
    const flagged = [
      `token ${jwt}`,
      "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdefghijklmnopqrstuvwxyz0123456789ABCD==",
      "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=",
      "https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abcdefghijklmnopqrstuvwxyz0123456789",
      `"primaryKey": "${Buffer.alloc(32, 7).toString("base64")}"`,
      `authorization: Bearer abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz.sig`,
    ];
    for (const line of flagged) expect(findSecretsInText("x", line), line).not.toEqual([]);
    expect(findSecretsInText("x", `it holds ${AZURITE_KEY.slice(0, 30)}`, [AZURITE_KEY.slice(0, 30)])).not.toEqual([]);
    const clean = [
      "/subscriptions/11111111-2222-4222-8222-222222222222/resourceGroups/rg/providers/Microsoft.Kusto/clusters/adx",
      "a connection string is never logged",
      '{"level":"warn","message":"Caller not authenticated","code":"MissingToken"}',
      "sha256-3q2+7w==",
    ];
    for (const line of clean) expect(findSecretsInText("x", line), line).toEqual([]);
  });
});

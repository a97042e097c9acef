// No secret, key, SAS or connection string anywhere in infra/ (and azure.yaml): everything authenticates with the
// managed identity or Entra. Azurite's well-known development key is allowed only in local files outside infra/.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { infraDir, listFiles, repoRoot } from "./bicepText";

/** Azurite's published development account key (docs: "Connect to Azurite with SDKs"); never a real secret. */
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Secret values, whatever the file. */
const secretValues: [string, RegExp][] = [
  ["storage account key", /AccountKey\s*=/i],
  ["connection string", /DefaultEndpointsProtocol\s*=|Endpoint\s*=\s*sb:\/\/|InstrumentationKey\s*=/i],
  ["shared access signature", /SharedAccessSignature|SharedAccessKey(Name)?\s*=|[?&]sig=|[?&]sv=\d{4}-\d{2}-\d{2}&/i],
  ["base64 key", /[A-Za-z0-9+/]{40,}={1,2}(?![A-Za-z0-9+/=])/],
  ["Azurite's development key", new RegExp(AZURITE_KEY.replace(/[+/=]/g, "\\$&"))],
];
/** Things in a template or config that produce or carry secrets. */
const secretSources: [string, RegExp][] = [
  ["list* key function", /\blist(Keys|ConnectionStrings|Credentials|Secrets|AccountSas|ServiceSas)\s*\(/i],
  ["secure parameter", /@secure\(\)/],
  ["secret-bearing property", /\b(clientSecret|passwordCredentials|primaryKey|secondaryKey|sasToken|accessKey|secretsExportConfiguration)\b/i],
  ["connection string setting", /connection_?string/i],
];
/**
 * The one connection-string-named setting: Application Insights' ingestion endpoint. With local auth disabled on the
 * component it carries no credential (ingestion needs the UAMI's Entra token), and the Functions host requires it.
 */
const allowed = [/APPLICATIONINSIGHTS_CONNECTION_STRING/, /applicationInsights\.properties\.ConnectionString/];

export function findSecrets(path: string, text: string): string[] {
  const checks = /\.(bicep|json|ya?ml|sh|bicepparam)$/.test(path) ? [...secretValues, ...secretSources] : secretValues;
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    const scrubbed = allowed.reduce((l, pattern) => l.replace(new RegExp(pattern, "g"), ""), line);
    for (const [what, pattern] of checks) if (pattern.test(scrubbed)) found.push(`${path}:${index + 1}: ${what}`);
  });
  return found;
}

describe("secrets in infra/", () => {
  const files = [...listFiles(infraDir, () => true), join(repoRoot, "azure.yaml")];

  it("finds none in any file (templates, contracts, parameters, scripts, docs)", () => {
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) => findSecrets(relative(repoRoot, f), readFileSync(f, "utf8")));
    expect(found).toEqual([]);
  });

  it("turns shared-key and local auth off where a resource has them", () => {
    const text = (p: string) => readFileSync(join(infraDir, p), "utf8");
    expect(text("app/storage.bicep")).toMatch(/allowSharedKeyAccess: false/);
    expect(text("app/monitoring.bicep").match(/disableLocalAuth: true/g)).toHaveLength(2);
    expect(text("app/notifications.bicep")).toMatch(/disableLocalAuth: true/);
    expect(text("app/functionApp.bicep")).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
  });

  it("keeps Azurite's development key to local files outside infra/", () => {
    const local = listFiles(join(repoRoot, "emulator"), (p) => p.endsWith(".ts"))
      .map((f) => readFileSync(f, "utf8"))
      .some((t) => t.includes(AZURITE_KEY) || t.includes("UseDevelopmentStorage") || t.includes("devstoreaccount1"));
    expect(local).toBe(true);
  });
});

describe("the secret scanner", () => {
  it("flags each kind of secret and secret source, and lets the Application Insights setting through", () => {
    const samples: [string, string][] = [
      ["a.bicep", "value: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc'"],
      ["a.bicep", "value: stg.listKeys().keys[0].value"],
      ["a.bicep", "@secure()"],
      ["a.json", '"url": "https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abc"'],
      ["a.bicep", "clientSecret: 'x'"],
      ["a.md", `key ${AZURITE_KEY}`],
      ["a.bicep", "SERVICEBUS_CONNECTION_STRING: 'x'"],
    ];
    for (const [path, line] of samples) expect(findSecrets(path, line), line).not.toEqual([]);
    expect(findSecrets("a.bicep", "  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString")).toEqual([]);
    expect(findSecrets("a.md", "prose about a connection string")).toEqual([]);
  });
});

// The app-settings contract: what src/lib/config/settings.ts reads, what infra/contract/appSettings.json says the
// deployment sets, and what infra/app/functionApp.bicep really sets must be the same names.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAccessPolicy } from "../../../src/lib/auth/policy";
import { readSettings, settingNames } from "../../../src/lib/config/settings";
import parameters from "../../../infra/main.parameters.json";
import contract from "../../../infra/contract/appSettings.json";
import { blockAt, infraDir, topLevelKeys, codeOf } from "./bicepText";

const deployed = contract.settings.map((s) => s.name);
const notDeployed = contract.notSetByDeployment.map((s) => s.name);
const functionAppBicep = readFileSync(join(infraDir, "app", "functionApp.bicep"), "utf8");
const functionAppCode = codeOf(functionAppBicep);

describe("the app settings contract", () => {
  it("accounts for every setting the app reads: set by the deployment, or not set with a reason", () => {
    for (const name of settingNames) {
      expect(deployed.includes(name) || notDeployed.includes(name), `${name} is in neither list of infra/contract/appSettings.json`).toBe(true);
    }
    expect(deployed.filter((n) => notDeployed.includes(n))).toEqual([]);
    for (const entry of contract.notSetByDeployment) expect(entry.reason.length, entry.name).toBeGreaterThan(20);
  });

  it("lists only settings that someone reads: the app's (settings.ts) or the Functions host's", () => {
    for (const entry of contract.settings) {
      if (entry.reads === "app") expect(settingNames, entry.name).toContain(entry.name);
      else expect(entry.reads, entry.name).toBe("host");
      expect(entry.value.length, entry.name).toBeGreaterThan(10);
    }
    for (const name of notDeployed) expect(settingNames, name).toContain(name);
    expect(new Set(deployed).size).toBe(deployed.length);
  });

  it("keeps the local-only overrides and the storage connection string out of Azure", () => {
    for (const name of ["ARM_ENDPOINT", "AZURE_AUTHORITY_HOST", "API_JWKS_URI", "AzureWebJobsStorage"]) expect(notDeployed).toContain(name);
    expect(deployed).toEqual(
      expect.arrayContaining([
        "AZURE_CLIENT_ID",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "NOTIFICATIONS_TOPIC_ENDPOINT",
      ]),
    );
  });
});

describe("infra/app/functionApp.bicep", () => {
  it("builds the function app's settings from the contract's names, by name", () => {
    expect(functionAppBicep).toContain("var contract = loadJsonContent('../contract/appSettings.json')");
    expect(functionAppCode).toMatch(/var appSettings = toObject\(contract\.settings, s => s\.name, s => values\[s\.name\]\)/);
    expect(functionAppCode).toMatch(/appSettingsKeyValuePairs: appSettings\b/);
  });

  it("has a value for exactly the contract's settings (a missing one would fail the deployment)", () => {
    const values = topLevelKeys(blockAt(functionAppCode, functionAppCode.indexOf("var values =")));
    expect([...values].sort()).toEqual([...deployed].sort());
  });

  it("produces settings the app accepts: identity-based storage, the cloud, the API's audiences", () => {
    const clouds = [...readFileSync(join(infraDir, "main.bicep"), "utf8").matchAll(/^\s*Azure\w+: '(Azure\w+)'/gm)].map((m) => m[1] as string);
    expect(clouds.length).toBe(3);
    for (const cloud of clouds) {
      // What Azure would hold after the deployment, shaped as functionApp.bicep's `values` (storage endpoints end in '/').
      const env: Record<string, string> = {
        AZURE_CLIENT_ID: "2c0e9f3a-8a2d-4f7e-9a44-6f1f8f0b9e21",
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: "2c0e9f3a-8a2d-4f7e-9a44-6f1f8f0b9e21",
        AzureWebJobsStorage__blobServiceUri: "https://stadx.blob.core.windows.net/",
        AzureWebJobsStorage__queueServiceUri: "https://stadx.queue.core.windows.net/",
        AzureWebJobsStorage__tableServiceUri: "https://stadx.table.core.windows.net/",
        APPLICATIONINSIGHTS_CONNECTION_STRING: "IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=2c0e9f3a-8a2d-4f7e-9a44-6f1f8f0b9e21;Authorization=AAD",
        AZURE_CLOUD: cloud,
        APP_TENANT_ID: "7b1c9f3a-1111-4f7e-9a44-6f1f8f0b9e21",
        APP_PRINCIPAL_ID: "9d2e9f3a-2222-4f7e-9a44-6f1f8f0b9e21",
        API_AUDIENCES: "api://7b1c9f3a-1111-4f7e-9a44-6f1f8f0b9e21/adx-connection-lifecycle-dev,5a6b9f3a-3333-4f7e-9a44-6f1f8f0b9e21",
        API_TENANT_ID: "7b1c9f3a-1111-4f7e-9a44-6f1f8f0b9e21",
        ACCESS_POLICY: JSON.stringify(parameters.parameters.accessPolicy.value),
        CROSS_TENANT_APP_CLIENT_ID: "6c7d9f3a-4444-4f7e-9a44-6f1f8f0b9e21",
        SOURCE_TENANTS: "[]",
        NOTIFICATIONS_TOPIC_ENDPOINT: "https://evgt-dev.westeurope-1.eventgrid.azure.net/api/events",
        REGISTRY_TABLE_PREFIX: "adx",
        KUSTO_WAIT_MS: "20000",
        REVOCATION_MODE: "enforce",
        EVENTS_ALLOWED_SOURCES: "[]",
        AUDIT_SCHEDULE: "0 0 */6 * * *",
        AUDIT_MODE: "report",
        AUDIT_ENFORCE_FINDINGS: "accessRevoked,sourceMissing,connectionMissing,specDrift",
        AUDIT_SUBSCRIPTIONS: "8f1c9f3a-5555-4f7e-9a44-6f1f8f0b9e21",
        AUDIT_QUEUE: "audit-shards",
        AUDIT_REPORTS_CONTAINER: "audit-reports",
      };
      expect(Object.keys(env).sort()).toEqual([...deployed].sort());
      const settings = readSettings(env, "1.0.0");
      expect(settings.cloud).toBe(cloud);
      expect(settings.storage).toEqual({
        kind: "identity",
        tableServiceUri: "https://stadx.table.core.windows.net",
        queueServiceUri: "https://stadx.queue.core.windows.net",
        blobServiceUri: "https://stadx.blob.core.windows.net",
      });
      expect(settings.api.audiences).toHaveLength(2);
      expect(settings.managedIdentityClientId).toBe(env.AZURE_CLIENT_ID);
      expect(settings.audit).toMatchObject({ mode: "report", queueName: "audit-shards", reportsContainer: "audit-reports" });
      expect(settings.revocation).toEqual({ mode: "enforce", allowedEventSources: [] });
    }
  });
});

describe("the deployed access policy", () => {
  it("is one the app accepts, in the parameters file and as main.bicep's default (an invalid one refuses every request)", () => {
    expect(parseAccessPolicy(JSON.stringify(parameters.parameters.accessPolicy.value)).ok).toBe(true);
    const main = readFileSync(join(infraDir, "main.bicep"), "utf8");
    expect(main).toMatch(/^param accessPolicy object = \{ rules: \[\] \}$/m);
    expect(parseAccessPolicy(JSON.stringify({ rules: [] })).ok).toBe(true);
    expect(parseAccessPolicy("{}").ok).toBe(false);
  });
});

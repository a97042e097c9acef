import { describe, expect, it } from "vitest";
import { readSettings, SettingsError } from "../../../../src/lib/config/settings";

describe("readSettings", () => {
  it("defaults to the public cloud's endpoints", () => {
    const s = readSettings({}, "1.0.0");
    expect(s.armEndpoint).toBe("https://management.azure.com");
    expect(s.armAudience).toBe("https://management.azure.com/");
    expect(s.authorityHost).toBe("https://login.microsoftonline.com");
    expect(s.tokenExchangeAudience).toBe("api://AzureADTokenExchange");
    expect(s.storage).toEqual({ kind: "none" });
    expect(s.version).toBe("1.0.0");
  });

  it("takes sovereign clouds' endpoints and audiences from the cloud name", () => {
    const s = readSettings({ AZURE_CLOUD: "AzureUSGovernment" }, "1");
    expect(s.armEndpoint).toBe("https://management.usgovcloudapi.net");
    expect(s.armAudience).toBe("https://management.usgovcloudapi.net/");
    expect(s.tokenExchangeAudience).toBe("api://AzureADTokenExchangeUSGov");
  });

  it("keeps ARM's audience when only the endpoint is overridden", () => {
    const s = readSettings({ ARM_ENDPOINT: "https://127.0.0.1:8443/" }, "1");
    expect(s.armEndpoint).toBe("https://127.0.0.1:8443");
    expect(s.armAudience).toBe("https://management.azure.com/");
  });

  it("prefers a connection string (local) over identity-based storage settings", () => {
    const s = readSettings(
      { AzureWebJobsStorage: "UseDevelopmentStorage=true", AzureWebJobsStorage__tableServiceUri: "https://a.table.core.windows.net" },
      "1",
    );
    expect(s.storage.kind).toBe("connectionString");
  });

  it("uses identity-based storage when only service URIs are set", () => {
    const s = readSettings({ AzureWebJobsStorage__tableServiceUri: "https://a.table.core.windows.net/" }, "1");
    expect(s.storage).toMatchObject({ kind: "identity", tableServiceUri: "https://a.table.core.windows.net" });
  });

  it("fails fast naming every bad setting", () => {
    expect(() => readSettings({ AZURE_CLOUD: "Mars", ARM_ENDPOINT: "http://insecure", AZURE_CLIENT_ID: "nope" }, "1")).toThrow(SettingsError);
    try {
      readSettings({ AZURE_CLOUD: "Mars", ARM_ENDPOINT: "http://insecure", AZURE_CLIENT_ID: "nope" }, "1");
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain("AZURE_CLOUD");
      expect(message).toContain("ARM_ENDPOINT");
      expect(message).toContain("AZURE_CLIENT_ID");
    }
  });

  it("derives the API's issuer from the cloud and its JWKS from the authority host, unless overridden", () => {
    const tenant = "11111111-1111-4111-8111-111111111111";
    const s = readSettings({ API_TENANT_ID: tenant, API_AUDIENCES: "api://x, 3c6c9a4e-0000-4000-8000-000000000000" }, "1");
    expect(s.api.issuer).toBe(`https://login.microsoftonline.com/${tenant}/v2.0`);
    expect(s.api.jwksUri).toBe(`https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`);
    expect(s.api.audiences).toEqual(["api://x", "3c6c9a4e-0000-4000-8000-000000000000"]);
    const local = readSettings({ API_TENANT_ID: tenant, API_JWKS_URI: "https://127.0.0.1:9443/keys" }, "1");
    expect(local.api.jwksUri).toBe("https://127.0.0.1:9443/keys");
    expect(local.api.issuer).toBe(`https://login.microsoftonline.com/${tenant}/v2.0`);
  });

  it("reads the allowed source tenants, and refuses a malformed list", () => {
    const entry = { tenantId: "22222222-1111-4111-8111-111111111111", servicePrincipalObjectId: "22222222-3333-4333-8333-000000000003" };
    expect(readSettings({ SOURCE_TENANTS: JSON.stringify([entry]) }, "1").crossTenant.sourceTenants).toEqual([entry]);
    expect(() => readSettings({ SOURCE_TENANTS: "[{\"tenantId\": 1}]" }, "1")).toThrow(/SOURCE_TENANTS/);
    expect(() => readSettings({ SOURCE_TENANTS: "not json" }, "1")).toThrow(/SOURCE_TENANTS/);
  });

  it("bounds the Kusto wait and defaults it", () => {
    expect(readSettings({}, "1").kusto.waitInMs).toBe(20_000);
    expect(readSettings({ KUSTO_WAIT_MS: "500" }, "1").kusto.waitInMs).toBe(500);
    expect(() => readSettings({ KUSTO_WAIT_MS: "-1" }, "1")).toThrow(/KUSTO_WAIT_MS/);
  });

  it("reads the revocation and audit settings, and refuses malformed event sources", () => {
    const s = readSettings({}, "1");
    expect(s.revocation).toEqual({ mode: "enforce", allowedEventSources: [] });
    expect(s.audit.enforceFindings).toEqual(["accessRevoked", "sourceMissing", "connectionMissing", "specDrift"]);
    expect(s.audit.schedule).toBe("0 0 */6 * * *");
    const source = { tenantId: "22222222-1111-4111-8111-111111111111", topic: "/subscriptions/22222222-2222-4222-8222-222222222222" };
    expect(readSettings({ EVENTS_ALLOWED_SOURCES: JSON.stringify([source]) }, "1").revocation.allowedEventSources).toEqual([source]);
    expect(() => readSettings({ EVENTS_ALLOWED_SOURCES: "[{}]" }, "1")).toThrow(/EVENTS_ALLOWED_SOURCES/);
    expect(() => readSettings({ AUDIT_QUEUE: "Bad_Queue" }, "1")).toThrow(/AUDIT_QUEUE/);
  });
});

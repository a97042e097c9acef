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
});

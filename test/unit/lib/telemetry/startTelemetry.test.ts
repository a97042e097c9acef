// Telemetry setup: off (nothing loaded) unless configured; Azure Monitor with the managed identity when
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING says AAD; a bad setting or a failing SDK turns it off, never the app.
import { describe, expect, it, vi } from "vitest";
import { ManagedIdentityCredential } from "@azure/identity";
import { readTelemetrySettings } from "../../../../src/lib/config/settings";
import { startTelemetry, type TelemetrySdk } from "../../../../src/lib/azure/telemetry";
import type { TelemetrySdkOptions } from "../../../../src/lib/azure/telemetrySdk";

const connectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/";
const clientId = "2c0e9f3a-8a2d-4f7e-9a44-6f1f8f0b9e21";

function fakeSdk() {
  const started: TelemetrySdkOptions[] = [];
  const sdk: TelemetrySdk = { start: (options) => (started.push(options), { shutdown: async () => {} }) };
  return { started, loadSdk: vi.fn(() => sdk) };
}

describe("the telemetry settings", () => {
  it("are off without a connection string, and off by choice", () => {
    expect(readTelemetrySettings({})).toEqual({ exporter: "none" });
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: "  " })).toEqual({ exporter: "none" });
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, TELEMETRY_EXPORTER: "none" })).toEqual({ exporter: "none" });
  });

  it("pick Azure Monitor from the connection string, with Entra ingestion as the authentication string says", () => {
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString })).toEqual({ exporter: "azureMonitor", connectionString });
    expect(
      readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${clientId};Authorization=AAD` }),
    ).toEqual({ exporter: "azureMonitor", connectionString, entra: { clientId } });
    // Key order and case as Azure's docs vary them; without ClientId, the system-assigned identity.
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "authorization=aad" })).toEqual({
      exporter: "azureMonitor",
      connectionString,
      entra: { clientId: undefined },
    });
  });

  it("run the console exporter locally on request", () => {
    expect(readTelemetrySettings({ TELEMETRY_EXPORTER: "console" })).toEqual({ exporter: "console" });
  });

  it("never throw: a bad value turns telemetry off and says why", () => {
    expect(readTelemetrySettings({ TELEMETRY_EXPORTER: "jaeger" })).toMatchObject({ exporter: "none", problem: expect.stringContaining("TELEMETRY_EXPORTER") });
    expect(readTelemetrySettings({ TELEMETRY_EXPORTER: "azureMonitor" })).toMatchObject({ exporter: "none", problem: expect.stringContaining("APPLICATIONINSIGHTS_CONNECTION_STRING") });
  });
});

describe("startTelemetry", () => {
  it("loads nothing and touches nothing when telemetry is not configured", async () => {
    const { loadSdk } = fakeSdk();
    const functions = { app: { setup: vi.fn() } };
    const state = startTelemetry({ settings: readTelemetrySettings({}), functions, serviceVersion: "1.0.0", loadSdk });
    expect(state.exporter).toBe("none");
    expect(loadSdk).not.toHaveBeenCalled();
    expect(functions.app.setup).not.toHaveBeenCalled();
    await expect(state.shutdown()).resolves.toBeUndefined();
  });

  it("starts Azure Monitor with the connection string, the identity's credential and the bundle's own modules", () => {
    const { started, loadSdk } = fakeSdk();
    const functions = {};
    const settings = readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${clientId};Authorization=AAD` });
    const state = startTelemetry({ settings, functions, serviceVersion: "1.2.3", loadSdk });
    expect(state.exporter).toBe("azureMonitor");
    expect(started).toHaveLength(1);
    const options = started[0]!;
    expect(options).toMatchObject({ exporter: "azureMonitor", connectionString, serviceName: "adx-connection-lifecycle", serviceVersion: "1.2.3" });
    // telemetry.ts requires @azure/identity when telemetry is on (off the entry's load path): under vitest that is
    // the package's CommonJS build, a different class object than this file's ESM import.
    expect(options.credential?.constructor.name).toBe(ManagedIdentityCredential.name);
    expect(options.modules.functions).toBe(functions);
    expect(typeof options.modules.coreTracing.useInstrumenter).toBe("function");
  });

  it("sends with the connection string alone when no Entra authentication is asked for", () => {
    const { started, loadSdk } = fakeSdk();
    startTelemetry({ settings: readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }), functions: {}, serviceVersion: "1", loadSdk });
    expect(started[0]?.credential).toBeUndefined();
  });

  it("is off, with the reason, when the SDK cannot load or start (the functions still register)", () => {
    const state = startTelemetry({
      settings: { exporter: "console" },
      functions: {},
      serviceVersion: "1",
      loadSdk: () => {
        throw new Error("Cannot find module './telemetry.js'");
      },
    });
    expect(state).toMatchObject({ exporter: "none", problem: "telemetry failed to start: Cannot find module './telemetry.js'" });
  });
});

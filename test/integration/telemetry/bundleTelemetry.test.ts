// The production bundle as the worker loads it (dist/index.js, @azure/functions-core supplied): telemetry not
// configured, dist/telemetry.js is never loaded and the worker is told nothing; configured (Application Insights,
// or the local console exporter), it loads, hooks into the invocations, and the worker learns the app sends its
// own OpenTelemetry (WorkerOpenTelemetryEnabled), before startup ends.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const entry = resolve("dist/index.js");

const probe = `
const Module = require("node:module");
const hooks = [];
let model;
const core = { setProgrammingModel(m) { model = m; }, getProgrammingModel() { return model; }, registerFunction() { return { dispose() {} }; },
  registerHook(name) { hooks.push(name); return { dispose() {} }; }, log() {}, Disposable: class { dispose() {} } };
const original = Module.prototype.require;
Module.prototype.require = function (id) { return id === "@azure/functions-core" ? core : original.apply(this, arguments); };
require(process.argv[1]);
const telemetryLoaded = Object.keys(require.cache).some((f) => f.endsWith("telemetry.js"));
const sdkLoaded = Object.keys(require.cache).some((f) => f.endsWith("sdk.js"));
model.getCapabilities({}).then((capabilities) => {
  process.stdout.write(JSON.stringify({ telemetryLoaded, sdkLoaded, hooks: hooks.sort(), capabilities }));
  process.exit(0);
});
`;

function load(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("APPLICATIONINSIGHTS_") && k !== "TELEMETRY_EXPORTER"));
  const r = spawnSync(process.execPath, ["-e", probe, entry], { encoding: "utf8", env: { ...clean, ...env }, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`loading the bundle failed: ${r.stderr}`);
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{"telemetryLoaded"'))) as { telemetryLoaded: boolean; sdkLoaded: boolean; hooks: string[]; capabilities: Record<string, string> };
}

describe("telemetry in the production bundle", () => {
  it("is built apart, beside the entry", () => {
    expect(existsSync(resolve("dist/telemetry.js"))).toBe(true);
  });

  it("stays unloaded when not configured: no SDK, no hooks, nothing told to the worker", () => {
    const loaded = load({});
    expect(loaded.telemetryLoaded).toBe(false);
    // Nor the Azure SDKs (dist/sdk.js): the composition root requires them on first use.
    expect(loaded.sdkLoaded).toBe(false);
    expect(loaded.hooks).toEqual([]);
    expect(loaded.capabilities.WorkerOpenTelemetryEnabled).toBeUndefined();
  });

  it("loads with Application Insights configured (Entra ingestion) and takes over the worker's telemetry", () => {
    const loaded = load({
      APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=2c0e9f3a-8a2d-4f7e-9a44-6f1f8f0b9e21;Authorization=AAD",
    });
    expect(loaded.telemetryLoaded).toBe(true);
    expect(loaded.hooks).toEqual(expect.arrayContaining(["log", "preInvocation"]));
    expect(loaded.capabilities.WorkerOpenTelemetryEnabled).toBe("true");
  });

  it("loads the same instrumentation with the console exporter locally", () => {
    const loaded = load({ TELEMETRY_EXPORTER: "console" });
    expect(loaded.telemetryLoaded).toBe(true);
    expect(loaded.hooks).toEqual(["log", "preInvocation"]);
    expect(loaded.capabilities.WorkerOpenTelemetryEnabled).toBe("true");
  });
});

// Starts the app's OpenTelemetry when the settings ask for it, synchronously at entry load (app.setup must run
// before the worker's startup ends). Not configured, it loads nothing: the SDK half (telemetrySdk.ts, bundled
// apart as dist/telemetry.js) stays off the import path, and the AppMetrics and spans go to OpenTelemetry's no-op API.
import type * as CoreTracing from "@azure/core-tracing";
import type * as Identity from "@azure/identity";
import type { TelemetrySettings } from "../config/settings";
import type { TelemetryHandle, TelemetrySdkOptions } from "./telemetrySdk";

/** What telemetry.ts needs of telemetrySdk.ts (a type, so importing it loads nothing). */
export interface TelemetrySdk {
  start(options: TelemetrySdkOptions): TelemetryHandle;
}

export interface TelemetryOptions {
  settings: TelemetrySettings;
  /** The `@azure/functions` module of the entry: its hooks send logs and carry the host's trace context. */
  functions: unknown;
  serviceName?: string;
  serviceVersion: string;
  /** Default: `require` the SDK half (in dist/, the separate bundle telemetry.js). Tests inject it. */
  loadSdk?: () => TelemetrySdk;
  /** console: how often metrics are printed. */
  exportIntervalInMs?: number;
}

export interface TelemetryState {
  exporter: TelemetrySettings["exporter"];
  /** Why telemetry is off although something was configured (a bad setting, or the SDK failed to start). */
  problem?: string;
  shutdown(): Promise<void>;
}

const off = (problem?: string): TelemetryState => ({ exporter: "none", ...(problem ? { problem } : {}), shutdown: async () => {} });

/** Never throws: telemetry that cannot start is off (with the reason), and the functions still register. */
export function startTelemetry(options: TelemetryOptions): TelemetryState {
  const settings = options.settings;
  if (settings.exporter === "none") return off(settings.problem);
  try {
    const sdk = (options.loadSdk ?? loadSdk)();
    // Required here, not imported: with telemetry off, the entry's load evaluates neither.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ManagedIdentityCredential } = require("@azure/identity") as typeof Identity;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const coreTracing = require("@azure/core-tracing") as typeof CoreTracing;
    const entra = settings.exporter === "azureMonitor" ? settings.entra : undefined;
    const handle = sdk.start({
      exporter: settings.exporter,
      ...(settings.exporter === "azureMonitor" ? { connectionString: settings.connectionString } : {}),
      // Local auth is disabled on the component: ingestion needs the identity's token (Monitoring Metrics Publisher).
      ...(entra ? { credential: entra.clientId ? new ManagedIdentityCredential({ clientId: entra.clientId }) : new ManagedIdentityCredential() } : {}),
      serviceName: options.serviceName ?? "adx-connection-lifecycle",
      serviceVersion: options.serviceVersion,
      modules: { coreTracing, functions: options.functions },
      ...(options.exportIntervalInMs ? { exportIntervalInMs: options.exportIntervalInMs } : {}),
    });
    return { exporter: settings.exporter, shutdown: () => handle.shutdown() };
  } catch (error) {
    return off(`telemetry failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function loadSdk(): TelemetrySdk {
  // Synchronous on purpose (see above). scripts/build.mjs resolves this path to ./telemetry.js beside the bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("./telemetrySdk") as TelemetrySdk;
}

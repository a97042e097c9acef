// Telemetry's start, apart from the composition root: the entry calls it while it loads (the Functions
// instrumentation must hook app setup), and it must not pull the root and its Azure SDKs in with it.
import { readTelemetrySettings } from "./config/settings";
import { startTelemetry, type TelemetryState } from "./azure/telemetry";
import { buildVersion } from "./buildVersion";

/**
 * Starts OpenTelemetry from the telemetry settings alone, when the entry loads (before the functions register);
 * loads nothing when telemetry is not configured. `functions` is the entry's `@azure/functions` module.
 */
export function startAppTelemetry(functions: unknown): TelemetryState {
  return startTelemetry({ settings: readTelemetrySettings(process.env), functions, serviceVersion: buildVersion });
}

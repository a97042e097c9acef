// Composition root: reads settings once and wires ports to adapters, lazily, on first use.
import { readSettings, type Settings } from "./config/settings";
import { createClientFactory, type ClientFactory } from "./azure/clientFactory";
import { createArmProbe, createStorageProbe } from "./azure/probes";
import type { Probe } from "./health/checkHealth";

declare const __APP_VERSION__: string | undefined;
const buildVersion = typeof __APP_VERSION__ === "string" ? __APP_VERSION__ : "0.0.0-dev";

export interface Root {
  settings: Settings;
  clients: ClientFactory;
  healthProbes: readonly Probe[];
}

let root: Root | undefined;

export function getRoot(): Root {
  if (!root) {
    const settings = readSettings(process.env, buildVersion);
    const clients = createClientFactory(settings);
    root = { settings, clients, healthProbes: [createStorageProbe(clients), createArmProbe(clients)] };
  }
  return root;
}

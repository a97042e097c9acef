// Reachability probes for the health check, over the real SDK clients.
import type { Probe, ProbeStatus } from "../health/checkHealth";
import type { ClientFactory } from "./clientFactory";

export function createStorageProbe(clients: ClientFactory): Probe {
  return {
    name: "storage",
    async check(abortSignal): Promise<ProbeStatus> {
      const tables = clients.tableService();
      if (!tables) return "notConfigured";
      await tables.getProperties({ abortSignal });
      return "ok";
    },
  };
}

/** Lists Kusto's operations: an authenticated ARM call that needs no subscription or resource. */
export function createArmProbe(clients: ClientFactory): Probe {
  return {
    name: "arm",
    async check(abortSignal): Promise<ProbeStatus> {
      const kusto = clients.kusto("00000000-0000-0000-0000-000000000000");
      for await (const _ of kusto.operations.list({ abortSignal })) break;
      return "ok";
    },
  };
}

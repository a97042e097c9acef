// Tunables of the Kusto provider: how long its long-running operations take (before the clock's time scale).
// Process-wide; the admin API or a test may change them.

export interface KustoSettings {
  /** Simulated duration of data-connection (and database/cluster delete) operations, in ms. */
  operationDurationInMs: number;
}

export const DEFAULT_KUSTO_SETTINGS: Readonly<KustoSettings> = { operationDurationInMs: 200 };

export const kustoSettings: KustoSettings = { ...DEFAULT_KUSTO_SETTINGS };

export function setKustoSettings(update: Partial<KustoSettings>): void {
  Object.assign(kustoSettings, update);
}

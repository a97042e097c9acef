// Measured rows of the reliability campaign: each suite writes what it ran (operation × condition → outcome,
// attempts, time, inconsistencies) to .local/reliability/<suite>.json; scripts/reliabilityReport.ts turns
// every file there into the tables of docs/reliability.md. Numbers come from runs, never from prose.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface ReliabilityRow {
  /** Which table of the report the row belongs to ("fault matrix", "crash points", ...). */
  table: string;
  operation: string;
  /** The fault, crash point, input class or limit. */
  condition: string;
  /** What the caller finally saw, e.g. "201 after 502 KustoUnavailable". */
  outcome: string;
  /** Requests the caller (a pipeline) sent until the operation settled; 1 means no retry was needed. */
  attempts: number;
  timeInMs: number;
  /** Registry/ARM disagreements, spurious deletions and lost journal outcomes found afterwards. */
  inconsistencies: number;
  notes?: string;
}

export const resultsDir = resolve(".local", "reliability");

export function writeResults(suite: string, rows: readonly ReliabilityRow[]): void {
  if (rows.length === 0) return;
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${suite}.json`), JSON.stringify({ suite, at: new Date().toISOString(), rows }, null, 2) + "\n");
}

/** A collector a suite fills in its tests and writes in afterAll. */
export function createResults(suite: string) {
  const rows: ReliabilityRow[] = [];
  return {
    rows,
    add(row: ReliabilityRow) {
      rows.push(row);
    },
    write: () => writeResults(suite, rows),
  };
}

// Counts every call the revocation use case makes through its ports, as countingPorts.ts does for the connection
// use cases: ARM calls (Kusto, the assignment GET, the access verifier, the source GET), registry reads, and writes
// (registry saves, journal appends, ledger claims and their ends, failure records, notifications). A hook sees each
// call before it runs, so a test can check the live state at the moment of, say, a Kusto DELETE.
import type { RevocationDeps } from "../../../src/lib/revocation/deps";
import { createPortCounter, type PortCounts } from "./countingPorts";

export type RevocationPortCounts = PortCounts;

export interface CountRevocationOptions {
  /** Runs before each port call (after it is counted), with its "port.method" and arguments. */
  onCall?(name: string, args: readonly unknown[]): void;
}

type CountedPort = "registry" | "journal" | "kusto" | "assignments" | "verifier" | "sources" | "ledger" | "failures" | "notifier";

const armPorts = new Set<CountedPort>(["kusto", "assignments", "verifier", "sources"]);
const writeMethods = new Set([
  "registry.save",
  "journal.append",
  "notifier.publish",
  "ledger.claim",
  "ledger.complete",
  "ledger.release",
  "failures.recordFailure",
]);

export function countRevocationPorts(deps: RevocationDeps, options: CountRevocationOptions = {}): { deps: RevocationDeps; counts: RevocationPortCounts; reset(): void } {
  const { counts, wrap: wrapAny, reset } = createPortCounter(armPorts, writeMethods, options.onCall);
  const wrap = <T extends object>(port: CountedPort, target: T): T => wrapAny(port, target);
  return {
    deps: {
      ...deps,
      registry: wrap("registry", deps.registry),
      journal: wrap("journal", deps.journal),
      kusto: wrap("kusto", deps.kusto),
      assignments: wrap("assignments", deps.assignments),
      verifier: wrap("verifier", deps.verifier),
      sources: wrap("sources", deps.sources),
      ledger: wrap("ledger", deps.ledger),
      failures: wrap("failures", deps.failures),
      notifier: wrap("notifier", deps.notifier),
    },
    counts,
    reset,
  };
}

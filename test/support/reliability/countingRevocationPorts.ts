// Counts every call the revocation use case makes through its ports, as countingPorts.ts does for the connection
// use cases: ARM calls (Kusto, the assignment GET, the access verifier, the source GET), registry reads, and writes
// (registry saves, journal appends, ledger claims and their ends, failure records, notifications). A hook sees each
// call before it runs, so a test can check the live state at the moment of, say, a Kusto DELETE.
import type { RevocationDeps } from "../../../src/lib/revocation/deps";

export interface RevocationPortCounts {
  arm: number;
  reads: number;
  writes: number;
  /** "port.method" of every call, in order. */
  calls: string[];
}

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
  const counts: RevocationPortCounts = { arm: 0, reads: 0, writes: 0, calls: [] };
  const wrap = <T extends object>(port: CountedPort, target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value: unknown = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const name = `${port}.${String(prop)}`;
          counts.calls.push(name);
          if (armPorts.has(port)) counts.arm += 1;
          else if (writeMethods.has(name)) counts.writes += 1;
          else counts.reads += 1;
          options.onCall?.(name, args);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
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
    reset() {
      counts.arm = counts.reads = counts.writes = 0;
      counts.calls.length = 0;
    },
  };
}

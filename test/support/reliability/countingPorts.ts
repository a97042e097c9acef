// Counts every call the connection use cases make through their ports, split into ARM calls (Kusto and access
// reads), registry/journal reads and writes (registry saves, journal appends, notifications), to show that a
// refused request reaches none of them.
import type { ConnectionsDeps } from "../../../src/lib/connections/deps";

export interface PortCounts {
  arm: number;
  reads: number;
  writes: number;
  /** "port.method" of every call, in order. */
  calls: string[];
}

const armPorts = new Set(["kusto", "verifier"]);
const writeMethods = new Set(["registry.save", "journal.append", "notifier.publish"]);

/**
 * A counter of port calls: `wrap(port, target)` proxies a port so each method call is recorded ("port.method")
 * and counted as an ARM call (a port in `armPorts`), a write (a method in `writeMethods`) or a read; `onCall`
 * hears each call before it runs.
 */
export function createPortCounter(armPorts: ReadonlySet<string>, writeMethods: ReadonlySet<string>, onCall?: (name: string, args: readonly unknown[]) => void) {
  const counts: PortCounts = { arm: 0, reads: 0, writes: 0, calls: [] };
  const wrap = <T extends object>(port: string, target: T): T =>
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
          onCall?.(name, args);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  const reset = () => {
    counts.arm = counts.reads = counts.writes = 0;
    counts.calls.length = 0;
  };
  return { counts, wrap, reset };
}

export function countPorts(deps: ConnectionsDeps): { deps: ConnectionsDeps; counts: PortCounts; reset(): void } {
  const { counts, wrap, reset } = createPortCounter(armPorts, writeMethods);
  return {
    deps: {
      ...deps,
      kusto: wrap("kusto", deps.kusto),
      verifier: wrap("verifier", deps.verifier),
      registry: wrap("registry", deps.registry),
      journal: wrap("journal", deps.journal),
      notifier: wrap("notifier", deps.notifier),
    },
    counts,
    reset,
  };
}

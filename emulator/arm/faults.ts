// Fault injection the admin API configures: latency, 429/5xx/connection-reset rates per route pattern,
// and LROs that end Failed. Patterns are matched case-insensitively against "METHOD /path".
export interface LatencySpec {
  /** Uniform between min and max (fixed when equal). */
  minInMs: number;
  maxInMs: number;
}

export interface FaultRule {
  id: string;
  /** A regular expression tested against "METHOD /path" (e.g. "^PUT .+/dataConnections/"), or "*" for all. */
  pattern: string;
  latency?: LatencySpec;
  /** Probabilities in [0, 1]. */
  throttleRate?: number;
  retryAfterSeconds?: number;
  errorRate?: number;
  /** Status for injected errors (default 500; 503 and 502 are common too). */
  errorStatus?: number;
  resetRate?: number;
  /** LROs started by matching requests end Failed. */
  failLro?: boolean;
  /** Stop applying after this many injected faults (latency does not count). */
  remaining?: number;
}

export type FaultOutcome =
  | { kind: "none" }
  | { kind: "throttle"; retryAfterSeconds: number; rule: FaultRule }
  | { kind: "error"; status: number; rule: FaultRule }
  | { kind: "reset"; rule: FaultRule };

export interface FaultInjector {
  rules(): FaultRule[];
  add(rule: Omit<FaultRule, "id"> & { id?: string }): FaultRule;
  remove(id: string): boolean;
  clear(): void;
  /** Delay to apply before handling (sum of matching latency rules). */
  latencyInMs(method: string, path: string): number;
  /** The fault (if any) to inject instead of handling the request. */
  decide(method: string, path: string): FaultOutcome;
  shouldFailLro(path: string): boolean;
}

export function createFaultInjector(random: () => number = Math.random): FaultInjector {
  let rules: FaultRule[] = [];
  let counter = 0;
  const compiled = new Map<string, RegExp>();
  const matches = (rule: FaultRule, target: string) => {
    if (rule.pattern === "*") return true;
    let re = compiled.get(rule.pattern);
    if (!re) compiled.set(rule.pattern, (re = new RegExp(rule.pattern, "i")));
    return re.test(target);
  };
  const active = (target: string) => rules.filter((r) => (r.remaining === undefined || r.remaining > 0) && matches(r, target));
  const consume = (rule: FaultRule) => {
    if (rule.remaining !== undefined) rule.remaining -= 1;
  };
  return {
    rules: () => rules.map((r) => ({ ...r })),
    add(rule) {
      new RegExp(rule.pattern === "*" ? "" : rule.pattern); // fail fast on a bad pattern
      const full: FaultRule = { ...rule, id: rule.id ?? `fault-${++counter}` };
      rules = [...rules.filter((r) => r.id !== full.id), full];
      return full;
    },
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length !== before;
    },
    clear: () => void (rules = []),
    latencyInMs(method, path) {
      let total = 0;
      for (const r of active(`${method} ${path}`)) {
        if (r.latency) total += r.latency.minInMs + random() * Math.max(0, r.latency.maxInMs - r.latency.minInMs);
      }
      return total;
    },
    decide(method, path) {
      for (const r of active(`${method} ${path}`)) {
        if (r.resetRate && random() < r.resetRate) {
          consume(r);
          return { kind: "reset", rule: r };
        }
        if (r.throttleRate && random() < r.throttleRate) {
          consume(r);
          return { kind: "throttle", retryAfterSeconds: r.retryAfterSeconds ?? 1, rule: r };
        }
        if (r.errorRate && random() < r.errorRate) {
          consume(r);
          return { kind: "error", status: r.errorStatus ?? 500, rule: r };
        }
      }
      return { kind: "none" };
    },
    shouldFailLro(path) {
      for (const r of rules) {
        if (!r.failLro || (r.remaining !== undefined && r.remaining <= 0)) continue;
        if (matches(r, `PUT ${path}`) || matches(r, `DELETE ${path}`) || matches(r, `POST ${path}`) || matches(r, `PATCH ${path}`) || matches(r, path)) {
          consume(r);
          return true;
        }
      }
      return false;
    },
  };
}

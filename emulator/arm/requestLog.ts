// The ARM request log the admin API exposes: one entry per request, bounded.
export interface RequestLogEntry {
  sequence: number;
  time: string;
  method: string;
  path: string;
  apiVersion: string | undefined;
  principal: { objectId: string; tenantId: string; appId: string | undefined } | undefined;
  auxiliaryTenants: string[];
  /** The RBAC action the route maps to (undefined when no route matched). */
  action: string | undefined;
  status: number;
  errorCode: string | undefined;
  durationInMs: number;
  requestId: string;
  correlationId: string;
  clientRequestId: string | undefined;
  /** Set when the response came from an injected fault. */
  fault: string | undefined;
}

export interface RequestLog {
  add(entry: Omit<RequestLogEntry, "sequence">): void;
  list(filter?: { sinceSequence?: number; pathContains?: string; method?: string }): RequestLogEntry[];
  clear(): void;
}

export function createRequestLog(maxEntries = 20_000): RequestLog {
  let entries: RequestLogEntry[] = [];
  let sequence = 0;
  return {
    add(entry) {
      entries.push({ ...entry, sequence: ++sequence });
      if (entries.length > maxEntries) entries = entries.slice(entries.length - maxEntries);
    },
    list(filter = {}) {
      const needle = filter.pathContains?.toLowerCase();
      return entries.filter(
        (e) =>
          (filter.sinceSequence === undefined || e.sequence > filter.sinceSequence) &&
          (needle === undefined || e.path.toLowerCase().includes(needle)) &&
          (filter.method === undefined || e.method === filter.method.toUpperCase()),
      );
    },
    clear: () => void (entries = []),
  };
}

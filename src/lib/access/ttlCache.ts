// A small async cache with a time-to-live and in-flight sharing: concurrent loads of one key make one call.
// Failed loads are not kept, so a transient ARM error is retried by the next caller.

export interface TtlCacheOptions {
  ttlInMs: number;
  /** Oldest entries go first past this size. Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

export interface TtlCache<T> {
  getOrLoad(key: string, load: () => Promise<T>): Promise<T>;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function createTtlCache<T>(options: TtlCacheOptions): TtlCache<T> {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: Promise<T>; expiresAt: number }>();
  return {
    getOrLoad(key, load) {
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now()) return hit.value;
      if (hit) entries.delete(key);
      if (options.ttlInMs <= 0) return load();
      const value = load();
      const entry = { value, expiresAt: now() + options.ttlInMs };
      entries.set(key, entry);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return value;
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}

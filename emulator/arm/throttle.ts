// ARM's request throttling: token buckets per subscription, per principal, per operation class
// (AZURE-FACTS §7: reads 250 burst / 25 per s, writes and deletes 200 / 10 per s).
export type ThrottleClass = "read" | "write" | "delete";

export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

export const ARM_BUCKETS: Record<ThrottleClass, BucketSpec> = {
  read: { capacity: 250, refillPerSecond: 25 },
  write: { capacity: 200, refillPerSecond: 10 },
  delete: { capacity: 200, refillPerSecond: 10 },
};

export interface ThrottleDecision {
  allowed: boolean;
  /** Whole tokens left after this request (the x-ms-ratelimit-remaining-subscription-* header). */
  remaining: number;
  /** Seconds until one token is available, when refused. */
  retryAfterSeconds: number;
}

export interface ThrottleOptions {
  now(): number;
  enabled?: boolean;
  buckets?: Partial<Record<ThrottleClass, BucketSpec>>;
}

export interface Throttle {
  take(subscriptionId: string, principalId: string, cls: ThrottleClass): ThrottleDecision;
  setEnabled(enabled: boolean): void;
  isEnabled(): boolean;
  reset(): void;
}

export function createThrottle(options: ThrottleOptions): Throttle {
  let enabled = options.enabled ?? true;
  const specs = { ...ARM_BUCKETS, ...options.buckets };
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    setEnabled: (value) => void (enabled = value),
    isEnabled: () => enabled,
    reset: () => buckets.clear(),
    take(subscriptionId, principalId, cls) {
      const spec = specs[cls];
      if (!enabled) return { allowed: true, remaining: spec.capacity - 1, retryAfterSeconds: 0 };
      const key = `${subscriptionId.toLowerCase()}|${principalId.toLowerCase()}|${cls}`;
      const now = options.now();
      const bucket = buckets.get(key) ?? { tokens: spec.capacity, at: now };
      bucket.tokens = Math.min(spec.capacity, bucket.tokens + ((now - bucket.at) / 1000) * spec.refillPerSecond);
      bucket.at = now;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / spec.refillPerSecond));
      return { allowed: false, remaining: 0, retryAfterSeconds };
    },
  };
}

// Function-level retry policies (fixedDelay, exponentialBackoff) as the host applies them to timer triggers.
import type { RpcDuration, RpcRetryOptions } from "./coreTypes";

const toMs = (d: RpcDuration | null | undefined): number => ((d?.seconds ?? 0) * 1000) + Math.round((d?.nanos ?? 0) / 1e6);

/** Delay before retry number `retryCount` (1-based), or undefined when the policy allows no more retries. */
export function retryDelayInMs(options: RpcRetryOptions | null | undefined, retryCount: number): number | undefined {
  if (!options?.retryStrategy) return undefined;
  const max = options.maxRetryCount ?? 0;
  if (max !== -1 && retryCount > max) return undefined;
  if (options.retryStrategy === "fixedDelay") return toMs(options.delayInterval);
  const min = toMs(options.minimumInterval);
  const cap = toMs(options.maximumInterval);
  return Math.min(min * 2 ** (retryCount - 1), cap > 0 ? cap : Number.POSITIVE_INFINITY);
}

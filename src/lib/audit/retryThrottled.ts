// Honours ARM's Retry-After past the SDK's own retries: a throttled AppError (429) waits what it says and tries
// again, a bounded number of times. Anything else propagates at once.
import { isAppError } from "../errors";

export interface RetryThrottledOptions {
  /** Attempts in all; default 4. */
  attempts?: number;
  /** When the error does not say; default 1 s. */
  defaultDelayInMs?: number;
  /** Longest single wait; default 30 s. */
  maxDelayInMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryThrottled<T>(run: () => Promise<T>, options: RetryThrottledOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isAppError(error) || error.kind !== "throttled" || attempt >= attempts) throw error;
      const seconds = error.retryAfterInSeconds;
      const delay = seconds !== undefined ? seconds * 1000 : (options.defaultDelayInMs ?? 1000);
      await sleep(Math.min(Math.max(0, delay), options.maxDelayInMs ?? 30_000));
    }
  }
}

// Event Grid's retry rules (AZURE-FACTS §2, delivery-and-retry.md): the fixed schedule, the minimum
// wait per status, what is never retried, and the outcome names written into dead-letter records.

const MINUTE = 60_000;

/** Waits after the 1st, 2nd, ... failed attempt: 10 s, 30 s, 1 m, 5 m, 10 m, 30 m, 1 h, then hourly. */
export const RETRY_SCHEDULE_IN_MS: readonly number[] = [10_000, 30_000, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, 60 * MINUTE];

export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 30;
export const DEFAULT_EVENT_TTL_IN_MINUTES = 1440;
export const DELIVERY_TIMEOUT_IN_MS = 30_000;
/** Dead-lettered events reach the destination about five minutes after the last attempt. */
export const DEAD_LETTER_DELAY_IN_MS = 5 * MINUTE;

/** `status` undefined means no HTTP response (timeout or connection failure). */
export interface AttemptResult {
  status: number | undefined;
  timedOut: boolean;
  error?: string;
}

export function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status <= 204;
}

/** 400 and 413 can never succeed: dead-letter (or drop) at once. */
export function isRetryable(result: AttemptResult): boolean {
  return result.status !== 400 && result.status !== 413;
}

function minimumWaitInMs(result: AttemptResult): number {
  if (result.timedOut || result.status === 408) return 2 * MINUTE;
  if (result.status === 401 || result.status === 403 || result.status === 404) return 5 * MINUTE;
  if (result.status === 503) return 30_000;
  return 10_000;
}

/** Unscaled wait before the next attempt, after `failedAttempts` (≥ 1) attempts have failed. */
export function retryDelayInMs(failedAttempts: number, result: AttemptResult): number {
  const index = Math.min(Math.max(failedAttempts, 1), RETRY_SCHEDULE_IN_MS.length) - 1;
  return Math.max(RETRY_SCHEDULE_IN_MS[index] as number, minimumWaitInMs(result));
}

/** `lastDeliveryOutcome` of a dead-letter record (names as seen in real dead-letter blobs). */
export function deliveryOutcome(result: AttemptResult): string {
  if (result.timedOut) return "TimedOut";
  switch (result.status) {
    case undefined:
      return "GenericError";
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 408:
      return "TimedOut";
    case 409:
      return "Conflict";
    case 413:
      return "RequestEntityTooLarge";
    case 503:
      return "ServiceUnavailable";
    default:
      return isSuccess(result.status) ? "Succeeded" : "GenericError";
  }
}

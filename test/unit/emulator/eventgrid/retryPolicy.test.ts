// Event Grid's retry schedule and per-status minimum waits (AZURE-FACTS §2).
import { describe, expect, it } from "vitest";
import { deliveryOutcome, isRetryable, isSuccess, retryDelayInMs } from "../../../../emulator/eventgrid/retryPolicy";

const s = 1000;
const m = 60 * s;
const error500 = { status: 500, timedOut: false };

describe("retry policy", () => {
  it("follows 10 s, 30 s, 1 m, 5 m, 10 m, 30 m, 1 h, then hourly", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayInMs(n, error500))).toEqual([10 * s, 30 * s, m, 5 * m, 10 * m, 30 * m, 60 * m, 60 * m, 60 * m]);
  });

  it("waits at least 5 minutes after 401/403/404, 2 minutes after 408 or a timeout, 30 s after 503", () => {
    for (const status of [401, 403, 404]) expect(retryDelayInMs(1, { status, timedOut: false })).toBe(5 * m);
    expect(retryDelayInMs(1, { status: 408, timedOut: false })).toBe(2 * m);
    expect(retryDelayInMs(1, { status: undefined, timedOut: true })).toBe(2 * m);
    expect(retryDelayInMs(1, { status: 503, timedOut: false })).toBe(30 * s);
    expect(retryDelayInMs(5, { status: 404, timedOut: false })).toBe(10 * m);
  });

  it("counts only 200–204 as success and never retries 400 or 413", () => {
    expect([199, 200, 202, 204, 205, 302].map(isSuccess)).toEqual([false, true, true, true, false, false]);
    expect(isRetryable({ status: 400, timedOut: false })).toBe(false);
    expect(isRetryable({ status: 413, timedOut: false })).toBe(false);
    expect(isRetryable({ status: 500, timedOut: false })).toBe(true);
  });

  it("names outcomes as dead-letter records do", () => {
    expect(deliveryOutcome({ status: 400, timedOut: false })).toBe("BadRequest");
    expect(deliveryOutcome({ status: 408, timedOut: false })).toBe("TimedOut");
    expect(deliveryOutcome({ status: undefined, timedOut: true })).toBe("TimedOut");
    expect(deliveryOutcome({ status: 404, timedOut: false })).toBe("NotFound");
  });
});

import { describe, expect, it } from "vitest";
import { toHostConfig } from "../../../emulator/host/hostConfig";
import { decideAfterFailure, decodeQueueMessage, nextPollingDelayInMs, poisonQueueName } from "../../../emulator/host/queueMessage";
import { retryDelayInMs } from "../../../emulator/host/retryPolicy";

describe("queue trigger decisions", () => {
  it("releases a failed message until its dequeue count reaches maxDequeueCount, then poisons it", () => {
    const options = { maxDequeueCount: 5, visibilityTimeoutInMs: 30_000 };
    expect(decideAfterFailure({ ...options, dequeueCount: 1 })).toEqual({ kind: "release", visibilityTimeoutInMs: 30_000 });
    expect(decideAfterFailure({ ...options, dequeueCount: 4 })).toEqual({ kind: "release", visibilityTimeoutInMs: 30_000 });
    expect(decideAfterFailure({ ...options, dequeueCount: 5 })).toEqual({ kind: "poison" });
    expect(decideAfterFailure({ ...options, dequeueCount: 9 })).toEqual({ kind: "poison" });
    expect(poisonQueueName("audit-shards")).toBe("audit-shards-poison");
  });

  it("backs off exponentially while the queue is empty, up to the maximum, and resets on messages", () => {
    let delay = 100;
    const seen: number[] = [];
    for (let k = 0; k < 6; k++) seen.push((delay = nextPollingDelayInMs(delay, false, 2000)));
    expect(seen).toEqual([200, 400, 800, 1600, 2000, 2000]);
    expect(nextPollingDelayInMs(2000, true, 2000)).toBe(100);
  });

  it("decodes base64 messages by default and refuses text that is not base64", () => {
    expect(decodeQueueMessage(Buffer.from('{"a":1}').toString("base64"), "base64")).toEqual({ ok: true, text: '{"a":1}' });
    expect(decodeQueueMessage('{"a":1}', "base64").ok).toBe(false);
    expect(decodeQueueMessage('{"a":1}', "none")).toEqual({ ok: true, text: '{"a":1}' });
  });
});

describe("host.json", () => {
  it("has the Functions defaults", () => {
    expect(toHostConfig({})).toEqual({
      routePrefix: "api",
      queues: { maxPollingIntervalInMs: 60_000, visibilityTimeoutInMs: 0, batchSize: 16, newBatchThreshold: 8, maxDequeueCount: 5, messageEncoding: "base64" },
    });
  });

  it("reads the route prefix and queue settings", () => {
    const config = toHostConfig({ extensions: { http: { routePrefix: "/v1/" }, queues: { maxPollingInterval: "00:00:02", visibilityTimeout: "00:00:30", maxDequeueCount: 3, messageEncoding: "none" } } });
    expect(config.routePrefix).toBe("v1");
    expect(config.queues).toMatchObject({ maxPollingIntervalInMs: 2000, visibilityTimeoutInMs: 30_000, maxDequeueCount: 3, messageEncoding: "none" });
  });
});

describe("retry policies", () => {
  it("waits the fixed delay up to maxRetryCount", () => {
    const policy = { retryStrategy: "fixedDelay" as const, maxRetryCount: 2, delayInterval: { seconds: 3 } };
    expect([1, 2, 3].map((n) => retryDelayInMs(policy, n))).toEqual([3000, 3000, undefined]);
  });

  it("doubles from the minimum to the maximum interval", () => {
    const policy = { retryStrategy: "exponentialBackoff" as const, maxRetryCount: 5, minimumInterval: { seconds: 1 }, maximumInterval: { seconds: 5 } };
    expect([1, 2, 3, 4].map((n) => retryDelayInMs(policy, n))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayInMs(undefined, 1)).toBeUndefined();
  });
});

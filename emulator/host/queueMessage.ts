// Pure queue-trigger decisions of the Functions host: message decoding, what to do after a failure,
// and the polling back-off (QueueListener, RandomizedExponentialBackoffStrategy, QueueProcessor).

export type FailureAction = { kind: "poison" } | { kind: "release"; visibilityTimeoutInMs: number };

/** After a failed invocation: poison once the message was dequeued maxDequeueCount times, else make it visible again. */
export function decideAfterFailure(options: { dequeueCount: number; maxDequeueCount: number; visibilityTimeoutInMs: number }): FailureAction {
  return options.dequeueCount >= options.maxDequeueCount
    ? { kind: "poison" }
    : { kind: "release", visibilityTimeoutInMs: options.visibilityTimeoutInMs };
}

export const minPollingIntervalInMs = 100;

/** The next wait between polls: back to the minimum when a poll found messages, else doubling up to the maximum. */
export function nextPollingDelayInMs(previousInMs: number, foundMessages: boolean, maxPollingIntervalInMs: number): number {
  if (foundMessages) return Math.min(minPollingIntervalInMs, maxPollingIntervalInMs);
  return Math.min(Math.max(previousInMs * 2, minPollingIntervalInMs), maxPollingIntervalInMs);
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The message text the function sees; base64 is the host's default encoding and invalid base64 is a failure. */
export function decodeQueueMessage(messageText: string, encoding: "base64" | "none"): { ok: true; text: string } | { ok: false; error: string } {
  if (encoding === "none") return { ok: true, text: messageText };
  if (!base64Pattern.test(messageText)) {
    return { ok: false, error: "The queue message is not valid base64 (host.json queues.messageEncoding is 'base64')." };
  }
  return { ok: true, text: Buffer.from(messageText, "base64").toString("utf8") };
}

export function poisonQueueName(queueName: string): string {
  return `${queueName}-poison`;
}

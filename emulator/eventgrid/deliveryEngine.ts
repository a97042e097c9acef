// Push delivery to event subscriptions: per-subscription queues, JSON-array batches, Event Grid's retry
// schedule (scaled by the time scale), max attempts and TTL, dead-letter records, optional duplicate
// and out-of-order injection, bounded concurrency, and a log of every attempt for the admin API.
import type { DeliverySchema, NeutralEvent } from "./events";
import { toWire } from "./events";
import { sendRequest } from "./httpClient";
import type { AttemptResult } from "./retryPolicy";
import {
  DEAD_LETTER_DELAY_IN_MS,
  DELIVERY_TIMEOUT_IN_MS,
  deliveryOutcome,
  isRetryable,
  isSuccess,
  retryDelayInMs,
} from "./retryPolicy";

/** What the engine needs to know about an event subscription, re-read before every attempt. */
export interface SubscriptionView {
  /** ARM ID of the event subscription. */
  id: string;
  name: string;
  schema: DeliverySchema;
  maxDeliveryAttempts: number;
  eventTimeToLiveInMinutes: number;
  maxEventsPerBatch: number;
  preferredBatchSizeInKilobytes: number;
  deadLetter: { resourceId: string; blobContainerName: string } | undefined;
}

export interface DeliveryTarget {
  url: string;
  /** Extra headers, e.g. Authorization for Entra-protected webhooks. */
  headers: Record<string, string>;
}

export interface DeliverySettings {
  /** Probability (0–1) that an event is delivered twice. */
  duplicateRate: number;
  /** Each event becomes deliverable after a random delay in [0, reorderWindowInMs), which reorders events. */
  reorderWindowInMs: number;
  /** Overrides the emulator's time scale for retry waits, TTL and the dead-letter delay; null = use it. */
  timeScale: number | null;
  /** Overrides the per-attempt timeout (default: 30 s scaled, at least 1 s); null = default. */
  deliveryTimeoutInMs: number | null;
  maxConcurrentDeliveries: number;
}

export const DEFAULT_SETTINGS: DeliverySettings = {
  duplicateRate: 0,
  reorderWindowInMs: 0,
  timeScale: null,
  deliveryTimeoutInMs: null,
  maxConcurrentDeliveries: 16,
};

export interface DeliveryAttemptRecord {
  seq: number;
  kind: "Notification" | "SubscriptionValidation" | "AbuseProtection";
  subscriptionId: string;
  subscriptionName: string;
  url: string;
  status: number | null;
  outcome: string;
  success: boolean;
  eventIds: string[];
  /** aeg-delivery-count sent with this attempt (0 for the first). */
  deliveryCount: number;
  time: string;
  durationInMs: number;
  error?: string;
}

export interface DeadLetterRecord {
  subscriptionId: string;
  subscriptionName: string;
  /** Where real Event Grid would write the blob; undefined when dead-lettering is not configured (dropped). */
  destination: { resourceId: string; blobContainerName: string; blobName: string } | undefined;
  time: string;
  /** The delivered event plus deadLetterReason, deliveryAttempts, lastDeliveryOutcome, lastHttpStatusCode, publishTime, lastDeliveryAttemptTime. */
  event: Record<string, unknown>;
}

export interface DeliveryEngineOptions {
  now(): number;
  timeScale(): number;
  random?(): number;
  /** Current view of the subscription, or undefined when it is gone (its pending events are dropped). */
  resolveSubscription(id: string): SubscriptionView | undefined;
  resolveTarget(view: SubscriptionView): Promise<DeliveryTarget>;
  ca?: string | string[];
  /** Cap on stored attempt records (oldest dropped first). */
  maxLogEntries?: number;
}

interface Pending {
  seq: number;
  subscriptionId: string;
  event: NeutralEvent;
  publishTime: number;
  attempts: number;
  readyAt: number;
  lastResult?: AttemptResult;
  lastAttemptAt?: number;
}

interface Queue {
  subscriptionId: string;
  items: Pending[];
  inFlight: number;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

const PER_SUBSCRIPTION_CONCURRENCY = 4;

export class DeliveryEngine {
  private settings: DeliverySettings = { ...DEFAULT_SETTINGS };
  private readonly queues = new Map<string, Queue>();
  private readonly log: DeliveryAttemptRecord[] = [];
  private readonly dead: DeadLetterRecord[] = [];
  private readonly droppedRecords: DeadLetterRecord[] = [];
  private readonly deadLetterTimers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private seq = 0;
  private logSeq = 0;
  private closed = false;

  constructor(private readonly options: DeliveryEngineOptions) {}

  getSettings(): DeliverySettings {
    return { ...this.settings };
  }

  updateSettings(patch: Partial<DeliverySettings>): DeliverySettings {
    this.settings = { ...this.settings, ...patch };
    return this.getSettings();
  }

  scale(): number {
    return this.settings.timeScale ?? this.options.timeScale();
  }

  attemptTimeoutInMs(): number {
    return this.settings.deliveryTimeoutInMs ?? Math.max(DELIVERY_TIMEOUT_IN_MS * this.scale(), 1000);
  }

  /** Queues events for one subscription; delivery happens later, off the caller's path. */
  enqueue(subscriptionId: string, events: NeutralEvent[]): void {
    if (this.closed || events.length === 0) return;
    const key = subscriptionId.toLowerCase();
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { subscriptionId, items: [], inFlight: 0 }));
    const now = this.options.now();
    const random = this.options.random ?? Math.random;
    for (const event of events) {
      const copies = random() < this.settings.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const jitter = this.settings.reorderWindowInMs > 0 ? Math.floor(random() * this.settings.reorderWindowInMs) : 0;
        queue.items.push({ seq: this.seq++, subscriptionId, event, publishTime: now, attempts: 0, readyAt: now + jitter });
      }
    }
    this.schedule(queue, 0);
  }

  /** Records a handshake attempt made outside the queues (validation, abuse protection). */
  record(entry: Omit<DeliveryAttemptRecord, "seq">): void {
    this.log.push({ ...entry, seq: this.logSeq++ });
    const max = this.options.maxLogEntries ?? 10_000;
    if (this.log.length > max) this.log.splice(0, this.log.length - max);
  }

  deliveries(subscriptionId?: string): DeliveryAttemptRecord[] {
    return subscriptionId ? this.log.filter((r) => r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase()) : [...this.log];
  }

  deadLetters(): DeadLetterRecord[] {
    return [...this.dead];
  }

  dropped(): DeadLetterRecord[] {
    return [...this.droppedRecords];
  }

  pending(): { subscriptionId: string; eventId: string; attempts: number; readyAt: string }[] {
    const out: { subscriptionId: string; eventId: string; attempts: number; readyAt: string }[] = [];
    for (const q of this.queues.values()) {
      for (const i of q.items) out.push({ subscriptionId: q.subscriptionId, eventId: i.event.id, attempts: i.attempts, readyAt: new Date(i.readyAt).toISOString() });
    }
    return out;
  }

  /** True when nothing is queued, in flight or waiting to be dead-lettered. */
  isIdle(): boolean {
    if (this.inFlight > 0 || this.deadLetterTimers.size > 0) return false;
    for (const q of this.queues.values()) if (q.items.length > 0 || q.inFlight > 0) return false;
    return true;
  }

  /** Resolves once the engine is idle (tests); rejects after `timeoutInMs`. */
  async whenIdle(timeoutInMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutInMs;
    while (!this.isIdle()) {
      if (Date.now() > deadline) throw new Error("Event Grid deliveries still pending");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Forgets queued events and every record (settings stay). */
  clear(): void {
    for (const q of this.queues.values()) if (q.timer) clearTimeout(q.timer);
    this.queues.clear();
    for (const t of this.deadLetterTimers) clearTimeout(t);
    this.deadLetterTimers.clear();
    this.log.length = 0;
    this.dead.length = 0;
    this.droppedRecords.length = 0;
  }

  resetSettings(): void {
    this.settings = { ...DEFAULT_SETTINGS };
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private schedule(queue: Queue, delayInMs: number): void {
    if (this.closed) return;
    const at = this.options.now() + delayInMs;
    if (queue.timer && queue.timerAt !== undefined && queue.timerAt <= at) return;
    if (queue.timer) clearTimeout(queue.timer);
    queue.timerAt = at;
    queue.timer = setTimeout(() => {
      queue.timer = undefined;
      queue.timerAt = undefined;
      this.pump(queue);
    }, Math.max(0, delayInMs));
  }

  private pumpAll(): void {
    for (const q of this.queues.values()) if (q.items.length > 0) this.pump(q);
  }

  private pump(queue: Queue): void {
    if (this.closed) return;
    const view = this.options.resolveSubscription(queue.subscriptionId);
    if (!view) {
      for (const item of queue.items) this.drop(item, undefined, "SubscriptionDeleted");
      queue.items = [];
      if (queue.inFlight === 0) this.queues.delete(queue.subscriptionId.toLowerCase());
      return;
    }
    while (queue.inFlight < PER_SUBSCRIPTION_CONCURRENCY && this.inFlight < this.settings.maxConcurrentDeliveries) {
      const batch = this.takeBatch(queue, view);
      if (batch.length === 0) break;
      queue.inFlight++;
      this.inFlight++;
      void this.send(view, batch).finally(() => {
        queue.inFlight--;
        this.inFlight--;
        this.pumpAll();
      });
    }
    const next = queue.items.reduce((min, i) => Math.min(min, i.readyAt), Number.POSITIVE_INFINITY);
    if (Number.isFinite(next)) this.schedule(queue, Math.max(0, next - this.options.now()));
  }

  /** Ready events, oldest first, up to maxEventsPerBatch and (after the first) preferredBatchSizeInKilobytes. */
  private takeBatch(queue: Queue, view: SubscriptionView): Pending[] {
    const now = this.options.now();
    const ready = queue.items.filter((i) => i.readyAt <= now).sort((a, b) => a.readyAt - b.readyAt || a.seq - b.seq);
    const batch: Pending[] = [];
    let bytes = 0;
    const limit = view.preferredBatchSizeInKilobytes * 1024;
    for (const item of ready) {
      if (batch.length >= view.maxEventsPerBatch) break;
      const size = Buffer.byteLength(JSON.stringify(toWire(item.event, view.schema)));
      if (batch.length > 0 && bytes + size > limit) break;
      // Event Grid never puts the same event twice into one batch: a duplicate goes in the next one.
      if (batch.some((b) => b.event.id === item.event.id)) continue;
      batch.push(item);
      bytes += size;
    }
    queue.items = queue.items.filter((i) => !batch.includes(i));
    return batch;
  }

  private async send(view: SubscriptionView, batch: Pending[]): Promise<void> {
    const started = this.options.now();
    const deliveryCount = batch[0]?.attempts ?? 0;
    let url = "";
    let result: AttemptResult;
    try {
      const target = await this.options.resolveTarget(view);
      url = target.url;
      const first = batch[0]?.event;
      const cloud = view.schema === "CloudEventSchemaV1_0";
      const response = await sendRequest({
        method: "POST",
        url,
        headers: {
          "content-type": cloud ? "application/cloudevents-batch+json; charset=utf-8" : "application/json; charset=utf-8",
          "aeg-event-type": "Notification",
          "aeg-subscription-name": view.name.toUpperCase(),
          "aeg-delivery-count": String(deliveryCount),
          "aeg-data-version": first?.dataVersion ?? "",
          "aeg-metadata-version": "1",
          ...target.headers,
        },
        body: JSON.stringify(batch.map((i) => toWire(i.event, view.schema))),
        timeoutInMs: this.attemptTimeoutInMs(),
        ca: this.options.ca,
      });
      result = { status: response.status, timedOut: response.timedOut, error: response.error };
    } catch (e) {
      result = { status: undefined, timedOut: false, error: e instanceof Error ? e.message : String(e) };
    }
    if (this.closed) return;
    const finished = this.options.now();
    const success = isSuccess(result.status);
    this.record({
      kind: "Notification",
      subscriptionId: view.id,
      subscriptionName: view.name,
      url,
      status: result.status ?? null,
      outcome: deliveryOutcome(result),
      success,
      eventIds: batch.map((i) => i.event.id),
      deliveryCount,
      time: new Date(started).toISOString(),
      durationInMs: finished - started,
      ...(result.error ? { error: result.error } : {}),
    });
    if (success) return;
    const scale = this.scale();
    const queue = this.queues.get(view.id.toLowerCase());
    for (const item of batch) {
      item.attempts++;
      item.lastResult = result;
      item.lastAttemptAt = started;
      if (!isRetryable(result)) {
        this.deadLetterOrDrop(view, item, result.status === 413 ? "UndeliverableDueToHttpRequestEntityTooLarge" : "UndeliverableDueToHttpBadRequest");
        continue;
      }
      if (item.attempts >= view.maxDeliveryAttempts) {
        this.deadLetterOrDrop(view, item, "MaxDeliveryAttemptsExceeded");
        continue;
      }
      const wait = retryDelayInMs(item.attempts, result) * scale;
      if (finished + wait > item.publishTime + view.eventTimeToLiveInMinutes * 60_000 * scale) {
        this.deadLetterOrDrop(view, item, "TimeToLiveExceeded");
        continue;
      }
      item.readyAt = finished + wait;
      if (queue) queue.items.push(item);
    }
  }

  private deadLetterOrDrop(view: SubscriptionView, item: Pending, reason: string): void {
    if (!view.deadLetter) {
      this.drop(item, view, reason);
      return;
    }
    const destination = view.deadLetter;
    const timer = setTimeout(() => {
      this.deadLetterTimers.delete(timer);
      const at = new Date(this.options.now());
      // Real blob names: {container}/{SUBSCRIPTION NAME}/{y}/{m}/{d}/{h}/{guid}.json (not zero-padded, UTC).
      const blobName = `${view.name.toUpperCase()}/${at.getUTCFullYear()}/${at.getUTCMonth() + 1}/${at.getUTCDate()}/${at.getUTCHours()}/${item.event.id}.json`;
      this.dead.push({
        subscriptionId: view.id,
        subscriptionName: view.name,
        destination: { ...destination, blobName },
        time: at.toISOString(),
        event: this.deadLetterEvent(view, item, reason),
      });
    }, DEAD_LETTER_DELAY_IN_MS * this.scale());
    this.deadLetterTimers.add(timer);
  }

  private drop(item: Pending, view: SubscriptionView | undefined, reason: string): void {
    this.droppedRecords.push({
      subscriptionId: view?.id ?? item.subscriptionId,
      subscriptionName: view?.name ?? item.subscriptionId.split("/").pop() ?? "",
      destination: undefined,
      time: new Date(this.options.now()).toISOString(),
      event: this.deadLetterEvent(view, item, reason),
    });
  }

  private deadLetterEvent(view: SubscriptionView | undefined, item: Pending, reason: string): Record<string, unknown> {
    const result = item.lastResult;
    return {
      ...toWire(item.event, view?.schema ?? "EventGridSchema"),
      deadLetterReason: reason,
      deliveryAttempts: item.attempts,
      lastDeliveryOutcome: result ? deliveryOutcome(result) : "NotAttempted",
      lastHttpStatusCode: result?.status ?? 0,
      publishTime: new Date(item.publishTime).toISOString(),
      lastDeliveryAttemptTime: item.lastAttemptAt !== undefined ? new Date(item.lastAttemptAt).toISOString() : null,
    };
  }
}

// Limits of one Event Grid delivery to the events webhook, in-process over the real parser, trust and use case (the
// revocation fakes, every port call counted): more than 5,000 events is a 413 before anything is parsed; exactly
// 5,000 is accepted; the delivery that costs the most port calls (1 MiB of role-assignment deletions, each looked up
// in the registry) finishes well within Event Grid's 30 s delivery timeout when the registry answers like Table
// Storage (20 ms a read), because the webhook handles 16 events at once (one at a time it would not).
// Event Grid caps a delivery at 1 MB (preferredBatchSizeInKilobytes ≤ 1024) and 5,000 events: 5,000 fit only when
// each is ≤ ~220 bytes, i.e. events without Resource data. A Resource event takes ~0.7 KB without the deleter's claims
// (≈ 2.4 KB as ARM sends it), so at most ~1,500 (≈ 430) of them arrive at once.
import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_CONCURRENCY, MAX_BODY_BYTES, MAX_EVENTS_PER_DELIVERY } from "../../src/lib/revocation/eventsWebhook";
import type { ApiTokens } from "../support/reliability/apiTokens";
import { ASSIGNMENT_DELETE, callWebhook, cloudEvent, createEventGridTokens, createEventsScene, RESOURCE_DELETE_SUCCESS, webhookTopic } from "../support/reliability/eventsHarness";
import { createResults } from "../support/reliability/results";
import { ids } from "../unit/lib/revocation/revocationWorld";

const REGISTRY_LATENCY_IN_MS = 20;
const MiB = 1024 * 1024;

/** A GC the test can call (V8's, exposed at run time): heap figures without garbage in them. */
const gc: () => void = (() => {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return () => undefined;
  }
})();

/** The smallest event of the allowed topic (CloudEvents, no data): what 5,000 in one delivery must look like. */
const tinyEvent = (i: number) => ({ specversion: "1.0", id: `e${i}`, source: webhookTopic, type: "Microsoft.Resources.ResourceWriteSuccess", time: "2025-06-01T12:00:00Z" });

/** A role-assignment deletion in a resource group no connection uses (compact: no claims, no httpRequest). */
const unrelatedDeletion = (i: number) => {
  const uri = `/subscriptions/${ids.subB}/resourceGroups/rg-unrelated/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`;
  return cloudEvent({ id: `d${i}`, topic: webhookTopic, subject: uri, type: RESOURCE_DELETE_SUCCESS, data: { operationName: ASSIGNMENT_DELETE, resourceUri: uri, tenantId: ids.tenantB, status: "Succeeded" } });
};

/** As many events as fit in `bytes` of JSON array. */
function fill(bytes: number, make: (i: number) => unknown): unknown[] {
  const events: unknown[] = [];
  let size = 2;
  for (let i = 0; ; i++) {
    const event = make(i);
    const length = JSON.stringify(event).length + 1;
    if (size + length > bytes) return events;
    events.push(event);
    size += length;
  }
}

/** Runs `work`, sampling the heap every 5 ms: growth at the peak and after a GC, in MB. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; timeInMs: number; peakMb: number; retainedMb: number }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const t0 = performance.now();
  const value = await work();
  const timeInMs = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  gc();
  const mb = (n: number) => Math.round((n / MiB) * 10) / 10;
  return { value, timeInMs, peakMb: mb(peak - base), retainedMb: mb(Math.max(0, process.memoryUsage().heapUsed - base)) };
}

describe("events webhook: limits of one delivery", () => {
  let tokens: ApiTokens;
  let eventGrid: string;
  const results = createResults("eventLimits");
  beforeAll(async () => {
    ({ api: tokens, eventGrid } = await createEventGridTokens());
  });
  afterAll(() => results.write());

  it(`refuses ${MAX_EVENTS_PER_DELIVERY + 1} events in one delivery (413 TooManyEvents) before parsing any, with no port call`, async () => {
    const scene = await createEventsScene(tokens);
    const body = JSON.stringify(Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, (_, i) => tinyEvent(i)));
    const run = await measured(() => callWebhook(scene.webhook, { body, token: eventGrid }));
    expect([run.value.status, run.value.json?.code]).toEqual([413, "TooManyEvents"]);
    expect(run.value.headers["content-type"]).toBe("application/problem+json");
    expect(scene.counts.calls).toEqual([]);
    results.add({
      table: "limits",
      operation: "events webhook",
      condition: `${MAX_EVENTS_PER_DELIVERY + 1} events in one delivery (${Math.round(body.length / 1024)} KiB)`,
      outcome: `${run.value.status} ${String(run.value.json?.code)}`,
      attempts: 1,
      timeInMs: Math.round(run.timeInMs),
      inconsistencies: scene.counts.calls.length,
      notes: `in-process; refused before the envelopes are read; port calls ${scene.counts.calls.length}; heap +${run.peakMb} MB at the peak`,
    });
  });

  it(`accepts exactly ${MAX_EVENTS_PER_DELIVERY} events, the most Event Grid sends at once, in bounded time and memory`, async () => {
    const scene = await createEventsScene(tokens);
    const body = JSON.stringify(Array.from({ length: MAX_EVENTS_PER_DELIVERY }, (_, i) => tinyEvent(i)));
    expect(body.length).toBeLessThanOrEqual(MiB);
    const run = await measured(() => callWebhook(scene.webhook, { body, token: eventGrid, contentType: "application/cloudevents-batch+json; charset=utf-8" }));
    expect(run.value.status, run.value.text).toBe(200);
    // Not Resource events: each is parsed, trusted and classified, and touches no port.
    expect(scene.counts.calls).toEqual([]);
    expect(run.timeInMs).toBeLessThan(5_000);
    expect(run.retainedMb).toBeLessThan(10);
    results.add({
      table: "limits",
      operation: "events webhook",
      condition: `${MAX_EVENTS_PER_DELIVERY} events in one delivery (CloudEvents without data, ${Math.round(body.length / 1024)} KiB: how 5,000 fit in 1 MB)`,
      outcome: String(run.value.status),
      attempts: 1,
      timeInMs: Math.round(run.timeInMs),
      inconsistencies: 0,
      notes: `in-process; heap +${run.peakMb} MB at the peak, +${run.retainedMb} MB retained after GC; port calls ${scene.counts.calls.length}`,
    });
  });

  it(`finishes 1 MiB of role-assignment deletions, each read from a ${REGISTRY_LATENCY_IN_MS} ms registry, well within Event Grid's 30 s timeout`, async () => {
    const events = fill(MiB, unrelatedDeletion);
    const body = JSON.stringify(events);
    const scene = await createEventsScene(tokens, { registryLatencyInMs: REGISTRY_LATENCY_IN_MS });
    const run = await measured(() => callWebhook(scene.webhook, { body, token: eventGrid, contentType: "application/cloudevents-batch+json; charset=utf-8" }));
    expect(run.value.status, run.value.text).toBe(200);
    // Each event: its registry lookup(s), nothing else: no ARM call, no write.
    expect(scene.counts.reads).toBeGreaterThanOrEqual(events.length);
    expect([scene.counts.arm, scene.counts.writes]).toEqual([0, 0]);

    // The same events one at a time (concurrency 1), on a slice: what the full delivery would cost that way.
    const slice = events.slice(0, 50);
    const sequential = await createEventsScene(tokens, { registryLatencyInMs: REGISTRY_LATENCY_IN_MS, concurrency: 1 });
    const one = await measured(() => callWebhook(sequential.webhook, { body: JSON.stringify(slice), token: eventGrid, contentType: "application/cloudevents-batch+json; charset=utf-8" }));
    expect(one.value.status).toBe(200);
    const perEventInMs = one.timeInMs / slice.length;
    const projectedInMs = perEventInMs * events.length;
    expect(run.timeInMs).toBeLessThan(15_000);
    expect(run.timeInMs * 5).toBeLessThan(projectedInMs);
    results.add({
      table: "limits",
      operation: "events webhook",
      condition: `1 MiB of role-assignment deletions concerning no connection (${events.length} compact events), registry reads ${REGISTRY_LATENCY_IN_MS} ms each, ${EVENT_CONCURRENCY} events at once`,
      outcome: String(run.value.status),
      attempts: 1,
      timeInMs: Math.round(run.timeInMs),
      inconsistencies: 0,
      notes: `in-process; registry reads ${scene.counts.reads}, ARM calls ${scene.counts.arm}, writes ${scene.counts.writes}; heap +${run.peakMb} MB at the peak, +${run.retainedMb} MB retained; one at a time: ${perEventInMs.toFixed(1)} ms an event (measured on ${slice.length}), so ≈ ${(projectedInMs / 1000).toFixed(0)} s for the delivery (Event Grid's timeout: 30 s). As ARM sends them (≈ 2.4 KB with claims) ≤ ~430 events fit in 1 MB`,
    });
  });

  it(`refuses a body over 1 MB + 64 KiB (413 PayloadTooLarge) without reading the rest`, async () => {
    const scene = await createEventsScene(tokens);
    const body = JSON.stringify([{ pad: "p".repeat(MAX_BODY_BYTES) }]);
    const run = await measured(() => callWebhook(scene.webhook, { body, token: eventGrid }));
    expect([run.value.status, run.value.json?.code]).toEqual([413, "PayloadTooLarge"]);
    expect(scene.counts.calls).toEqual([]);
    results.add({
      table: "limits",
      operation: "events webhook",
      condition: `body of ${Math.round(body.length / 1024)} KiB (the limit: 1 MiB + 64 KiB)`,
      outcome: `${run.value.status} ${String(run.value.json?.code)}`,
      attempts: 1,
      timeInMs: Math.round(run.timeInMs),
      inconsistencies: scene.counts.calls.length,
      notes: "in-process; port calls 0",
    });
  });
});

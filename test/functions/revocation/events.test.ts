// POST /api/events as the Functions runtime drives it: Event Grid's Entra token (appid and app role) before
// anything, the validation handshake (200 with the code), the CloudEvents OPTIONS handshake, untrusted topics
// refused with nothing processed, both schemas processed, and a failure answering 500 for redelivery. Batches: at
// most 5,000 events (413 TooManyEvents before any is parsed), handled 16 at once, copies of one ID in turn.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createEventsHandler } from "../../../src/functions/events";
import { createEventGridParser } from "../../../src/lib/azure/eventGridEvents";
import { AppError } from "../../../src/lib/errors";
import type { EventOutcome } from "../../../src/lib/revocation/handleResourceEvent";
import type { EventParser, ResourceEvent } from "../../../src/lib/revocation/model";
import { EVENT_CONCURRENCY, EVENT_GRID_APP_ID, MAX_EVENTS_PER_DELIVERY, WEBHOOK_ROLE } from "../../../src/lib/revocation/eventsWebhook";
import { createTokens, tenant } from "../support/apiHarness";

const sourceTenant = "22222222-1111-4111-8111-111111111111";
const sourceSub = "22222222-2222-4222-8222-222222222222";
const assignment = `/subscriptions/${sourceSub}/resourceGroups/rg-partner-demo/providers/Microsoft.Authorization/roleAssignments/5d0e8a9c-1111-4222-8333-944455556666`;

function eventGridEvent(topic = `/subscriptions/${sourceSub}`, tenantId = sourceTenant) {
  return {
    id: "e1",
    topic,
    subject: assignment,
    eventType: "Microsoft.Resources.ResourceDeleteSuccess",
    eventTime: new Date().toISOString(),
    dataVersion: "2",
    metadataVersion: "1",
    data: { operationName: "Microsoft.Authorization/roleAssignments/delete", resourceUri: assignment, tenantId, subscriptionId: sourceSub, status: "Succeeded", correlationId: "c1", claims: { oid: "carol" } },
  };
}

/** The smallest event a subscription of the allowed topic could send (CloudEvents, no data): 5,000 fit in 1 MB. */
const tinyEvent = (id: string) => ({ specversion: "1.0", id, source: `/subscriptions/${sourceSub}`, type: "Microsoft.Resources.ResourceWriteSuccess" });

let keys: ReturnType<typeof createTokens> | undefined;

async function setup(options: { fail?: boolean; handle?: (event: ResourceEvent) => Promise<void> } = {}) {
  const { validator, tokenFor } = await (keys ??= createTokens());
  const handled: ResourceEvent[] = [];
  const real = createEventGridParser();
  const parsed = { deliveries: 0 };
  const parser: EventParser = { parseDelivery: async (body) => (parsed.deliveries++, real.parseDelivery(body)), parseEvent: (event) => real.parseEvent(event) };
  const handler = createEventsHandler({
    getTokenValidator: () => validator,
    getParser: () => parser,
    getTrust: () => ({ appTenantId: tenant, allowedSources: [{ tenantId: sourceTenant, topic: `/subscriptions/${sourceSub}` }] }),
    getHandler: () => ({
      async handle(event): Promise<EventOutcome> {
        handled.push(event);
        await options.handle?.(event);
        if (options.fail) throw new Error("ARM throttled");
        return { eventId: event.id, status: "processed", deleted: [], kept: [], reported: [] };
      },
    }),
  });
  const eventGridToken = () => tokenFor([WEBHOOK_ROLE], { azp: EVENT_GRID_APP_ID, oid: "eventgrid-sp" });
  const post = async (body: unknown, token?: string, contentType = "application/json") =>
    handler(
      new HttpRequest({
        method: "POST",
        url: "https://func.example/api/events",
        headers: { "content-type": contentType, ...(token ? { authorization: `Bearer ${token}` } : {}), "aeg-event-type": "Notification" },
        body: { string: JSON.stringify(body) },
      }),
      new InvocationContext(),
    );
  return { handler, handled, parsed, tokenFor, eventGridToken, post };
}

describe("POST /api/events", () => {
  it("refuses a request without Event Grid's token (401) and other callers of the API (403), processing nothing", async () => {
    const s = await setup();
    expect((await s.post([eventGridEvent()])).status).toBe(401);
    const pipeline = await s.tokenFor(["Connections.Write"]);
    expect((await s.post([eventGridEvent()], pipeline)).status).toBe(403);
    const eventGridWithoutRole = await s.tokenFor([], { azp: EVENT_GRID_APP_ID });
    expect((await s.post([eventGridEvent()], eventGridWithoutRole)).status).toBe(403);
    expect(s.handled).toHaveLength(0);
  });

  it("answers the validation handshake with 200 and the code, for an allowed topic only", async () => {
    const s = await setup();
    const validation = (topic: string) => [
      { id: "v", topic, subject: "", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", eventTime: new Date().toISOString(), metadataVersion: "1", dataVersion: "1", data: { validationCode: "CODE-1", validationUrl: "https://x" } },
    ];
    const ok = await s.post(validation(`/subscriptions/${sourceSub}`), await s.eventGridToken());
    expect(ok.status).toBe(200);
    expect(JSON.parse(String(ok.body))).toEqual({ validationResponse: "CODE-1" });
    expect((await s.post(validation("/subscriptions/elsewhere"), await s.eventGridToken())).status).toBe(403);
  });

  it("answers the CloudEvents OPTIONS handshake with the allowed origin", async () => {
    const s = await setup();
    const response = await s.handler(
      new HttpRequest({ method: "OPTIONS", url: "https://func.example/api/events", headers: { "webhook-request-origin": "eventgrid.azure.net", "webhook-request-rate": "120" } }),
      new InvocationContext(),
    );
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ "webhook-allowed-origin": "eventgrid.azure.net", "webhook-allowed-rate": "*" });
  });

  it("processes an allowed source's events in both schemas (200)", async () => {
    const s = await setup();
    expect((await s.post([eventGridEvent()], await s.eventGridToken())).status).toBe(200);
    const e = eventGridEvent();
    const cloud = { id: "e2", source: e.topic, subject: e.subject, type: e.eventType, time: e.eventTime, specversion: "1.0", data: e.data };
    expect((await s.post([cloud], await s.eventGridToken(), "application/cloudevents-batch+json; charset=utf-8")).status).toBe(200);
    expect(s.handled.map((h) => [h.id, h.schema, h.data?.tenantId])).toEqual([
      ["e1", "EventGrid", sourceTenant],
      ["e2", "CloudEvents", sourceTenant],
    ]);
  });

  it("refuses events of a topic or tenant that is not configured (403), processing none of the batch", async () => {
    const s = await setup();
    const forged = eventGridEvent(`/subscriptions/${sourceSub}`, tenant);
    expect((await s.post([eventGridEvent(), forged], await s.eventGridToken())).status).toBe(403);
    expect(s.handled).toHaveLength(0);
  });

  it("answers 500 when an event fails, so Event Grid redelivers the batch", async () => {
    const s = await setup({ fail: true });
    const response = await s.post([eventGridEvent()], await s.eventGridToken());
    expect(response.status).toBe(500);
    expect(String(response.body)).not.toContain("ARM throttled");
  });

  it("refuses the CloudEvents OPTIONS handshake without an origin with a problem (400)", async () => {
    const s = await setup();
    const response = await s.handler(new HttpRequest({ method: "OPTIONS", url: "https://func.example/api/events" }), new InvocationContext());
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({ "content-type": "application/problem+json" });
    expect(JSON.parse(String(response.body))).toMatchObject({ code: "MissingWebhookRequestOrigin" });
  });
});

describe("POST /api/events: batches", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it(`refuses a delivery of more than ${MAX_EVENTS_PER_DELIVERY} events (413 TooManyEvents) before parsing or handling any`, async () => {
    const s = await setup();
    const events = Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, (_, i) => tinyEvent(`e${i}`));
    const response = await s.post(events, await s.eventGridToken());
    expect(response.status).toBe(413);
    expect(response.headers).toMatchObject({ "content-type": "application/problem+json" });
    expect(JSON.parse(String(response.body))).toMatchObject({ code: "TooManyEvents", status: 413 });
    expect(s.parsed.deliveries).toBe(0);
    expect(s.handled).toHaveLength(0);
  });

  it("counts before it reads the envelopes: 5,001 empty objects are too many, not an invalid delivery", async () => {
    const s = await setup();
    const response = await s.post(Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, () => ({})), await s.eventGridToken());
    expect([response.status, JSON.parse(String(response.body)).code]).toEqual([413, "TooManyEvents"]);
    expect(s.parsed.deliveries).toBe(0);
  });

  it(`accepts exactly ${MAX_EVENTS_PER_DELIVERY} events (within the 1 MB body) and handles each once`, async () => {
    const s = await setup();
    const events = Array.from({ length: MAX_EVENTS_PER_DELIVERY }, (_, i) => tinyEvent(`e${i}`));
    const response = await s.post(events, await s.eventGridToken(), "application/cloudevents-batch+json; charset=utf-8");
    expect(response.status).toBe(200);
    expect(s.handled).toHaveLength(MAX_EVENTS_PER_DELIVERY);
    expect(new Set(s.handled.map((e) => e.id)).size).toBe(MAX_EVENTS_PER_DELIVERY);
  });

  it(`handles at most ${EVENT_CONCURRENCY} events at once, and all of them`, async () => {
    let inFlight = 0;
    let most = 0;
    const s = await setup({
      async handle() {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(2);
        inFlight--;
      },
    });
    const response = await s.post(Array.from({ length: 100 }, (_, i) => tinyEvent(`e${i}`)), await s.eventGridToken());
    expect(response.status).toBe(200);
    expect(s.handled).toHaveLength(100);
    expect(most).toBe(EVENT_CONCURRENCY);
  });

  it("after a failure starts no further event, and answers 500 only once the events in flight have settled", async () => {
    const started: string[] = [];
    const settled: string[] = [];
    const s = await setup({
      async handle(event) {
        started.push(event.id);
        if (event.id === "e20") throw new Error("ARM throttled");
        await sleep(event.id === "e5" ? 30 : 1);
        settled.push(event.id);
      },
    });
    const response = await s.post(Array.from({ length: 200 }, (_, i) => tinyEvent(`e${i}`)), await s.eventGridToken());
    const settledAtAnswer = [...settled];
    expect(response.status).toBe(500);
    expect(started.length).toBeLessThan(200);
    // Every event that started (but the failed one) had ended when the webhook answered, the slow e5 too.
    expect(settledAtAnswer.sort()).toEqual(started.filter((id) => id !== "e20").sort());
    expect(settledAtAnswer).toContain("e5");
    await sleep(50);
    expect(started.length).toBe(settledAtAnswer.length + 1);
  });

  it("handles copies of one event ID one after the other, never side by side (the ledger's key)", async () => {
    const busy = new Set<string>();
    let overlaps = 0;
    const s = await setup({
      async handle(event) {
        if (busy.has(event.id)) overlaps++;
        busy.add(event.id);
        await sleep(2);
        busy.delete(event.id);
      },
    });
    const events = [tinyEvent("a"), tinyEvent("b"), tinyEvent("a"), tinyEvent("a"), tinyEvent("b")];
    expect((await s.post(events, await s.eventGridToken())).status).toBe(200);
    expect(s.handled.map((e) => e.id).sort()).toEqual(["a", "a", "a", "b", "b"]);
    expect(overlaps).toBe(0);
  });

  it("answers a port's validation error with 500, not 400: Event Grid does not retry a 400, so the revocation would be lost", async () => {
    const s = await setup({
      async handle() {
        throw new AppError("validation", "KustoRejected", "Kusto rejected the delete of the data connection: InvalidRequest");
      },
    });
    const response = await s.post([eventGridEvent()], await s.eventGridToken());
    expect(response.status).toBe(500);
    expect(JSON.parse(String(response.body))).toMatchObject({ code: "EventNotHandled", status: 500 });
  });

  it("keeps a retryable failure's own status (409 EventInProgress: Event Grid retries it)", async () => {
    const s = await setup({
      async handle(event) {
        throw new AppError("conflict", "EventInProgress", `Event ${event.id} is being handled by another invocation; redeliver it.`);
      },
    });
    const response = await s.post([eventGridEvent()], await s.eventGridToken());
    expect([response.status, JSON.parse(String(response.body)).code]).toEqual([409, "EventInProgress"]);
  });
});

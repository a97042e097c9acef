// POST /api/events as the Functions runtime drives it: Event Grid's Entra token (appid and app role) before
// anything, the validation handshake (200 with the code), the CloudEvents OPTIONS handshake, untrusted topics
// refused with nothing processed, both schemas processed, and a failure answering 500 for redelivery.
import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createEventsHandler } from "../../../src/functions/events";
import { createEventGridParser } from "../../../src/lib/azure/eventGridEvents";
import type { EventOutcome } from "../../../src/lib/revocation/handleResourceEvent";
import type { ResourceEvent } from "../../../src/lib/revocation/model";
import { EVENT_GRID_APP_ID, WEBHOOK_ROLE } from "../../../src/lib/revocation/eventsWebhook";
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

async function setup(options: { fail?: boolean } = {}) {
  const { validator, tokenFor } = await createTokens();
  const handled: ResourceEvent[] = [];
  const handler = createEventsHandler({
    getTokenValidator: () => validator,
    getParser: createEventGridParser,
    getTrust: () => ({ appTenantId: tenant, allowedSources: [{ tenantId: sourceTenant, topic: `/subscriptions/${sourceSub}` }] }),
    getHandler: () => ({
      async handle(event): Promise<EventOutcome> {
        handled.push(event);
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
  return { handler, handled, tokenFor, eventGridToken, post };
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
});

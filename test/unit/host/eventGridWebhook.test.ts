import { describe, expect, it } from "vitest";
import { decideEventGridRequest, replyToDispatch, type EventGridWebhookRequest } from "../../../emulator/host/eventGridWebhook";

const request = (overrides: Partial<EventGridWebhookRequest>): EventGridWebhookRequest => ({
  method: "POST",
  functionName: "onEvent",
  functionExists: true,
  headers: { "aeg-event-type": "Notification" },
  body: "[]",
  ...overrides,
});
const validation = [{ id: "1", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode: "512d38b6", validationUrl: "https://x" } }];

describe("Event Grid webhook decisions", () => {
  it("answers the validation handshake with 200 and the code of the first event", () => {
    const decision = decideEventGridRequest(request({ headers: { "aeg-event-type": "SubscriptionValidation" }, body: JSON.stringify(validation) }));
    expect(decision).toMatchObject({ kind: "reply", reply: { status: 200 } });
    expect(decision.kind === "reply" && JSON.parse(decision.reply.body ?? "")).toEqual({ validationResponse: "512d38b6" });
  });

  it("reads a double-encoded CloudEvent validation object too", () => {
    const body = JSON.stringify({ type: "Microsoft.EventGrid.SubscriptionValidationEvent", data: JSON.stringify({ validationCode: "abc" }) });
    const decision = decideEventGridRequest(request({ headers: { "aeg-event-type": "subscriptionvalidation" }, body }));
    expect(decision.kind === "reply" && JSON.parse(decision.reply.body ?? "")).toEqual({ validationResponse: "abc" });
  });

  it("dispatches a notification array event by event, and a single object as one event", () => {
    expect(decideEventGridRequest(request({ body: '[{"id":"a"},{"id":"b"}]' }))).toEqual({ kind: "dispatch", events: [{ id: "a" }, { id: "b" }] });
    expect(decideEventGridRequest(request({ body: '{"id":"a"}' }))).toEqual({ kind: "dispatch", events: [{ id: "a" }] });
  });

  it("accepts Unsubscribe with 202 and refuses a missing or unknown aeg-event-type with 400", () => {
    expect(decideEventGridRequest(request({ headers: { "aeg-event-type": "Unsubscribe" } }))).toMatchObject({ reply: { status: 202 } });
    expect(decideEventGridRequest(request({ headers: {} }))).toMatchObject({ reply: { status: 400 } });
    expect(decideEventGridRequest(request({ headers: { "aeg-event-type": "Other" } }))).toMatchObject({ reply: { status: 400 } });
  });

  it("answers 404 for an unknown or missing function before looking at the request", () => {
    expect(decideEventGridRequest(request({ functionExists: false }))).toMatchObject({ reply: { status: 404, body: "cannot find function: 'onEvent'" } });
    expect(decideEventGridRequest(request({ functionName: undefined, functionExists: false }))).toMatchObject({ reply: { status: 404 } });
  });

  it("completes the CloudEvents abuse-protection handshake on OPTIONS", () => {
    const decision = decideEventGridRequest(request({ method: "OPTIONS", headers: { "webhook-request-origin": "eventgrid.azure.net", "webhook-request-rate": "120" } }));
    expect(decision).toEqual({ kind: "reply", reply: { status: 200, headers: { "WebHook-Allowed-Origin": "eventgrid.azure.net", "WebHook-Allowed-Rate": "*" } } });
    const noRate = decideEventGridRequest(request({ method: "OPTIONS", headers: { "webhook-request-origin": "eventgrid.azure.net" } }));
    expect(noRate.kind === "reply" && noRate.reply.headers).toEqual({ "WebHook-Allowed-Origin": "eventgrid.azure.net" });
    expect(decideEventGridRequest(request({ method: "OPTIONS", headers: {} }))).toMatchObject({ reply: { status: 400 } });
  });

  it("replies 202 when every invocation succeeded and 500 with the failure otherwise", () => {
    expect(replyToDispatch([{ ok: true }, { ok: true }])).toEqual({ status: 202 });
    expect(replyToDispatch([{ ok: true }, { ok: false, message: "nope" }])).toEqual({ status: 500, body: "nope" });
  });
});

// Parsing deliveries with @azure/eventgrid (both schemas, the handshake, who deleted) and deciding trust per ingress.
import { describe, expect, it } from "vitest";
import { actorOf, createEventGridParser } from "../../../../src/lib/azure/eventGridEvents";
import { untrustedReason, isAllowedTopic } from "../../../../src/lib/revocation/trust";
import eventGridSample from "../../emulator/eventgrid/reference/ResourceDeleteSuccess.subscription.eventgridschema.json";
import cloudSample from "../../emulator/eventgrid/reference/ResourceDeleteSuccess.subscription.cloudevents.json";
import validationSample from "../../emulator/eventgrid/reference/SubscriptionValidationEvent.json";
import { deleteAssignmentEvent, ids } from "./revocationWorld";

const parser = createEventGridParser();

describe("parsing deliveries", () => {
  it("reads the reference Event Grid schema sample", async () => {
    const delivery = await parser.parseDelivery(structuredClone(eventGridSample));
    if (delivery.kind !== "events") throw new Error("expected events");
    expect(delivery.events[0]).toMatchObject({
      id: "19a69642-1aad-4a96-a5ab-8d05494513ce",
      type: "Microsoft.Resources.ResourceDeleteSuccess",
      topic: "/subscriptions/{subscription-id}",
      schema: "EventGrid",
      data: { operationName: "Microsoft.Storage/storageAccounts/delete", tenantId: "{tenant-id}", correlationId: "{ID}", status: "Succeeded", actor: { objectId: "{ID}", appId: "{ID}", name: "{user-name}" } },
    });
  });

  it("reads the reference CloudEvents sample the same way (source is the topic)", async () => {
    const delivery = await parser.parseDelivery(structuredClone(cloudSample));
    if (delivery.kind !== "events") throw new Error("expected events");
    expect(delivery.events[0]).toMatchObject({ topic: "/subscriptions/{subscription-id}", schema: "CloudEvents", data: { operationName: "Microsoft.Storage/storageAccounts/delete" } });
  });

  it("recognises the validation handshake and its code", async () => {
    expect(await parser.parseDelivery(structuredClone(validationSample))).toEqual({
      kind: "validation",
      validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
      topic: "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    });
  });

  it("parses the single event the trigger hands over", async () => {
    const [event] = eventGridSample;
    expect((await parser.parseEvent(structuredClone(event))).data?.resourceUri).toContain("storageAccounts");
  });

  it("refuses envelopes the SDK refuses, with a validation error", async () => {
    await expect(parser.parseDelivery([{ id: "x" }])).rejects.toMatchObject({ code: "InvalidEventDelivery", kind: "validation" });
    await expect(parser.parseDelivery(["not an event"])).rejects.toMatchObject({ code: "InvalidEventDelivery" });
  });

  it("names the deleter from short or long claim names, never copying a token", () => {
    expect(actorOf({ oid: "o", tid: "t", appid: "a", upn: "u@x" })).toEqual({ objectId: "o", tenantId: "t", appId: "a", name: "u@x" });
    expect(actorOf(undefined)).toEqual({});
  });
});

describe("trust", () => {
  const grant = `/subscriptions/${ids.subB}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x`;
  const allowed = { appTenantId: ids.tenantA, allowedSources: [{ tenantId: ids.tenantB, topic: `/subscriptions/${ids.subB.toUpperCase()}` }] };

  it("the webhook accepts only an allowed topic of its tenant", () => {
    expect(untrustedReason(deleteAssignmentEvent(grant), "webhook", allowed)).toBeUndefined();
    expect(untrustedReason(deleteAssignmentEvent(grant, { tenantId: ids.tenantA }), "webhook", allowed)).toContain("not an allowed event source");
    const ownTenant = deleteAssignmentEvent(`/subscriptions/${ids.subA}/providers/Microsoft.Authorization/roleAssignments/x`);
    expect(untrustedReason(ownTenant, "webhook", allowed)).toBeDefined();
    expect(isAllowedTopic(`/subscriptions/${ids.subB}`, allowed)).toBe(true);
  });

  it("the trigger accepts the app's tenant and the allowed sources", () => {
    expect(untrustedReason(deleteAssignmentEvent(`/subscriptions/${ids.subA}/providers/Microsoft.Authorization/roleAssignments/x`), "trigger", allowed)).toBeUndefined();
    expect(untrustedReason(deleteAssignmentEvent(grant), "trigger", allowed)).toBeUndefined();
    expect(untrustedReason(deleteAssignmentEvent(grant), "trigger", { ...allowed, allowedSources: [] })).toContain("neither the app's tenant");
  });

  it("refuses an event whose resource is not under its topic", () => {
    const event = { ...deleteAssignmentEvent(grant), topic: `/subscriptions/${ids.subA}` };
    expect(untrustedReason(event, "trigger", allowed)).toContain("not under its topic");
  });
});

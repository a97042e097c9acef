// Event Grid delivery against a local webhook: handshake, batching, retries on the scaled schedule,
// dead-letter, duplicates, filters, Entra-protected delivery and Azure Function destinations.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { createHarness, createSubscriptionTopic, operation, RG_ID, startWebhook, SUB_ID, TENANT } from "./harness";
import type { Harness, Webhook } from "./harness";

let h: Harness;
let hook: Webhook;

beforeEach(async () => {
  h = await createHarness({ timeScale: 0.0001 });
  hook = await startWebhook();
  await createSubscriptionTopic(h);
});

afterEach(async () => {
  await h.close();
  await hook.close();
});

const webhook = (url: string, extra: Record<string, unknown> = {}) => ({ endpointType: "WebHook", properties: { endpointUrl: url, ...extra } });

describe("event subscription creation", () => {
  it("runs the validation handshake with the reference event shape and ends Succeeded", async () => {
    const result = await h.subscribe("azsub", "revocations", { destination: webhook(hook.url) });
    expect(result.status).toBe("Succeeded");
    expect((result.body.properties as Record<string, unknown>).provisioningState).toBe("Succeeded");
    const validation = hook.received.find((r) => r.headers["aeg-event-type"] === "SubscriptionValidation");
    expect(validation?.headers["aeg-subscription-name"]).toBe("REVOCATIONS");
    const [event] = validation?.json as Record<string, unknown>[];
    expect(Object.keys(event ?? {}).sort()).toEqual(["data", "dataVersion", "eventTime", "eventType", "id", "metadataVersion", "subject", "topic"]);
    expect(event).toMatchObject({ topic: SUB_ID, subject: "", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", metadataVersion: "1", dataVersion: "1" });
    const events = await new EventGridDeserializer().deserializeEventGridEvents(validation?.body ?? "");
    expect(isSystemEvent("Microsoft.EventGrid.SubscriptionValidationEvent", events[0] as never)).toBe(true);
  });

  it("hides the endpoint URL's secrets on GET and returns them from getFullUrl", async () => {
    await h.subscribe("azsub", "revocations", { destination: webhook(hook.url) });
    const path = `${RG_ID}/providers/Microsoft.EventGrid/systemTopics/azsub/eventSubscriptions/revocations`;
    const got = await h.arm("GET", path);
    expect(JSON.stringify(got.body)).not.toContain("secret");
    const full = await h.arm("POST", `${path}/getFullUrl`);
    expect(full.body).toEqual({ endpointUrl: hook.url });
  });

  it("ends Failed with a 'Url validation' error when the endpoint does not echo the code", async () => {
    const refused = await h.subscribe("azsub", "refused", { destination: webhook("http://127.0.0.1:9/api/events") });
    expect(refused.status).toBe("Failed");
    expect(refused.error?.code).toBe("Url validation");
    expect(refused.error?.message).toContain("Webhook validation handshake failed for http://127.0.0.1:9/api/events");
    expect((refused.body.properties as Record<string, unknown>).provisioningState).toBe("Failed");
  });

  it("refuses plain http to a non-loopback host", async () => {
    const result = await h.subscribe("azsub", "remote", { destination: webhook("http://example.com/api/events") });
    expect(result.status).toBe("Rejected");
    expect(result.error?.code).toBe("BadRequest");
  });

  it("uses the OPTIONS abuse-protection handshake for CloudEvents subscriptions", async () => {
    const result = await h.subscribe("azsub", "ce", { destination: webhook(hook.url), eventDeliverySchema: "CloudEventSchemaV1_0" });
    expect(result.status).toBe("Succeeded");
    const options = hook.received.find((r) => r.method === "OPTIONS");
    expect(options?.headers["webhook-request-origin"]).toBe("eventgrid.azure.net");
    expect(hook.received.some((r) => r.headers["aeg-event-type"] === "SubscriptionValidation")).toBe(false);
  });
});

describe("delivery", () => {
  it("delivers a role-assignment delete as a one-event JSON array with Event Grid's headers", async () => {
    await h.subscribe("azsub", "revocations", { destination: webhook(hook.url) });
    const op = operation();
    h.eventGrid.sink.publish(op);
    await h.eventGrid.whenIdle();
    const [delivery] = hook.notifications();
    expect(delivery?.headers).toMatchObject({
      "aeg-event-type": "Notification",
      "aeg-subscription-name": "REVOCATIONS",
      "aeg-delivery-count": "0",
      "aeg-data-version": "2",
      "aeg-metadata-version": "1",
    });
    expect(delivery?.url).toBe("/api/events?code=secret");
    const events = await new EventGridDeserializer().deserializeEventGridEvents(delivery?.body ?? "");
    expect(events).toHaveLength(1);
    const event = events[0];
    if (!event || !isSystemEvent("Microsoft.Resources.ResourceDeleteSuccess", event)) throw new Error("not a ResourceDeleteSuccess event");
    expect(event.subject).toBe(op.resourceUri);
    expect(event.topic).toBe(SUB_ID);
    expect(event.data.operationName).toBe("Microsoft.Authorization/roleAssignments/delete");
    expect(event.data.resourceGroup).toBe(op.resourceGroup);
    expect(event.data.tenantId).toBe(TENANT);
  });

  it("returns before delivering: publish never waits for the webhook", async () => {
    await h.subscribe("azsub", "slow", { destination: webhook(hook.url) });
    hook.respond = () => ({ status: 200, delayInMs: 200 });
    const started = Date.now();
    h.eventGrid.sink.publish(operation());
    expect(Date.now() - started).toBeLessThan(50);
    expect(hook.notifications()).toHaveLength(0);
    await h.eventGrid.whenIdle();
    expect(hook.notifications()).toHaveLength(1);
  });

  it("batches up to maxEventsPerBatch events per request", async () => {
    await h.subscribe("azsub", "batched", { destination: webhook(hook.url, { maxEventsPerBatch: 3, preferredBatchSizeInKilobytes: 1024 }) });
    for (let i = 0; i < 7; i++) h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle();
    const sizes = hook.notifications().map((n) => (n.json as unknown[]).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes).toContain(3);
  });

  it("delivers only what the filter lets through", async () => {
    await h.subscribe("azsub", "filtered", {
      destination: webhook(hook.url),
      filter: {
        includedEventTypes: ["Microsoft.Resources.ResourceDeleteSuccess"],
        advancedFilters: [{ operatorType: "StringIn", key: "data.operationName", values: ["microsoft.authorization/roleassignments/delete"] }],
      },
    });
    h.eventGrid.sink.publish(operation());
    h.eventGrid.sink.publish(operation({ eventType: "Microsoft.Resources.ResourceWriteSuccess", operationName: "Microsoft.Authorization/roleAssignments/write" }));
    h.eventGrid.sink.publish(operation({ operationName: "Microsoft.EventHub/namespaces/delete", resourceUri: `${RG_ID}/providers/Microsoft.EventHub/namespaces/ns1` }));
    await h.eventGrid.whenIdle();
    expect(hook.notifications()).toHaveLength(1);
  });

  it("retries on the real schedule (10 s, 30 s, 1 m, ... scaled) and dead-letters after maxDeliveryAttempts", async () => {
    h.scale.value = 0.001;
    await h.subscribe("azsub", "failing", {
      destination: webhook(hook.url),
      retryPolicy: { maxDeliveryAttempts: 4, eventTimeToLiveInMinutes: 1440 },
      deadLetterDestination: { endpointType: "StorageBlob", properties: { resourceId: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/dl`, blobContainerName: "deadletters" } },
    });
    hook.respond = () => 500;
    const op = operation();
    h.eventGrid.sink.publish(op);
    await h.eventGrid.whenIdle(5000);
    const attempts = h.eventGrid.deliveries().filter((d) => d.kind === "Notification");
    expect(attempts.map((a) => a.deliveryCount)).toEqual([0, 1, 2, 3]);
    const gaps = attempts.slice(1).map((a, i) => Date.parse(a.time) - Date.parse((attempts[i] as { time: string }).time));
    // 10 s, 30 s, 60 s at a time scale of 0.001 → 10, 30, 60 ms (timers never fire early).
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(29);
    expect(gaps[2]).toBeGreaterThanOrEqual(59);
    const [dead] = h.eventGrid.deadLetters();
    expect(dead?.destination?.blobContainerName).toBe("deadletters");
    expect(dead?.destination?.blobName).toMatch(/^FAILING\/\d{4}\/\d{1,2}\/\d{1,2}\/\d{1,2}\/[0-9a-f-]+\.json$/);
    expect(dead?.event).toMatchObject({
      subject: op.resourceUri,
      deadLetterReason: "MaxDeliveryAttemptsExceeded",
      deliveryAttempts: 4,
      lastDeliveryOutcome: "GenericError",
      lastHttpStatusCode: 500,
    });
    expect(typeof dead?.event.publishTime).toBe("string");
    expect(typeof dead?.event.lastDeliveryAttemptTime).toBe("string");
  });

  it("waits at least 5 minutes (scaled) after a 404 and never retries a 400", async () => {
    h.scale.value = 0.0001;
    await h.subscribe("azsub", "notfound", { destination: webhook(hook.url), retryPolicy: { maxDeliveryAttempts: 2, eventTimeToLiveInMinutes: 1440 } });
    hook.respond = () => 404;
    h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle(5000);
    const attempts = h.eventGrid.deliveries().filter((d) => d.kind === "Notification");
    expect(attempts).toHaveLength(2);
    expect(Date.parse((attempts[1] as { time: string }).time) - Date.parse((attempts[0] as { time: string }).time)).toBeGreaterThanOrEqual(29);

    hook.respond = () => 400;
    await h.subscribe("azsub", "badrequest", {
      destination: webhook(hook.url),
      deadLetterDestination: { endpointType: "StorageBlob", properties: { resourceId: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/dl`, blobContainerName: "dl" } },
    });
    h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle(5000);
    const bad = h.eventGrid.deliveries().filter((d) => d.subscriptionName === "badrequest" && d.kind === "Notification");
    expect(bad).toHaveLength(1);
    expect(h.eventGrid.deadLetters().map((d) => d.event.deadLetterReason)).toContain("UndeliverableDueToHttpBadRequest");
  });

  it("dead-letters with TimeToLiveExceeded when the next retry would pass the TTL", async () => {
    h.scale.value = 0.001;
    await h.subscribe("azsub", "ttl", {
      destination: webhook(hook.url),
      // 1 minute TTL: attempts at 0, 10 s and 40 s; the next wait (1 m) would pass it.
      retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1 },
      deadLetterDestination: { endpointType: "StorageBlob", properties: { resourceId: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/dl`, blobContainerName: "dl" } },
    });
    hook.respond = () => 500;
    h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle(5000);
    expect(h.eventGrid.deliveries().filter((d) => d.kind === "Notification")).toHaveLength(3);
    expect(h.eventGrid.deadLetters()[0]?.event).toMatchObject({ deadLetterReason: "TimeToLiveExceeded", deliveryAttempts: 3, lastHttpStatusCode: 500 });
  });

  it("delivers some events twice when a duplicate rate is set (at-least-once testing)", async () => {
    await h.subscribe("azsub", "dups", { destination: webhook(hook.url) });
    h.eventGrid.settings({ duplicateRate: 1 });
    h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle();
    const ids = hook.notifications().map((n) => (n.json as { id: string }[])[0]?.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it("can deliver out of order within the reorder window", async () => {
    // random() is drawn per event as (duplicate?, jitter): the first event waits 99 ms, the second none.
    let i = 0;
    const sequence = [0.5, 0.99, 0.5, 0.0];
    await h.close();
    h = await createHarness({ timeScale: 0.001, random: () => sequence[i++ % sequence.length] as number });
    await createSubscriptionTopic(h);
    await h.subscribe("azsub", "reorder", { destination: webhook(hook.url) });
    h.eventGrid.settings({ reorderWindowInMs: 100, duplicateRate: 0 });
    const first = operation();
    const second = operation();
    h.eventGrid.sink.publish(first);
    h.eventGrid.sink.publish(second);
    await h.eventGrid.whenIdle();
    const subjects = hook.notifications().slice(-2).map((n) => (n.json as { subject: string }[])[0]?.subject);
    expect(subjects).toEqual([second.resourceUri, first.resourceUri]);
  });

  it("sends a bearer token minted for the webhook's application in its tenant (Entra delivery)", async () => {
    await h.subscribe("azsub", "secure", {
      destination: webhook(hook.url, { azureActiveDirectoryTenantId: TENANT, azureActiveDirectoryApplicationIdOrUri: "api://adx-lifecycle" }),
    });
    h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle();
    const auth = String(hook.notifications()[0]?.headers.authorization ?? "");
    expect(auth).toMatch(/^Bearer /);
    const caller = await h.tokens.verify(auth.slice(7), "api://adx-lifecycle");
    expect(caller.tenantId).toBe(TENANT);
    expect(caller.appId).toBe("4962773b-9cdb-44cf-a8bf-237846a00ab7");
  });

  it("delivers to an Azure Function through the site's /runtime/webhooks/eventgrid endpoint", async () => {
    const host = new URL(hook.url).host;
    const site = `${RG_ID}/providers/Microsoft.Web/sites/adx-app`;
    h.world.putResource({ id: site, name: "adx-app", type: "Microsoft.Web/sites", location: "westeurope", properties: { defaultHostName: host } });
    const result = await h.subscribe("azsub", "fn", { destination: { endpointType: "AzureFunction", properties: { resourceId: `${site}/functions/revocation` } } });
    expect(result.status).toBe("Succeeded");
    h.eventGrid.sink.publish(operation());
    await h.eventGrid.whenIdle();
    expect(hook.notifications()[0]?.url).toBe("/runtime/webhooks/eventgrid?functionName=revocation");
  });

  it("sends the resource-group topic's events only for operations in that group", async () => {
    const res = await h.arm("PUT", `${RG_ID}/providers/Microsoft.EventGrid/systemTopics/rgtopic`, {
      location: "global",
      properties: { source: RG_ID, topicType: "Microsoft.Resources.ResourceGroups" },
    });
    expect(res.status).toBe(201);
    await h.subscribe("rgtopic", "rgsub", { destination: webhook(hook.url) });
    h.eventGrid.sink.publish(operation());
    h.eventGrid.sink.publish(operation({ resourceGroup: "other", resourceUri: `${SUB_ID}/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/x` }));
    await h.eventGrid.whenIdle();
    const topics = hook.notifications().map((n) => (n.json as { topic: string }[])[0]?.topic);
    expect(topics).toEqual([RG_ID]);
  });
});

describe("handshake failures", () => {
  it("fails when the endpoint answers 200 without the validation code", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await h.subscribe("azsub", "nocode", { destination: webhook(`http://127.0.0.1:${port}/hook`) });
      expect(result.status).toBe("Failed");
      expect(result.error?.message).toContain("Http POST request retuned 2XX response with response body ok");
      h.eventGrid.sink.publish(operation());
      await h.eventGrid.whenIdle();
      expect(h.eventGrid.deliveries().filter((d) => d.kind === "Notification")).toHaveLength(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

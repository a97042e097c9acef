// The notifier's contract with fakes for the client and the outbox (the real ones are in
// test/integration/notifications): it never throws, and says what became of each event.
import { RestError } from "@azure/core-rest-pipeline";
import type { EventGridPublisherClient } from "@azure/eventgrid";
import { describe, expect, it } from "vitest";
import { createEventGridNotifier, describePublishError, toCloudEvent } from "../../../../src/lib/azure/eventGridNotifier";
import type { Outbox } from "../../../../src/lib/azure/outbox";
import type { ConnectionEvent } from "../../../../src/lib/connections/ports";

const event: ConnectionEvent = { id: "e1", type: "adx.connection.updated", subject: "/subscriptions/s/c", time: "2025-01-01T00:00:00.000Z", data: { k: 1 } };

function failingClient(error: unknown): EventGridPublisherClient<"CloudEvent"> {
  return { send: () => Promise.reject(error) } as unknown as EventGridPublisherClient<"CloudEvent">;
}

function memoryOutbox(fail = false): Outbox & { added: string[] } {
  const added: string[] = [];
  return {
    added,
    async add(e) {
      if (fail) throw new Error("storage down");
      added.push(e.id);
    },
    listOldest: async () => [],
    claim: async () => undefined,
    remove: async () => undefined,
    recordFailure: async () => undefined,
  };
}

describe("createEventGridNotifier", () => {
  it("keeps an event Event Grid refused and says so", async () => {
    const outbox = memoryOutbox();
    const notifier = createEventGridNotifier({ client: failingClient(new RestError("denied", { statusCode: 403 })), outbox });
    expect(await notifier.publish(event)).toEqual({ delivered: false, error: "PublishFailed (HTTP 403); kept in the outbox" });
    expect(outbox.added).toEqual(["e1"]);
  });

  it("does not throw even when the outbox is down too", async () => {
    const notifier = createEventGridNotifier({ client: failingClient(new Error("x")), outbox: memoryOutbox(true) });
    const result = await notifier.publish(event);
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/not kept: storage down/);
  });
});

describe("toCloudEvent", () => {
  it("names the app as source and the connection as subject, with a JSON content type", () => {
    expect(toCloudEvent(event, "/app")).toEqual({
      id: "e1",
      type: "adx.connection.updated",
      source: "/app",
      subject: "/subscriptions/s/c",
      time: new Date(event.time),
      datacontenttype: "application/json",
      data: { k: 1 },
    });
  });
});

describe("describePublishError", () => {
  it("gives the status or transport code and never the response body", () => {
    const withBody = new RestError("secret body sig=abc", { statusCode: 401, code: "Unauthorized" });
    expect(describePublishError(withBody)).toBe("PublishFailed (HTTP 401 Unauthorized)");
    expect(describePublishError(new RestError("connect ECONNREFUSED", { code: "ECONNREFUSED" }))).toBe("PublishFailed (ECONNREFUSED)");
    expect(describePublishError(new TypeError("boom"))).toBe("PublishFailed (TypeError)");
  });
});

// Builds the notifications topic's publisher client: one quick retry only, since the outbox (not the
// request that triggered the event) is where a failed publish waits for the topic to come back.
import type { TokenCredential } from "@azure/identity";
import { EventGridPublisherClient, type EventGridPublisherClientOptions } from "@azure/eventgrid";

export function createEventGridPublisher(
  topicEndpoint: string,
  credential: TokenCredential,
  options: EventGridPublisherClientOptions = {},
): EventGridPublisherClient<"CloudEvent"> {
  return new EventGridPublisherClient(topicEndpoint, "CloudEvent", credential, {
    ...options,
    retryOptions: { maxRetries: 1, retryDelayInMs: 200, maxRetryDelayInMs: 1000, ...options.retryOptions },
  });
}

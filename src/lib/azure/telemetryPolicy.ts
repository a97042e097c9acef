// Pipeline policy of the ARM clients: puts the current correlation ID (src/lib/telemetry/correlation) on every
// request as `x-ms-correlation-request-id`, which ARM logs and echoes (the Activity Log and support requests use
// it), and on the request's span as `app.correlation_id`. Placed in the Sign phase, it runs once per attempt
// inside the SDK's HTTP span (core-tracing's tracingPolicy runs after the Retry phase).
import { trace } from "@opentelemetry/api";
import type { Pipeline, PipelinePolicy } from "@azure/core-rest-pipeline";
import { currentCorrelationId } from "../telemetry/correlation";

export const correlationPolicyName = "appCorrelationPolicy";
export const correlationHeader = "x-ms-correlation-request-id";
export const correlationAttribute = "app.correlation_id";

export function correlationPolicy(): PipelinePolicy {
  return {
    name: correlationPolicyName,
    sendRequest(request, next) {
      const correlationId = currentCorrelationId();
      if (correlationId) {
        if (!request.headers.has(correlationHeader)) request.headers.set(correlationHeader, correlationId);
        trace.getActiveSpan()?.setAttribute(correlationAttribute, correlationId);
      }
      return next(request);
    },
  };
}

const equipped = new WeakSet<Pipeline>();

/** Adds the policy to a client's pipeline once (clients are cached by the factory and shared). */
export function withCorrelationPolicy<T extends { pipeline: Pipeline }>(client: T): T {
  if (!equipped.has(client.pipeline)) {
    equipped.add(client.pipeline);
    client.pipeline.addPolicy(correlationPolicy(), { phase: "Sign" });
  }
  return client;
}

// Endpoint validation on event-subscription create: the SubscriptionValidationEvent POST (Event Grid
// schema) or the CloudEvents OPTIONS abuse-protection request, judged as Event Grid judges them.
import { randomUUID } from "node:crypto";
import type { DeliveryEngine, DeliveryTarget } from "./deliveryEngine";
import type { DeliverySchema } from "./events";
import { toValidationEvent } from "./events";
import { sendRequest } from "./httpClient";

export interface HandshakeInput {
  subscriptionId: string;
  subscriptionName: string;
  schema: DeliverySchema;
  /** The topic the validation event names (the system topic's source). */
  topic: string;
  target: DeliveryTarget;
  /** Where a manual validation GET would go (carried in data.validationUrl). */
  validationUrlBase: string;
  apiVersion: string;
  now: Date;
  timeoutInMs: number;
  ca?: string | string[];
}

export type HandshakeResult = { ok: true } | { ok: false; message: string };

const ORIGIN = "eventgrid.azure.net";

export async function runHandshake(input: HandshakeInput, engine: DeliveryEngine): Promise<HandshakeResult> {
  return input.schema === "CloudEventSchemaV1_0" ? abuseProtection(input, engine) : validationEvent(input, engine);
}

async function validationEvent(input: HandshakeInput, engine: DeliveryEngine): Promise<HandshakeResult> {
  const code = randomUUID().toUpperCase();
  const validationUrl =
    `${input.validationUrlBase}/eventsubscriptions/${encodeURIComponent(input.subscriptionName)}/validate` +
    `?id=${code}&t=${encodeURIComponent(input.now.toISOString())}&apiVersion=${input.apiVersion}&token=${randomUUID()}`;
  const events = toValidationEvent({ topic: input.topic, validationCode: code, validationUrl, now: input.now });
  const started = Date.now();
  const response = await sendRequest({
    method: "POST",
    url: input.target.url,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "aeg-event-type": "SubscriptionValidation",
      "aeg-subscription-name": input.subscriptionName.toUpperCase(),
      "aeg-delivery-count": "0",
      "aeg-data-version": "1",
      "aeg-metadata-version": "1",
      ...input.target.headers,
    },
    body: JSON.stringify(events),
    timeoutInMs: input.timeoutInMs,
    ca: input.ca,
  });
  let returned: unknown;
  try {
    returned = JSON.parse(response.body) as { validationResponse?: unknown };
  } catch {
    returned = undefined;
  }
  const echoed = (returned as { validationResponse?: unknown } | undefined)?.validationResponse;
  const ok = response.status === 200 && typeof echoed === "string" && echoed.toUpperCase() === code;
  engine.record({
    kind: "SubscriptionValidation",
    subscriptionId: input.subscriptionId,
    subscriptionName: input.subscriptionName,
    url: input.target.url,
    status: response.status ?? null,
    outcome: ok ? "Succeeded" : "Failed",
    success: ok,
    eventIds: [String(events[0]?.id)],
    deliveryCount: 0,
    time: new Date(started).toISOString(),
    durationInMs: Date.now() - started,
    ...(response.error ? { error: response.error } : {}),
  });
  if (ok) return { ok: true };
  const base = `Webhook validation handshake failed for ${baseUrl(input.target.url)}.`;
  const suffix = ` For troublehooting, visit https://aka.ms/esvalidation. Activity id:${randomUUID()}, timestamp: ${input.now.toISOString()} (UTC).`;
  if (response.status !== undefined && response.status >= 200 && response.status < 300) {
    // Real Event Grid would then wait up to 10 minutes for a manual GET of validationUrl; the emulator does not.
    return {
      ok: false,
      message: `${base} Http POST request retuned 2XX response with response body ${response.body}. When a validation request is accepted without validation code in the response body, Http GET is expected on the validation url included in the validation event(within 10 minutes).${suffix}`,
    };
  }
  const code2 = response.timedOut ? "Timeout" : (response.status ?? "Unknown");
  return { ok: false, message: `${base} Http POST request failed with response code ${code2}.${suffix}` };
}

async function abuseProtection(input: HandshakeInput, engine: DeliveryEngine): Promise<HandshakeResult> {
  const started = Date.now();
  const response = await sendRequest({
    method: "OPTIONS",
    url: input.target.url,
    headers: { "webhook-request-origin": ORIGIN, "webhook-request-rate": "120", ...input.target.headers },
    timeoutInMs: input.timeoutInMs,
    ca: input.ca,
  });
  const allowed = String(response.headers["webhook-allowed-origin"] ?? "");
  const ok = response.status === 200 && (allowed === "*" || allowed.toLowerCase() === ORIGIN);
  engine.record({
    kind: "AbuseProtection",
    subscriptionId: input.subscriptionId,
    subscriptionName: input.subscriptionName,
    url: input.target.url,
    status: response.status ?? null,
    outcome: ok ? "Succeeded" : "Failed",
    success: ok,
    eventIds: [],
    deliveryCount: 0,
    time: new Date(started).toISOString(),
    durationInMs: Date.now() - started,
    ...(response.error ? { error: response.error } : {}),
  });
  if (ok) return { ok: true };
  return {
    ok: false,
    message:
      `Webhook validation handshake failed for ${baseUrl(input.target.url)}. Http OPTIONS request failed with response code ` +
      `${response.timedOut ? "Timeout" : (response.status ?? "Unknown")} (WebHook-Allowed-Origin: '${allowed}'). For troublehooting, visit https://aka.ms/esvalidation.`,
  };
}

/** The URL without its query string: Event Grid never echoes secrets such as `code=`. */
export function baseUrl(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

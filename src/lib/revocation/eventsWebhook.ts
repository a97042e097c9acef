// POST /api/events: Resource events of other tenants' system topics, delivered by Event Grid with an Entra
// token (audience: the API; issuer: the app's tenant; appid: Event Grid's first-party app, holding the API's
// AzureEventGridSecureWebhookSubscriber role, as infra/app/entraApps.bicep grants it). Event Grid schema and
// CloudEvents 1.0; the SubscriptionValidationEvent handshake (200) and the CloudEvents OPTIONS handshake.
// Events whose topic and tenant are not an allowed source are refused (403); a failed event answers 500 so
// Event Grid redelivers the batch (processed events are no-ops the second time).
import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import type { TokenValidator } from "../auth/caller";
import type { HttpRequestLike, HttpResult } from "../http/httpTypes";
import { toProblemResponse } from "../http/problem";
import { readJsonBody } from "../http/readJsonBody";
import type { Logger } from "../logging/logger";
import type { RevocationHandler } from "./handleResourceEvent";
import type { EventParser } from "./model";
import { isAllowedTopic, untrustedReason, type TrustOptions } from "./trust";

/** Event Grid's first-party application: the only caller of the webhook. */
export const EVENT_GRID_APP_ID = "4962773b-9cdb-44cf-a8bf-237846a00ab7";
/** The API's app role granted to Event Grid's service principal (infra/app/entraApps.bicep). */
export const WEBHOOK_ROLE = "AzureEventGridSecureWebhookSubscriber";
/** Event Grid batches are at most 1 MB (preferredBatchSizeInKilobytes ≤ 1024). */
const MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

export interface EventsWebhookDeps {
  getTokenValidator(): TokenValidator;
  getHandler(logger: Logger): RevocationHandler;
  getParser(): EventParser;
  getTrust(): TrustOptions;
}

export type EventsWebhook = (request: HttpRequestLike, logger: Logger) => Promise<HttpResult>;

export function createEventsWebhook(deps: EventsWebhookDeps): EventsWebhook {
  return async (request, logger) => {
    const correlationId = randomUUID();
    const problem = (error: unknown) => toProblemResponse(error, { correlationId, instance: new URL(request.url).pathname });
    try {
      if (request.method.toUpperCase() === "OPTIONS") return abuseProtection(request);
      // Every POST carries Event Grid's token, the handshake too: nothing is read or answered before it checks.
      const caller = await deps.getTokenValidator().validate(request.headers.get("authorization"));
      if (!caller.ok) return problem(caller.error);
      if (caller.value.appId?.toLowerCase() !== EVENT_GRID_APP_ID || !caller.value.roles.includes(WEBHOOK_ROLE)) {
        return problem(new AppError("forbidden", "NotEventGrid", `Only Event Grid (app ${EVENT_GRID_APP_ID}) holding the ${WEBHOOK_ROLE} role may deliver events here.`));
      }
      const body = await readJsonBody(asJsonRequest(request), { maxBytes: MAX_BODY_BYTES });
      if (!body.ok) return problem(body.error);
      const delivery = await deps.getParser().parseDelivery(body.value);
      const trust = deps.getTrust();
      if (delivery.kind === "validation") {
        if (!isAllowedTopic(delivery.topic, trust)) return problem(new AppError("forbidden", "EventSourceNotAllowed", `Topic ${delivery.topic} is not an allowed event source.`));
        logger.info("event subscription validated", { topic: delivery.topic });
        return json(200, { validationResponse: delivery.validationCode });
      }
      for (const event of delivery.events) {
        const why = untrustedReason(event, "webhook", trust);
        if (why) {
          logger.warn("events refused", { eventId: event.id, topic: event.topic, reason: why });
          return problem(new AppError("forbidden", "EventSourceNotAllowed", `Event ${event.id} refused: ${why}.`));
        }
      }
      const handler = deps.getHandler(logger);
      // One after the other, as the Functions extension's trigger would: a failure stops the batch (500, redelivered).
      for (const event of delivery.events) await handler.handle(event);
      return { status: 200, headers: { "x-correlation-id": correlationId } };
    } catch (error) {
      logger.error("events delivery failed", { correlationId, error: error instanceof AppError ? error.code : "Unexpected" });
      return problem(error);
    }
  };
}

/** CloudEvents abuse protection: consent to Event Grid's origin (no data is read or returned). */
function abuseProtection(request: HttpRequestLike): HttpResult {
  const origin = request.headers.get("webhook-request-origin")?.trim();
  if (!origin) return { status: 400, headers: {} };
  const headers: Record<string, string> = { "webhook-allowed-origin": origin, allow: "POST, OPTIONS" };
  if (request.headers.get("webhook-request-rate")) headers["webhook-allowed-rate"] = "*";
  return { status: 200, headers };
}

/** CloudEvents deliveries are application/cloudevents(-batch)+json: JSON all the same. */
function asJsonRequest(request: HttpRequestLike): Pick<HttpRequestLike, "headers" | "body"> {
  return {
    body: request.body,
    headers: {
      get(name) {
        const value = request.headers.get(name);
        if (name.toLowerCase() !== "content-type" || value === null) return value;
        return value.replace(/^\s*application\/cloudevents(-batch)?\+json/i, "application/json");
      },
    },
  };
}

function json(status: number, body: unknown): HttpResult {
  return { status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
}

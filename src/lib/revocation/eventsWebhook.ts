// POST /api/events: Resource events of other tenants' system topics, delivered by Event Grid with an Entra
// token (audience: the API; issuer: the app's tenant; appid: Event Grid's first-party app, holding the API's
// AzureEventGridSecureWebhookSubscriber role, as infra/app/entraApps.bicep grants it). Event Grid schema and
// CloudEvents 1.0; the SubscriptionValidationEvent handshake (200) and the CloudEvents OPTIONS handshake.
// Events whose topic and tenant are not an allowed source are refused (403); a failed event answers 500 so
// Event Grid redelivers the batch (processed events are no-ops the second time). A delivery is bounded: 1 MB and
// 5,000 events (Event Grid's own maxima), refused whole (413) before any event is parsed or handled.
import { randomUUID } from "node:crypto";
import { AppError, isAppError } from "../errors";
import type { TokenValidator } from "../auth/caller";
import type { HttpRequestLike, HttpResult } from "../http/httpTypes";
import { toProblemResponse } from "../http/problem";
import { readJsonBody } from "../http/readJsonBody";
import type { Logger } from "../logging/logger";
import type { RevocationHandler } from "./handleResourceEvent";
import type { EventParser, ResourceEvent } from "./model";
import { isAllowedTopic, untrustedReason, type TrustOptions } from "./trust";

/** Event Grid's first-party application: the only caller of the webhook. */
export const EVENT_GRID_APP_ID = "4962773b-9cdb-44cf-a8bf-237846a00ab7";
/** The API's app role granted to Event Grid's service principal (infra/app/entraApps.bicep). */
export const WEBHOOK_ROLE = "AzureEventGridSecureWebhookSubscriber";
/** Event Grid batches are at most 1 MB (preferredBatchSizeInKilobytes ≤ 1024). */
export const MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;
/** Event Grid's maxEventsPerBatch is 1–5,000: a longer delivery is not Event Grid's, and is refused unread. */
export const MAX_EVENTS_PER_DELIVERY = 5_000;
/**
 * Events of one delivery handled at once. One after the other, a full batch of events that each cost a registry
 * lookup (~10–30 ms on Table Storage) would outlive Event Grid's 30 s delivery timeout; 16 keeps it well within
 * it while one delivery cannot flood ARM's or Table Storage's request budgets.
 */
export const EVENT_CONCURRENCY = 16;

export interface EventsWebhookDeps {
  getTokenValidator(): TokenValidator;
  getHandler(logger: Logger): RevocationHandler;
  getParser(): EventParser;
  getTrust(): TrustOptions;
  /** Events handled at once (default EVENT_CONCURRENCY; 1 = one after the other). */
  concurrency?: number;
}

export type EventsWebhook = (request: HttpRequestLike, logger: Logger) => Promise<HttpResult>;

export function createEventsWebhook(deps: EventsWebhookDeps): EventsWebhook {
  return async (request, logger) => {
    const correlationId = randomUUID();
    const problem = (error: unknown) => toProblemResponse(error, { correlationId, instance: new URL(request.url).pathname });
    try {
      if (request.method.toUpperCase() === "OPTIONS") return abuseProtection(request) ?? problem(new AppError("validation", "MissingWebhookRequestOrigin", "A CloudEvents abuse-protection request names its origin in WebHook-Request-Origin."));
      // Every POST carries Event Grid's token, the handshake too: nothing is read or answered before it checks.
      const caller = await deps.getTokenValidator().validate(request.headers.get("authorization"));
      if (!caller.ok) return problem(caller.error);
      if (caller.value.appId?.toLowerCase() !== EVENT_GRID_APP_ID || !caller.value.roles.includes(WEBHOOK_ROLE)) {
        return problem(new AppError("forbidden", "NotEventGrid", `Only Event Grid (app ${EVENT_GRID_APP_ID}) holding the ${WEBHOOK_ROLE} role may deliver events here.`));
      }
      const body = await readJsonBody(asJsonRequest(request), { maxBytes: MAX_BODY_BYTES });
      if (!body.ok) return problem(body.error);
      const count = Array.isArray(body.value) ? body.value.length : 1;
      if (count > MAX_EVENTS_PER_DELIVERY) {
        logger.warn("events refused: too many in one delivery", { count });
        return problem(new AppError("tooLarge", "TooManyEvents", `A delivery holds at most ${MAX_EVENTS_PER_DELIVERY} events (Event Grid's maxEventsPerBatch); this one has ${count}.`));
      }
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
      // Every decision is made on live state, so events need no order. Any failure fails the whole delivery (Event
      // Grid redelivers the batch): events already handled are no-ops then (ledger: duplicate; no candidates:
      // registry reads only). Copies of one event ID (the ledger's key) go one after the other, never side by side.
      await handleAll(groupById(delivery.events), deps.concurrency ?? EVENT_CONCURRENCY, async (copies) => {
        for (const event of copies) await handler.handle(event);
      }).catch((error: unknown) => {
        throw redeliverable(error);
      });
      return { status: 200, headers: { "x-correlation-id": correlationId } };
    } catch (error) {
      logger.error("events delivery failed", { correlationId, error: error instanceof AppError ? error.code : "Unexpected" });
      return problem(error);
    }
  };
}

/**
 * At most `limit` events in flight. After the first failure no further event starts, and the delivery answers only
 * once those in flight have settled: nothing keeps running after the response (the host may freeze or recycle).
 */
async function handleAll<T>(items: readonly T[], limit: number, handle: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await handle(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

function groupById(events: readonly ResourceEvent[]): ResourceEvent[][] {
  const groups = new Map<string, ResourceEvent[]>();
  for (const event of events) {
    const group = groups.get(event.id);
    if (group) group.push(event);
    else groups.set(event.id, [event]);
  }
  return [...groups.values()];
}

/**
 * Event Grid retries every failed delivery except 400 and 413, which it drops (or dead-letters): an event that
 * failed with a validation or size error of a port (e.g. Kusto rejecting the DELETE) must still be redelivered.
 */
function redeliverable(error: unknown): unknown {
  if (!isAppError(error) || (error.kind !== "validation" && error.kind !== "tooLarge")) return error;
  return new AppError("internal", "EventNotHandled", `An event of this delivery failed (${error.code}); redeliver it.`, { cause: error });
}

/** CloudEvents abuse protection: consent to Event Grid's origin (no data is read or returned). */
function abuseProtection(request: HttpRequestLike): HttpResult | undefined {
  const origin = request.headers.get("webhook-request-origin")?.trim();
  if (!origin) return undefined;
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

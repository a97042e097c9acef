// POST /api/events: the Entra-protected webhook for other tenants' system topics (Event Grid's token is
// validated in code, hence authLevel anonymous); OPTIONS is the CloudEvents abuse-protection handshake.
import { app, type HttpHandler } from "@azure/functions";
import { createInvocationLogger } from "../lib/http/invocationLogger";
import { createEventsWebhook, type EventsWebhookDeps } from "../lib/revocation/eventsWebhook";
import { getRoot } from "./root";

/** The handler over any dependencies (tests inject fakes). */
export function createEventsHandler(deps: EventsWebhookDeps): HttpHandler {
  const webhook = createEventsWebhook(deps);
  return (request, context) => webhook(request, createInvocationLogger(context));
}

export const eventsHandler = createEventsHandler({
  getTokenValidator: () => getRoot().tokenValidator,
  getHandler: (logger) => getRoot().revocation.handlerFor(logger),
  getParser: () => getRoot().revocation.parser,
  getTrust: () => getRoot().revocation.trust,
});

app.http("events", { methods: ["POST", "OPTIONS"], authLevel: "anonymous", route: "events", handler: eventsHandler });

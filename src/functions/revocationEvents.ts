// Event Grid trigger of the Kusto side's system topic (infra/app/revocationEvents.bicep targets this name):
// one Resource event per invocation into the revocation use case. A failure rethrows: the host answers 500
// and Event Grid redelivers (processed events are no-ops the second time).
import { app, type InvocationContext } from "@azure/functions";
import { createInvocationLogger } from "../lib/http/invocationLogger";
import { handleTriggerEvent } from "../lib/revocation/revocationTrigger";
import { getRoot } from "./root";

export async function revocationEvents(event: unknown, context: InvocationContext): Promise<void> {
  const logger = createInvocationLogger(context);
  const { handlerFor, parser, trust } = getRoot().revocation;
  await handleTriggerEvent({ handler: handlerFor(logger), parser, trust }, event, logger);
}

app.eventGrid("revocationEvents", { handler: revocationEvents });

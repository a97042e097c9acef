// The Event Grid trigger's use case: parse the one event the host hands over, check it is trusted (the app's
// tenant or an allowed source), process it. Untrusted events are logged and dropped (retrying cannot make them
// trusted); failures rethrow so the host answers 500 and Event Grid redelivers.
import type { Logger } from "../logging/logger";
import type { EventOutcome, RevocationHandler } from "./handleResourceEvent";
import type { EventParser } from "./model";
import { untrustedReason, type TrustOptions } from "./trust";

export interface RevocationTriggerDeps {
  handler: RevocationHandler;
  parser: EventParser;
  trust: TrustOptions;
}

export async function handleTriggerEvent(deps: RevocationTriggerDeps, rawEvent: unknown, logger: Logger): Promise<EventOutcome | undefined> {
  const event = await deps.parser.parseEvent(rawEvent);
  const why = untrustedReason(event, "trigger", deps.trust);
  if (why) {
    logger.warn("event dropped: not from a trusted source", { eventId: event.id, topic: event.topic, reason: why });
    return undefined;
  }
  const outcome = await deps.handler.handle(event);
  if (outcome.status !== "ignored" && outcome.status !== "noCandidates") {
    logger.info("revocation event", { eventId: event.id, status: outcome.status, deleted: outcome.deleted.length, kept: outcome.kept.length, reported: outcome.reported.length });
  }
  return outcome;
}

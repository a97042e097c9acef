// The per-event context of revocation: clock, IDs, logger, the system actor and what the journal and
// notifications say about the event (its ID, ARM's correlation ID, who performed the deletion).
import { createHash, randomUUID } from "node:crypto";
import { silentLogger, type Logger } from "../logging/logger";
import type { CallerRef } from "../connections/model";
import type { RevocationDeps } from "./deps";
import type { EventActor, ResourceEvent } from "./model";

export const revocationActor = { system: "revocation" } as const;

export interface EventContext {
  event: ResourceEvent;
  /** ARM's correlation ID of the deletion (else the event ID). */
  correlationId: string;
  deletedBy: EventActor;
  /** Stamped into the operation IDs this event starts, so its redelivery recognises its own claims. */
  tag: string;
  now(): string;
  newId(): string;
  logger: Logger;
  /** The app's identity: it sends the DELETE, so it is the record's updater. */
  updatedBy: CallerRef;
}

export function eventContextOf(deps: RevocationDeps, event: ResourceEvent): EventContext {
  const now = deps.now ?? (() => new Date());
  return {
    event,
    correlationId: event.data?.correlationId || event.id,
    deletedBy: event.data?.actor ?? {},
    tag: eventTag(event.id),
    now: () => now().toISOString(),
    newId: deps.newId ?? randomUUID,
    logger: deps.logger ?? silentLogger,
    updatedBy: { tenantId: deps.settings.appTenantId ?? "", objectId: deps.settings.appPrincipalId ?? "", name: "revocation" },
  };
}

/** A short, stable tag of an event ID (letters and digits: it goes into operation IDs). */
export function eventTag(eventId: string): string {
  return `rv${createHash("sha256").update(eventId).digest("hex").slice(0, 16)}`;
}

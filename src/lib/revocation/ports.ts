// Ports of revocation shared with the audit: events that could not be processed are recorded, not lost.

/** An event that failed repeatedly (Event Grid will dead-letter it); the audit reports these. */
export interface FailedEvent {
  eventId: string;
  eventType: string;
  subject: string;
  /** Topic / source of the event (which subscription or tenant it came from). */
  topic: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  lastError: { code: string; message: string };
}

export interface FailedEventStore {
  /** Counts a failed attempt of an event; returns the record with its attempt count. */
  recordFailure(event: Omit<FailedEvent, "attempts" | "firstFailedAt" | "lastFailedAt">): Promise<FailedEvent>;
  /** Events whose attempts reached the dead-letter threshold, newest first. */
  listDeadLettered(options: { since?: string; limit: number }): Promise<FailedEvent[]>;
}

// ---- added by issue 5 (revocation) ------------------------------------------------------------------

/** Confirms a source deletion live: a GET of the resource with its provider's api-version. */
export interface SourceReader {
  /** False on 404 (gone, or its parent is); AppError on any other failure (the event is then retried). */
  exists(tenantId: string, resourceId: string): Promise<boolean>;
}

/** What claiming an event in the ledger found. */
export type EventClaim =
  /** This invocation processes it; `token` completes or releases the claim. */
  | { status: "acquired"; token: string }
  /** Already processed (a duplicate or a replay): a no-op. */
  | { status: "processed" }
  /** Another invocation holds a live lease on it (its own delivery is retried if it fails). */
  | { status: "leased"; until: string };

/** De-duplicates events by ID: insert-if-absent, with a lease so concurrent deliveries process an event once. */
export interface EventLedger {
  claim(eventId: string, options: { leaseInMs: number }): Promise<EventClaim>;
  /** Marks the event processed; later claims answer "processed". */
  complete(eventId: string, token: string, summary: string): Promise<void>;
  /** Gives the lease up after a failure so the redelivery can claim the event at once. Never throws. */
  release(eventId: string, token: string): Promise<void>;
}

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

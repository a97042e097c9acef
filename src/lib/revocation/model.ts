// What revocation reads from an Event Grid delivery, free of the SDK's types: the adapter in
// src/lib/azure/eventGridEvents.ts parses both schemas into these.

/** Who performed the ARM operation, from the event's `data.claims` (the deleter's token claims). */
export interface EventActor {
  objectId?: string;
  appId?: string;
  tenantId?: string;
  /** upn / unique name / display name, when the token had one. */
  name?: string;
}

/** The `data` of a `Microsoft.Resources.Resource*` event (the fields revocation uses). */
export interface ResourceEventData {
  operationName: string;
  resourceUri: string;
  /** Tenant the operation happened in. */
  tenantId: string;
  subscriptionId: string;
  /** ARM's correlation ID of the operation (journal and notifications carry it). */
  correlationId: string;
  status?: string;
  actor: EventActor;
}

export interface ResourceEvent {
  id: string;
  /** eventType (Event Grid schema) or type (CloudEvents). */
  type: string;
  /** topic (Event Grid schema) or source (CloudEvents): `/subscriptions/{id}` or a resource group. */
  topic: string;
  subject: string;
  time: string;
  schema: "EventGrid" | "CloudEvents";
  /** Set for Microsoft.Resources.Resource{Write,Delete,Action}{Success,Failure,Cancel} events. */
  data?: ResourceEventData;
}

/** A delivery to the webhook: the validation handshake, or events. */
export type EventDelivery =
  | { kind: "validation"; validationCode: string; topic: string }
  | { kind: "events"; events: ResourceEvent[] };

/** Parses deliveries (implemented with @azure/eventgrid's deserializers in src/lib/azure). */
export interface EventParser {
  /** A webhook body: an array (or one object) of Event Grid or CloudEvents events. Throws AppError validation. */
  parseDelivery(body: unknown): Promise<EventDelivery>;
  /** One event as the Event Grid trigger hands it to the function. Throws AppError validation. */
  parseEvent(event: unknown): Promise<ResourceEvent>;
}

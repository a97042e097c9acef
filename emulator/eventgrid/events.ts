// Builds the events Event Grid delivers: ARM's Microsoft.Resources.Resource*Success events (Event Grid
// schema and CloudEvents 1.0, shaped as in shared/reference/eventgrid) and the validation event.
import { randomUUID } from "node:crypto";
import type { ArmOperationRecord } from "../arm/contract";

export type DeliverySchema = "EventGridSchema" | "CloudEventSchemaV1_0";

/** The event in a schema-neutral form; `toWire` renders it in a subscription's delivery schema. */
export interface NeutralEvent {
  id: string;
  /** Source topic: `/subscriptions/{id}` or `/subscriptions/{id}/resourceGroups/{rg}` (or a custom topic's ID). */
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: Record<string, unknown>;
  dataVersion: string;
}

/** The `data` of a Resource*Success event, in the docs' property order, plus the SDK's `resourceGroup`. */
export function toResourceEventData(op: ArmOperationRecord): Record<string, unknown> {
  const data: Record<string, unknown> = {
    authorization: { scope: op.authorization.scope, action: op.authorization.action, evidence: { ...op.authorization.evidence } },
    claims: { ...op.caller.claims },
    correlationId: op.correlationId,
    httpRequest: { ...op.httpRequest },
    resourceProvider: op.resourceProvider,
    resourceUri: op.resourceUri,
    operationName: op.operationName,
    status: "Succeeded",
    subscriptionId: op.subscriptionId,
    tenantId: op.tenantId,
  };
  // @azure/eventgrid declares resourceGroup (the docs' samples lack it); subscription-level operations have none.
  if (op.resourceGroup !== undefined) data.resourceGroup = op.resourceGroup;
  return data;
}

export function toResourceEvent(op: ArmOperationRecord, topic: string, id: string = randomUUID()): NeutralEvent {
  return {
    id,
    topic,
    subject: op.resourceUri,
    eventType: op.eventType,
    eventTime: op.time.toISOString(),
    data: toResourceEventData(op),
    dataVersion: "2",
  };
}

/** Event Grid schema, keys in the order of the reference sample. */
export function toEventGridSchema(e: NeutralEvent): Record<string, unknown> {
  return {
    subject: e.subject,
    eventType: e.eventType,
    eventTime: e.eventTime,
    id: e.id,
    data: e.data,
    dataVersion: e.dataVersion,
    metadataVersion: "1",
    topic: e.topic,
  };
}

/** CloudEvents 1.0 (structured JSON), as Event Grid renders system events: no dataVersion/metadataVersion. */
export function toCloudEvent(e: NeutralEvent): Record<string, unknown> {
  return { subject: e.subject, source: e.topic, type: e.eventType, time: e.eventTime, id: e.id, data: e.data, specversion: "1.0" };
}

export function toWire(e: NeutralEvent, schema: DeliverySchema): Record<string, unknown> {
  return schema === "CloudEventSchemaV1_0" ? toCloudEvent(e) : toEventGridSchema(e);
}

/** The SubscriptionValidationEvent array, shaped as shared/reference/eventgrid/SubscriptionValidationEvent.json. */
export function toValidationEvent(input: { topic: string; validationCode: string; validationUrl: string; now: Date }): Record<string, unknown>[] {
  return [
    {
      id: randomUUID(),
      topic: input.topic,
      subject: "",
      data: { validationCode: input.validationCode, validationUrl: input.validationUrl },
      eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
      eventTime: input.now.toISOString(),
      metadataVersion: "1",
      dataVersion: "1",
    },
  ];
}

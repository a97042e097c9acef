// EventParser over @azure/eventgrid: deliveries in the Event Grid schema or CloudEvents 1.0, deserialized by the
// SDK (which checks the envelope), recognised with isSystemEvent, and mapped to revocation's own model.
import { EventGridDeserializer, isSystemEvent, type CloudEvent, type EventGridEvent } from "@azure/eventgrid";
import { AppError } from "../errors";
import type { EventActor, EventDelivery, EventParser, ResourceEvent, ResourceEventData } from "../revocation/model";

const deserializer = new EventGridDeserializer();
const VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";
const RESOURCES = /^Microsoft\.Resources\.Resource(Write|Delete|Action)(Success|Failure|Cancel)$/i;

type AnyEvent = EventGridEvent<unknown> | CloudEvent<unknown>;

export function createEventGridParser(): EventParser {
  return {
    async parseDelivery(body) {
      const events = await deserialize(body);
      const first = events[0];
      // The handshake comes in the Event Grid schema (CloudEvents subscriptions use OPTIONS instead).
      if (first && !isCloudEvent(first) && isSystemEvent(VALIDATION, first)) {
        const code = first.data.validationCode;
        if (typeof code !== "string" || code === "") throw invalid("The validation event has no validationCode.");
        const delivery: EventDelivery = { kind: "validation", validationCode: code, topic: first.topic ?? "" };
        return delivery;
      }
      const delivery: EventDelivery = { kind: "events", events: events.map(toResourceEvent) };
      return delivery;
    },
    async parseEvent(event) {
      const [parsed] = await deserialize(event);
      if (!parsed) throw invalid("The trigger delivered no event.");
      return toResourceEvent(parsed);
    },
  };
}

async function deserialize(body: unknown): Promise<AnyEvent[]> {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) return [];
  if (!list.every((e) => typeof e === "object" && e !== null)) throw invalid("A delivery is a JSON array of event objects.");
  // CloudEvents name their schema version; Event Grid schema events their metadataVersion.
  const cloud = list.some((e) => "specversion" in (e as object));
  try {
    // The SDK takes an object or an array (typed as a record); it validates the envelope of each event.
    const input = list as unknown as Record<string, unknown>;
    return cloud ? await deserializer.deserializeCloudEvents(input) : await deserializer.deserializeEventGridEvents(input);
  } catch (error) {
    throw invalid(`Not a valid ${cloud ? "CloudEvents 1.0" : "Event Grid"} delivery: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isCloudEvent(event: AnyEvent): event is CloudEvent<unknown> {
  return "source" in event && "specversion" in event;
}

function toResourceEvent(event: AnyEvent): ResourceEvent {
  const cloud = isCloudEvent(event);
  const type = cloud ? (event as CloudEvent<unknown>).type : (event as EventGridEvent<unknown>).eventType;
  const base: ResourceEvent = {
    id: event.id,
    type,
    topic: cloud ? (event as CloudEvent<unknown>).source : ((event as EventGridEvent<unknown>).topic ?? ""),
    subject: event.subject ?? "",
    time: cloud ? String((event as CloudEvent<unknown>).time ?? "") : String((event as EventGridEvent<unknown>).eventTime ?? ""),
    schema: cloud ? "CloudEvents" : "EventGrid",
  };
  if (!RESOURCES.test(type)) return base;
  const data = toResourceData(event.data);
  return data ? { ...base, data } : base;
}

function toResourceData(raw: unknown): ResourceEventData | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const d = raw as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const operationName = str(d.operationName);
  // ARM IDs never carry surrounding whitespace: trimmed here, so the trust check, the candidates, the live GET of
  // the assignment and the "still granted" comparison all look at the same ID.
  const resourceUri = str(d.resourceUri)?.trim();
  if (!operationName || !resourceUri) return undefined;
  const status = str(d.status);
  return {
    operationName,
    resourceUri,
    tenantId: str(d.tenantId) ?? "",
    subscriptionId: str(d.subscriptionId) ?? "",
    correlationId: str(d.correlationId) ?? "",
    ...(status ? { status } : {}),
    actor: actorOf(d.claims),
  };
}

const CLAIM = {
  oid: "http://schemas.microsoft.com/identity/claims/objectidentifier",
  tid: "http://schemas.microsoft.com/identity/claims/tenantid",
  upn: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
  name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
};

/** Who deleted: ARM's claims use the long WS-Fed names (and the short ones for some); no token, just identifiers. */
export function actorOf(claims: unknown): EventActor {
  if (typeof claims !== "object" || claims === null) return {};
  const c = claims as Record<string, unknown>;
  const pick = (...names: string[]) => names.map((n) => c[n]).find((v): v is string => typeof v === "string" && v !== "");
  const objectId = pick(CLAIM.oid, "oid");
  const appId = pick("appid", "azp");
  const tenantId = pick(CLAIM.tid, "tid");
  const name = pick(CLAIM.upn, "upn", "unique_name", CLAIM.name, "name", "app_displayname");
  return { ...(objectId ? { objectId } : {}), ...(appId ? { appId } : {}), ...(tenantId ? { tenantId } : {}), ...(name ? { name } : {}) };
}

function invalid(message: string): AppError {
  return new AppError("validation", "InvalidEventDelivery", message);
}

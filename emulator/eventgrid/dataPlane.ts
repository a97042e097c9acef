// Custom-topic publishing (what EventGridPublisherClient sends): POST {endpoint}?api-version=2018-01-01
// with an Entra bearer token (audience https://eventgrid.azure.net, data action events/send/action) or an
// aeg-sas-key; Event Grid or CloudEvents schema, validated, then kept per topic for the admin API.
import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { EmulatorContext, TokenService } from "../arm/contract";
import { ArmError } from "../arm/contract";
import type { ResourceRecord } from "../world/types";
import type { World } from "../world/world";

export const EVENT_GRID_AUDIENCES = ["https://eventgrid.azure.net", "https://eventgrid.azure.net/"] as const;
export const SEND_DATA_ACTION = "Microsoft.EventGrid/events/send/action";
/** Event Grid rejects publish requests over 1 MB. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface PublishedEvent {
  topicId: string;
  topicName: string;
  schema: "EventGridSchema" | "CloudEventSchemaV1_0";
  receivedAt: string;
  /** Principal that published (bearer) or "SAS key". */
  publisher: string;
  event: Record<string, unknown>;
}

export interface DataPlaneDeps {
  world: World;
  tokens: TokenService;
  rbac: EmulatorContext["rbac"] | undefined;
  topicKeys(topicId: string): { key1: string; key2: string };
  now(): number;
  store(events: PublishedEvent[]): void;
}

const PATH = /^\/eventgrid\/topics\/([^/]+)\/api\/events\/?$/i;

export async function handleTopicPublish(deps: DataPlaneDeps, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const match = PATH.exec(url.pathname);
  if (!match) return false;
  try {
    if (req.method !== "POST") throw new DataPlaneError(405, "MethodNotAllowed", `The requested resource does not support http method '${req.method ?? ""}'.`);
    const name = decodeURIComponent(match[1] as string);
    const topic = deps.world.listByType("Microsoft.EventGrid/topics").find((t) => String(t.body.name).toLowerCase() === name.toLowerCase());
    if (!topic) throw new DataPlaneError(404, "NotFound", `The topic '${name}' was not found.`);
    const publisher = await authenticate(deps, req, topic);
    if (body.length > MAX_REQUEST_BYTES) throw new DataPlaneError(413, "RequestEntityTooLarge", "The maximum size for the request is 1 MB.");
    const props = topic.body.properties as Record<string, unknown>;
    const schema = props.inputSchema === "CloudEventSchemaV1_0" ? "CloudEventSchemaV1_0" : "EventGridSchema";
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new DataPlaneError(400, "BadRequest", "The request body is not valid JSON.");
    }
    const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
    const events = schema === "CloudEventSchemaV1_0" ? validateCloudEvents(parsed, contentType) : validateEventGridEvents(parsed, topic.id);
    const receivedAt = new Date(deps.now()).toISOString();
    deps.store(events.map((event) => ({ topicId: topic.id, topicName: String(topic.body.name), schema, receivedAt, publisher, event })));
    res.writeHead(200, { "content-length": "0" });
    res.end();
  } catch (e) {
    const err = e instanceof DataPlaneError ? e : e instanceof ArmError ? new DataPlaneError(e.status, e.code, e.message) : new DataPlaneError(500, "InternalServerError", String(e));
    const payload = JSON.stringify({ error: { code: err.code, message: err.message } });
    res.writeHead(err.status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) });
    res.end(payload);
  }
  return true;
}

class DataPlaneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function authenticate(deps: DataPlaneDeps, req: IncomingMessage, topic: ResourceRecord): Promise<string> {
  const authorization = req.headers.authorization;
  const sasKey = req.headers["aeg-sas-key"];
  const props = topic.body.properties as Record<string, unknown>;
  if (typeof authorization === "string" && /^bearer /i.test(authorization)) {
    let caller;
    try {
      caller = await deps.tokens.verify(authorization.slice(7).trim(), EVENT_GRID_AUDIENCES);
    } catch (e) {
      throw new DataPlaneError(401, "Unauthorized", `The bearer token is not valid: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Without an RBAC evaluator the emulator cannot check the data action; it refuses rather than allow everyone.
    if (!deps.rbac) throw new DataPlaneError(500, "InternalServerError", "Emulator misconfigured: EventGridOptions.rbac is required for bearer publishing.");
    if (!deps.rbac.isAllowed({ objectId: caller.objectId }, SEND_DATA_ACTION, topic.id, "dataAction")) {
      throw new DataPlaneError(
        401,
        "Unauthorized",
        `The principal '${caller.objectId}' does not have the required permission '${SEND_DATA_ACTION}' on '${topic.id}'.`,
      );
    }
    return caller.objectId;
  }
  if (typeof sasKey === "string") {
    if (props.disableLocalAuth === true) throw new DataPlaneError(401, "Unauthorized", "Local authentication (SAS keys) is disabled for this topic.");
    const keys = deps.topicKeys(topic.id);
    if (![keys.key1, keys.key2].some((k) => safeEqual(k, sasKey))) throw new DataPlaneError(401, "Unauthorized", "The request authorization key is not authorized.");
    return "SAS key";
  }
  throw new DataPlaneError(401, "Unauthorized", "Request must contain one of the following authorization headers: aeg-sas-token, aeg-sas-key, Authorization (bearer).");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function validateEventGridEvents(parsed: unknown, topicId: string): Record<string, unknown>[] {
  if (!Array.isArray(parsed)) throw new DataPlaneError(400, "BadRequest", "The request body must be a JSON array of events.");
  return parsed.map((raw, i) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new DataPlaneError(400, "BadRequest", `Event ${i} is not an object.`);
    const e = raw as Record<string, unknown>;
    for (const field of ["id", "subject", "eventType", "eventTime", "dataVersion"]) {
      if (typeof e[field] !== "string" || (field !== "dataVersion" && e[field] === "")) {
        throw new DataPlaneError(400, "BadRequest", `Required property '${field}' was not set (event ${i}).`);
      }
    }
    if (Number.isNaN(Date.parse(String(e.eventTime)))) throw new DataPlaneError(400, "BadRequest", `eventTime of event ${i} is not a valid date-time.`);
    if (typeof e.topic === "string" && e.topic !== "" && e.topic.toLowerCase() !== topicId.toLowerCase()) {
      throw new DataPlaneError(400, "BadRequest", `The topic '${e.topic}' of event ${i} does not match the topic the event was published to.`);
    }
    // Event Grid stamps the topic and metadataVersion on what it accepts.
    return { ...e, topic: topicId, metadataVersion: "1" };
  });
}

function validateCloudEvents(parsed: unknown, contentType: string): Record<string, unknown>[] {
  const batch = contentType.startsWith("application/cloudevents-batch+json");
  const single = contentType.startsWith("application/cloudevents+json");
  if (!batch && !single) {
    throw new DataPlaneError(400, "BadRequest", `Content-Type '${contentType}' is not valid for CloudEvents; use application/cloudevents-batch+json.`);
  }
  const events = batch ? parsed : [parsed];
  if (!Array.isArray(events)) throw new DataPlaneError(400, "BadRequest", "The request body must be a JSON array of CloudEvents.");
  return events.map((raw, i) => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new DataPlaneError(400, "BadRequest", `Event ${i} is not an object.`);
    const e = raw as Record<string, unknown>;
    for (const field of ["id", "source", "type", "specversion"]) {
      if (typeof e[field] !== "string" || e[field] === "") throw new DataPlaneError(400, "BadRequest", `Required attribute '${field}' was not set (event ${i}).`);
    }
    if (e.specversion !== "1.0") throw new DataPlaneError(400, "BadRequest", `specversion '${String(e.specversion)}' is not supported (1.0).`);
    return e;
  });
}

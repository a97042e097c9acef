// Microsoft.EventGrid ARM routes: system topics (Azure subscription / resource group sources), their
// event subscriptions (validated by handshake in a long-running operation), and custom topics.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { ArmRequest, ArmResponse, EmulatorContext, ResourceProvider, RouteDefinition } from "../arm/contract";
import { ArmError } from "../arm/contract";
import type { ResourceRecord } from "../world/types";
import type { DeliveryEngine } from "./deliveryEngine";
import { parseSubscriptionBody, resolveTarget, toSubscriptionView } from "./eventSubscriptions";
import type { TargetResolverOptions } from "./eventSubscriptions";
import { runHandshake } from "./handshake";

/** Real api-versions of Microsoft.EventGrid (azure-rest-api-specs, stable and preview). */
export const EVENT_GRID_API_VERSIONS = [
  "2020-06-01",
  "2021-12-01",
  "2022-06-15",
  "2023-06-01-preview",
  "2023-12-15-preview",
  "2024-06-01-preview",
  "2024-12-15-preview",
  "2025-02-15",
] as const;

export const SYSTEM_TOPIC_TYPES = {
  subscriptions: "Microsoft.Resources.Subscriptions",
  resourceGroups: "Microsoft.Resources.ResourceGroups",
} as const;

const RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.EventGrid";
const SUB = "/subscriptions/{subscriptionId}/providers/Microsoft.EventGrid";
const SYSTEM_TOPIC = `${RG}/systemTopics/{systemTopicName}`;
const EVENT_SUBSCRIPTION = `${SYSTEM_TOPIC}/eventSubscriptions/{eventSubscriptionName}`;
const TOPIC = `${RG}/topics/{topicName}`;

export interface ProviderDeps extends TargetResolverOptions {
  engine: DeliveryEngine;
  origin(): string;
  ca?: string | string[];
}

/** Custom-topic data-plane path; the topic's `endpoint` property points here. */
export function topicEndpoint(origin: string, topicName: string): string {
  return `${origin}/eventgrid/topics/${encodeURIComponent(topicName)}/api/events`;
}

export function createEventGridProvider(deps: ProviderDeps): { provider: ResourceProvider; topicKeys(topicId: string): { key1: string; key2: string } } {
  const keySecret = randomBytes(32);
  const topicKeys = (topicId: string): { key1: string; key2: string } => ({
    key1: createHmac("sha256", keySecret).update(`${topicId.toLowerCase()}|key1`).digest("base64"),
    key2: createHmac("sha256", keySecret).update(`${topicId.toLowerCase()}|key2`).digest("base64"),
  });
  const route = (
    method: RouteDefinition["method"],
    path: string,
    action: string,
    handler: RouteDefinition["handler"],
    extra: Partial<RouteDefinition> = {},
  ): RouteDefinition => ({ method, path, apiVersions: EVENT_GRID_API_VERSIONS, action, handler, ...extra });

  const routes: RouteDefinition[] = [
    route("GET", `${SUB}/systemTopics`, "Microsoft.EventGrid/systemTopics/read", (req, ctx) =>
      list(ctx.world.listByType("Microsoft.EventGrid/systemTopics", `/subscriptions/${req.params.subscriptionId}`)),
    ),
    route("GET", `${RG}/systemTopics`, "Microsoft.EventGrid/systemTopics/read", (req, ctx) => list(ctx.world.listByType("Microsoft.EventGrid/systemTopics", rgId(req)))),
    route("GET", SYSTEM_TOPIC, "Microsoft.EventGrid/systemTopics/read", (req, ctx) => ok(mustGet(ctx, req.path, "systemTopics", req.params.systemTopicName))),
    route("PUT", SYSTEM_TOPIC, "Microsoft.EventGrid/systemTopics/write", (req, ctx) => putSystemTopic(req, ctx)),
    route("DELETE", SYSTEM_TOPIC, "Microsoft.EventGrid/systemTopics/delete", (req, ctx) => remove(ctx, req.path)),
    route("GET", `${SYSTEM_TOPIC}/eventSubscriptions`, "Microsoft.EventGrid/systemTopics/eventSubscriptions/read", (req, ctx) => {
      mustGet(ctx, parentOf(req.path), "systemTopics", req.params.systemTopicName);
      return list(ctx.world.listChildren(parentOf(req.path), "eventSubscriptions"));
    }),
    route("GET", EVENT_SUBSCRIPTION, "Microsoft.EventGrid/systemTopics/eventSubscriptions/read", (req, ctx) =>
      ok(mustGet(ctx, req.path, "eventSubscriptions", req.params.eventSubscriptionName)),
    ),
    route("PUT", EVENT_SUBSCRIPTION, "Microsoft.EventGrid/systemTopics/eventSubscriptions/write", (req, ctx) => putEventSubscription(req, ctx)),
    route("DELETE", EVENT_SUBSCRIPTION, "Microsoft.EventGrid/systemTopics/eventSubscriptions/delete", (req, ctx) => {
      deps.endpointUrls.delete(req.path.toLowerCase());
      return remove(ctx, req.path);
    }),
    route("POST", `${EVENT_SUBSCRIPTION}/getFullUrl`, "Microsoft.EventGrid/systemTopics/eventSubscriptions/getFullUrl/action", (req, ctx) => {
      const id = parentOf(req.path);
      const record = mustGet(ctx, id, "eventSubscriptions", req.params.eventSubscriptionName);
      const d = (record.body.properties as { destination: { endpointType: string; properties: Record<string, unknown> } }).destination;
      if (d.endpointType !== "WebHook") throw new ArmError(400, "BadRequest", "getFullUrl applies to WebHook destinations only.");
      return { status: 200, body: { endpointUrl: deps.endpointUrls.get(record.id.toLowerCase()) ?? d.properties.endpointBaseUrl }, event: false };
    }),
    route("GET", `${SUB}/topics`, "Microsoft.EventGrid/topics/read", (req, ctx) =>
      list(ctx.world.listByType("Microsoft.EventGrid/topics", `/subscriptions/${req.params.subscriptionId}`)),
    ),
    route("GET", `${RG}/topics`, "Microsoft.EventGrid/topics/read", (req, ctx) => list(ctx.world.listByType("Microsoft.EventGrid/topics", rgId(req)))),
    route("GET", TOPIC, "Microsoft.EventGrid/topics/read", (req, ctx) => ok(mustGet(ctx, req.path, "topics", req.params.topicName))),
    route("PUT", TOPIC, "Microsoft.EventGrid/topics/write", (req, ctx) => putTopic(req, ctx)),
    route("DELETE", TOPIC, "Microsoft.EventGrid/topics/delete", (req, ctx) => remove(ctx, req.path)),
    route("POST", `${TOPIC}/listKeys`, "Microsoft.EventGrid/topics/listKeys/action", (req, ctx) => {
      const record = mustGet(ctx, parentOf(req.path), "topics", req.params.topicName);
      return { status: 200, body: topicKeys(record.id), event: false };
    }),
  ];

  function putSystemTopic(req: ArmRequest, ctx: EmulatorContext): ArmResponse {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const props = (body.properties ?? {}) as Record<string, unknown>;
    const source = props.source;
    const topicType = props.topicType;
    if (typeof source !== "string" || typeof topicType !== "string") throw new ArmError(400, "BadRequest", "properties.source and properties.topicType are required.");
    const subscriptionId = req.params.subscriptionId as string;
    const sub = "/subscriptions/" + subscriptionId;
    const expected =
      topicType.toLowerCase() === SYSTEM_TOPIC_TYPES.subscriptions.toLowerCase()
        ? /^\/subscriptions\/[^/]+$/i
        : topicType.toLowerCase() === SYSTEM_TOPIC_TYPES.resourceGroups.toLowerCase()
          ? /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i
          : undefined;
    if (!expected) {
      throw new ArmError(400, "BadRequest", `Topic type '${topicType}' is not supported by the emulator (${Object.values(SYSTEM_TOPIC_TYPES).join(", ")}).`);
    }
    if (!expected.test(source) || !source.toLowerCase().startsWith(sub.toLowerCase())) {
      throw new ArmError(400, "BadRequest", `Source '${source}' does not match topic type '${topicType}' in subscription '${subscriptionId}'.`);
    }
    const existing = ctx.world.getResource(req.path);
    const existingSource = (existing?.body.properties as Record<string, unknown> | undefined)?.source;
    if (typeof existingSource === "string" && existingSource.toLowerCase() !== source.toLowerCase()) {
      throw new ArmError(400, "BadRequest", "The source of a system topic cannot be changed.");
    }
    const clash = ctx.world
      .listByType("Microsoft.EventGrid/systemTopics")
      .find((t) => t.id.toLowerCase() !== req.path.toLowerCase() && String((t.body.properties as Record<string, unknown>).source).toLowerCase() === source.toLowerCase());
    if (clash) throw new ArmError(400, "BadRequest", `System topic '${clash.id}' already exists for source '${source}'. Only one system topic is allowed per source.`);
    const record = ctx.world.putResource({
      id: armId(req, "systemTopics", req.params.systemTopicName),
      name: req.params.systemTopicName,
      type: "Microsoft.EventGrid/systemTopics",
      location: typeof body.location === "string" ? body.location : "global",
      tags: body.tags ?? null,
      ...(body.identity ? { identity: body.identity } : {}),
      properties: {
        provisioningState: "Succeeded",
        source,
        topicType: topicType.toLowerCase() === SYSTEM_TOPIC_TYPES.subscriptions.toLowerCase() ? SYSTEM_TOPIC_TYPES.subscriptions : SYSTEM_TOPIC_TYPES.resourceGroups,
        metricResourceId: ((existing?.body.properties as Record<string, unknown> | undefined)?.metricResourceId as string | undefined) ?? randomUUID(),
      },
    });
    return { status: existing ? 200 : 201, body: record.body };
  }

  function putEventSubscription(req: ArmRequest, ctx: EmulatorContext): ArmResponse {
    const topicId = parentOf(parentOf(req.path));
    const topic = ctx.world.getResource(topicId);
    if (!topic) {
      throw new ArmError(404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${req.params.systemTopicName}' not found.`);
    }
    const parsed = parseSubscriptionBody(req.body, topic.id, ctx.world);
    const id = `${topic.id}/eventSubscriptions/${req.params.eventSubscriptionName}`;
    const existing = ctx.world.getResource(id);
    const previousUrl = deps.endpointUrls.get(id.toLowerCase());
    const previous = existing?.body.properties as Record<string, unknown> | undefined;
    const mustValidate =
      !existing ||
      previous?.provisioningState !== "Succeeded" ||
      previousUrl !== parsed.endpointUrl ||
      JSON.stringify(previous?.destination) !== JSON.stringify(parsed.properties.destination) ||
      previous?.eventDeliverySchema !== parsed.properties.eventDeliverySchema;
    parsed.properties.provisioningState = existing ? "Updating" : "Creating";
    const record = ctx.world.putResource({ id, name: req.params.eventSubscriptionName, type: "Microsoft.EventGrid/systemTopics/eventSubscriptions", properties: parsed.properties });
    if (parsed.endpointUrl) deps.endpointUrls.set(id.toLowerCase(), parsed.endpointUrl);
    else deps.endpointUrls.delete(id.toLowerCase());
    const setState = (state: string): void => {
      const current = ctx.world.getResource(id);
      if (!current) return;
      ctx.world.putResource({ ...current.body, properties: { ...(current.body.properties as Record<string, unknown>), provisioningState: state } });
    };
    const webhook = (parsed.properties.destination as { endpointType: string }).endpointType === "WebHook";
    const handle = ctx.lro.start({
      namespace: "Microsoft.EventGrid",
      subscriptionId: req.params.subscriptionId as string,
      location: String(topic.body.location ?? "global"),
      apiVersion: req.apiVersion,
      origin: req.url.origin,
      operationKind: "EventSubscriptionCreateOrUpdate",
      durationInMs: 1000,
      complete: async () => {
        if (webhook && mustValidate) {
          const view = toSubscriptionView(record);
          const result = await runHandshake(
            {
              subscriptionId: id,
              subscriptionName: view.name,
              schema: view.schema,
              topic: String((topic.body.properties as Record<string, unknown>).source ?? topic.id),
              target: await resolveTarget(deps, id),
              validationUrlBase: `${deps.origin()}/eventgrid`,
              apiVersion: req.apiVersion,
              now: new Date(ctx.clock.now()),
              timeoutInMs: deps.engine.attemptTimeoutInMs(),
              ca: deps.ca,
            },
            deps.engine,
          );
          if (!result.ok) {
            setState("Failed");
            throw new ArmError(400, "Url validation", result.message);
          }
        }
        setState("Succeeded");
      },
      fail: () => setState("Failed"),
      finalResult: () => {
        const current = ctx.world.getResource(id);
        return current ? { status: 200, body: current.body } : { status: 404 };
      },
    });
    return { status: existing ? 200 : 201, body: record.body, headers: handle.headers };
  }

  function putTopic(req: ArmRequest, ctx: EmulatorContext): ArmResponse {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const props = (body.properties ?? {}) as Record<string, unknown>;
    if (typeof body.location !== "string") throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
    const inputSchema = props.inputSchema ?? "EventGridSchema";
    if (inputSchema !== "EventGridSchema" && inputSchema !== "CloudEventSchemaV1_0") {
      throw new ArmError(400, "BadRequest", `inputSchema '${String(inputSchema)}' is not supported by the emulator (EventGridSchema, CloudEventSchemaV1_0).`);
    }
    const name = req.params.topicName as string;
    const clash = ctx.world.listByType("Microsoft.EventGrid/topics").find((t) => t.id.toLowerCase() !== req.path.toLowerCase() && String(t.body.name).toLowerCase() === name.toLowerCase());
    // Real topic names are DNS labels unique per region; the emulator's single endpoint makes them unique everywhere.
    if (clash) throw new ArmError(409, "Conflict", `Topic name '${name}' is already in use.`);
    const existing = ctx.world.getResource(req.path);
    const record = ctx.world.putResource({
      id: armId(req, "topics", name),
      name,
      type: "Microsoft.EventGrid/topics",
      location: body.location,
      tags: body.tags ?? null,
      ...(body.identity ? { identity: body.identity } : {}),
      properties: {
        provisioningState: "Succeeded",
        endpoint: topicEndpoint(deps.origin(), name),
        inputSchema,
        metricResourceId: ((existing?.body.properties as Record<string, unknown> | undefined)?.metricResourceId as string | undefined) ?? randomUUID(),
        publicNetworkAccess: props.publicNetworkAccess ?? "Enabled",
        disableLocalAuth: props.disableLocalAuth === true,
        ...(props.minimumTlsVersionAllowed ? { minimumTlsVersionAllowed: props.minimumTlsVersionAllowed } : {}),
      },
    });
    return { status: existing ? 200 : 201, body: record.body };
  }

  return { provider: { namespace: "Microsoft.EventGrid", routes }, topicKeys };
}

function ok(record: ResourceRecord): ArmResponse {
  return { status: 200, body: record.body };
}

function list(records: ResourceRecord[]): ArmResponse {
  return { status: 200, body: { value: records.map((r) => r.body) } };
}

function remove(ctx: EmulatorContext, id: string): ArmResponse {
  const removed = ctx.world.deleteResource(id);
  return removed.length > 0 ? { status: 200 } : { status: 204, event: false };
}

function mustGet(ctx: EmulatorContext, id: string, kind: string, name: string | undefined): ResourceRecord {
  const record = ctx.world.getResource(id);
  if (!record) {
    throw new ArmError(404, "ResourceNotFound", `The Resource 'Microsoft.EventGrid/${kind}/${name ?? ""}' under resource group was not found.`);
  }
  return record;
}

function parentOf(path: string): string {
  return path.replace(/\/+$/, "").replace(/\/[^/]+$/, "");
}

function rgId(req: ArmRequest): string {
  return `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}`;
}

/** The canonical-cased ID (ARM returns its own casing of literal segments, the caller's of names). */
function armId(req: ArmRequest, kind: "systemTopics" | "topics", name: string | undefined): string {
  return `${rgId(req)}/providers/Microsoft.EventGrid/${kind}/${name ?? ""}`;
}

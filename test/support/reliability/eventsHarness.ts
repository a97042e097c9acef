// Revocation's two ingresses over the revocation fakes, for the fuzzing, auth and limit suites: POST /api/events
// (createEventsHandler: the real JWT validator, body reader, @azure/eventgrid parser, trust and use case) and the
// Event Grid trigger's use case (handleTriggerEvent), both over one scene of managed connections whose every port
// call is counted. The scene: connections in the app's tenant A (the trigger's side) and one in partner tenant B
// (the webhook's allowed source), each depending on known role assignments; optional second grants keep access.
import { HttpRequest, InvocationContext, type HttpHandler } from "@azure/functions";
import { createEventsHandler } from "../../../src/functions/events";
import { createEventGridParser } from "../../../src/lib/azure/eventGridEvents";
import type { DataConnectionSpec, ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionRegistry } from "../../../src/lib/connections/ports";
import { silentLogger } from "../../../src/lib/logging/logger";
import { createRevocationHandler, type EventOutcome } from "../../../src/lib/revocation/handleResourceEvent";
import { EVENT_GRID_APP_ID, WEBHOOK_ROLE } from "../../../src/lib/revocation/eventsWebhook";
import { handleTriggerEvent } from "../../../src/lib/revocation/revocationTrigger";
import type { TrustOptions } from "../../../src/lib/revocation/trust";
import { clusterId, createRevocationWorld, ids, sourceIds, specs } from "../../unit/lib/revocation/revocationWorld";
import { createApiTokens, type ApiTokens } from "./apiTokens";
import { countRevocationPorts, type CountRevocationOptions } from "./countingRevocationPorts";

export const apiAudience = "api://adx-connection-lifecycle";
/** The partner subscription's system topic: the webhook's only allowed source (with tenant B). */
export const webhookTopic = `/subscriptions/${ids.subB}`;
export const appTopic = `/subscriptions/${ids.subA}`;
export const eventGridPrincipal = "11111111-7777-4777-8777-000000000001";

export const webhookTrust: TrustOptions = { appTenantId: ids.tenantA, allowedSources: [{ tenantId: ids.tenantB, topic: webhookTopic }] };
export const triggerTrust: TrustOptions = webhookTrust;

const rgSources = `/subscriptions/${ids.subA}/resourceGroups/rg-sources-demo`;
const rgPartner = `/subscriptions/${ids.subB}/resourceGroups/rg-partner-demo`;
const ra = (scope: string, n: number) => `${scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-00000000000${n}`;

/** The scene's role assignments (fakeGrants.ts's, plus the two optional second grants). */
export const assignments = {
  appOnSources: ra(rgSources, 1),
  clusterOnHub: ra(sourceIds.eventHub, 2),
  clusterOnStorage: ra(sourceIds.storage, 3),
  clusterOnCosmos: ra(sourceIds.cosmos, 4),
  partnerOnNamespace: ra(sourceIds.partnerNamespace, 5),
  /** Optional: the cluster's identity is also Owner-like on the sources' resource group. */
  clusterOnSourcesBackup: ra(rgSources, 7),
  /** Optional: the partner SP also holds every permission on the partner resource group. */
  partnerOnGroupBackup: ra(rgPartner, 8),
  /** Assignments no connection depends on, in each subscription. */
  unrelatedA: `${rgSources}/providers/Microsoft.Authorization/roleAssignments/9f1f0000-0000-4000-8000-0000000000aa`,
  unrelatedB: `${rgPartner}/providers/Microsoft.Authorization/roleAssignments/9f1f0000-0000-4000-8000-0000000000bb`,
};

const miEventHub = (): DataConnectionSpec => ({ ...specs.eventHub(), properties: { ...specs.eventHub().properties, managedIdentityResourceId: clusterId } });
const miEventGrid = (): DataConnectionSpec => ({ ...specs.eventGrid(), properties: { ...specs.eventGrid().properties, managedIdentityResourceId: clusterId } });

/** The scene's connections: name → spec and access. */
export const sceneConnections: Record<string, { spec: () => DataConnectionSpec; access: { sourceTenantId?: string } }> = {
  "mi-hub": { spec: miEventHub, access: {} },
  "key-hub": { spec: specs.eventHub, access: {} },
  "mi-grid": { spec: miEventGrid, access: {} },
  cosmos: { spec: specs.cosmosDb, access: {} },
  iot: { spec: specs.iotHub, access: {} },
  partner: { spec: specs.partnerEventHub, access: { sourceTenantId: ids.tenantB } },
};

export interface SceneOptions {
  /** Adds assignments.clusterOnSourcesBackup before the connections are created. */
  clusterBackup?: boolean;
  /** Adds assignments.partnerOnGroupBackup before the connections are created. */
  partnerBackup?: boolean;
  /** Sees each port call of the revocation use case before it runs. */
  onCall?: CountRevocationOptions["onCall"];
  /** Handed to the webhook (events handled at once). */
  concurrency?: number;
  /** Each registry read waits this long first (Table Storage answers a query in ~10–30 ms; the fakes at once). */
  registryLatencyInMs?: number;
}

export type EventsScene = Awaited<ReturnType<typeof createEventsScene>>;

type RevocationWorld = ReturnType<typeof createRevocationWorld>;

/** What the connections' creation left in the registry and in Kusto, per variant: later scenes copy it (fast). */
const templates = new Map<string, { records: [string, ManagedConnection][]; kusto: [string, unknown][] }>();

async function populate(world: RevocationWorld, options: SceneOptions): Promise<ManagedConnection[]> {
  if (options.clusterBackup) world.verifier.grants.push({ principalObjectId: ids.clusterPrincipal, scope: rgSources, permission: "*", roleAssignmentId: assignments.clusterOnSourcesBackup });
  if (options.partnerBackup) world.verifier.grants.push({ principalObjectId: ids.crossTenantSp, scope: rgPartner, permission: "*", roleAssignmentId: assignments.partnerOnGroupBackup });
  const variant = `${!!options.clusterBackup}/${!!options.partnerBackup}`;
  const template = templates.get(variant);
  if (template) {
    for (const [k, r] of template.records) world.registry.records.set(k, structuredClone(r));
    for (const [k, c] of template.kusto) world.kusto.connections.set(k, structuredClone(c) as never);
    return template.records.map(([, r]) => structuredClone(r));
  }
  // The first scene of a variant creates its connections through the connections use case (binding verified).
  const connections: ManagedConnection[] = [];
  for (const [name, c] of Object.entries(sceneConnections)) connections.push(await world.create(name, c.spec(), c.access));
  templates.set(variant, { records: [...world.registry.records].map(([k, r]) => [k, structuredClone(r)]), kusto: [...world.kusto.connections].map(([k, c]) => [k, structuredClone(c)]) });
  return connections;
}

export async function createEventsScene(tokens: ApiTokens, options: SceneOptions = {}) {
  const world = createRevocationWorld();
  const connections = await populate(world, options);
  const latency = options.registryLatencyInMs ?? 0;
  const registry = latency > 0 ? withLatency(world.deps.registry, latency) : world.deps.registry;
  const counted = countRevocationPorts({ ...world.deps, registry }, options.onCall ? { onCall: options.onCall } : {});
  const parser = createEventGridParser();
  const webhook = createEventsHandler({
    getTokenValidator: () => tokens.validator,
    getHandler: (logger) => createRevocationHandler({ ...counted.deps, logger }),
    getParser: () => parser,
    getTrust: () => webhookTrust,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  const triggerHandler = createRevocationHandler(counted.deps);
  return {
    world,
    connections,
    counts: counted.counts,
    webhook,
    /** The Event Grid trigger's use case on one event as the host hands it over (the parsed JSON object). */
    trigger: (rawEvent: unknown): Promise<EventOutcome | undefined> => handleTriggerEvent({ handler: triggerHandler, parser, trust: triggerTrust }, rawEvent, silentLogger),
  };
}

/** The registry with every read delayed (writes as they are: the limits measure events that write nothing). */
function withLatency(registry: ConnectionRegistry, ms: number): ConnectionRegistry {
  const wait = () => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return {
    ...registry,
    get: async (key) => (await wait(), registry.get(key)),
    list: async (filter, page) => (await wait(), registry.list(filter, page)),
    findByRoleAssignment: async (id) => (await wait(), registry.findByRoleAssignment(id)),
    findBySourceScope: async (scope) => (await wait(), registry.findBySourceScope(scope)),
    save: (connection) => registry.save(connection),
  };
}

/** Event Grid's token for the webhook, and the API's token helpers (for the bad ones). */
export async function createEventGridTokens(): Promise<{ api: ApiTokens; eventGrid: string }> {
  const api = await createApiTokens({ tenantId: ids.tenantA, audience: apiAudience });
  const eventGrid = await api.tokenFor(eventGridClaims());
  return { api, eventGrid };
}

export const eventGridClaims = (overrides: { appId?: string; roles?: string[] } = {}) => ({
  objectId: eventGridPrincipal,
  appId: overrides.appId ?? EVENT_GRID_APP_ID,
  roles: overrides.roles ?? [WEBHOOK_ROLE],
});

export interface WebhookAnswer {
  status: number;
  headers: Record<string, string>;
  text: string | undefined;
  /** The body as JSON, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

export interface WebhookRequest {
  method?: string;
  /** The raw body (text or bytes); none when undefined. */
  body?: string | Uint8Array;
  token?: string;
  /** null: no Content-Type header at all. Default application/json. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** Sends one request to the webhook as the Functions runtime would (HttpRequest + InvocationContext). */
export async function callWebhook(handler: HttpHandler, r: WebhookRequest): Promise<WebhookAnswer> {
  const contentType = r.contentType === undefined ? "application/json" : r.contentType;
  const request = new HttpRequest({
    method: r.method ?? "POST",
    url: "https://func-adx-lifecycle.azurewebsites.net/api/events",
    headers: {
      "aeg-event-type": "Notification",
      ...(contentType === null ? {} : { "content-type": contentType }),
      ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
      ...r.headers,
    },
    ...(r.body === undefined ? {} : { body: typeof r.body === "string" ? { string: r.body } : { bytes: r.body } }),
  });
  const response = await handler(request, new InvocationContext({ functionName: "events", logHandler: () => undefined }));
  if (!response || "arrayBuffer" in response) throw new Error("the webhook returns HttpResponseInit");
  const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const text = typeof response.body === "string" ? response.body : undefined;
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status ?? 200, headers, text, json };
}

// ---- event JSON as Event Grid sends it -----------------------------------------------------------------------

export interface ResourceDataInit {
  operationName: string;
  resourceUri: string;
  tenantId: string;
  subscriptionId?: string;
  status?: string;
  correlationId?: string;
}

/** `data` of a Microsoft.Resources event as ARM emits it (the fields revocation reads, and a deleter's claims). */
export function resourceData(d: ResourceDataInit): Record<string, unknown> {
  return {
    operationName: d.operationName,
    resourceUri: d.resourceUri,
    tenantId: d.tenantId,
    subscriptionId: d.subscriptionId ?? d.resourceUri.match(/^\/subscriptions\/([^/]+)/i)?.[1] ?? "",
    status: d.status ?? "Succeeded",
    correlationId: d.correlationId ?? "c0ffee00-0000-4000-8000-000000000001",
    resourceProvider: d.operationName.split("/")[0],
    claims: { "http://schemas.microsoft.com/identity/claims/objectidentifier": ids.caller, appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", upn: "alice@contoso.example" },
  };
}

export interface EnvelopeInit {
  id: string;
  topic: string;
  subject: string;
  type: string;
  time?: string;
  data?: unknown;
}

export function eventGridEvent(e: EnvelopeInit): Record<string, unknown> {
  return { id: e.id, topic: e.topic, subject: e.subject, eventType: e.type, eventTime: e.time ?? "2025-06-01T12:00:00.000Z", data: e.data ?? {}, dataVersion: "2", metadataVersion: "1" };
}

export function cloudEvent(e: EnvelopeInit): Record<string, unknown> {
  return { specversion: "1.0", id: e.id, source: e.topic, subject: e.subject, type: e.type, time: e.time ?? "2025-06-01T12:00:00.000Z", ...(e.data === undefined ? {} : { data: e.data }) };
}

export const RESOURCE_DELETE_SUCCESS = "Microsoft.Resources.ResourceDeleteSuccess";
export const ASSIGNMENT_DELETE = "Microsoft.Authorization/roleAssignments/delete";

/** A role-assignment deletion in the Event Grid schema, as the partner subscription's topic sends it. */
export function assignmentDeleted(id: string, assignmentId: string, tenantId: string = ids.tenantB, topic: string = webhookTopic): Record<string, unknown> {
  return eventGridEvent({ id, topic, subject: assignmentId, type: RESOURCE_DELETE_SUCCESS, data: resourceData({ operationName: ASSIGNMENT_DELETE, resourceUri: assignmentId, tenantId }) });
}

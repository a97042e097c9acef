// Fuzzing revocation's two ingresses in-process: POST /api/events (the real JWT validator, body reader, count limit,
// @azure/eventgrid parser, trust and use case) and the Event Grid trigger's use case, over the revocation fakes with
// every port call counted. Payloads: valid Resource events (role-assignment, source, cluster deletions; others),
// the same with one thing changed (types, case, status, tenant, topic, data shape, resource URI, envelope fields,
// IDs, huge or deeply nested values), CloudEvents with and without specversion, mixed batches, the validation
// handshake, garbage JSON, non-JSON, non-UTF-8, oversized and over-long bodies, bad tokens and media types; the live
// state (which assignments and sources are really gone) is generated too.
// Properties: never a 5xx (no port fails); every refusal is problem+json with a stable code, the one the input calls
// for, and no port call at all; events revocation does not act on cost no port call, acted-on events without a
// managed connection no ARM call and no write; a Kusto DELETE happens only when the assignment is gone live and the
// principal lost access (or the source is gone live), at most once per connection; a forged event deletes nothing;
// a genuine one deletes exactly the connections that lost access; a redelivery changes nothing.
// FUZZ_RUNS sets the number of cases across both ingresses (default 10,000: 6,000 deliveries, 4,000 trigger cases).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeResourceId, type ConnectionKey, type ManagedConnection } from "../../src/lib/connections/model";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_DELIVERY } from "../../src/lib/revocation/eventsWebhook";
import { tamperSignature, unsignedToken, type ApiTokens } from "../support/reliability/apiTokens";
import {
  apiAudience,
  appTopic,
  assignments,
  callWebhook,
  cloudEvent,
  createEventGridTokens,
  createEventsScene,
  eventGridClaims,
  eventGridEvent,
  webhookTopic,
  type EventsScene,
  type WebhookAnswer,
} from "../support/reliability/eventsHarness";
import { createResults } from "../support/reliability/results";
import { clusterId, ids, sourceIds } from "../unit/lib/revocation/revocationWorld";

const runs = Number(process.env.FUZZ_RUNS ?? "10000");
/** FUZZ_RUNS is the total: six in ten cases for the webhook (the bigger input space), the rest for the trigger. */
const webhookRuns = Math.ceil(runs * 0.6);
const triggerRuns = runs - webhookRuns;

// ---- targets: what an event says was deleted, and what that means for the scene --------------------------------

type Side = "A" | "B";
type Effect = "grant" | "source" | "cluster";
interface Target {
  uri: string;
  side: Side;
  effect: Effect;
  operationName: string;
  /** For a consumer-group deletion: the hub and the group (the finer match of source deletions). */
  consumerGroup?: { hub: string; name: string };
}

const assignmentOp = "Microsoft.Authorization/roleAssignments/delete";
const grant = (uri: string, side: Side): Target => ({ uri, side, effect: "grant", operationName: assignmentOp });
const source = (uri: string, side: Side, operationName: string, consumerGroup?: Target["consumerGroup"]): Target => ({ uri, side, effect: "source", operationName, ...(consumerGroup ? { consumerGroup } : {}) });
const cgOf = (hub: string, name: string) => source(`${hub}/consumergroups/${name}`, hub.includes(ids.subB) ? "B" : "A", "Microsoft.EventHub/namespaces/eventhubs/consumergroups/delete", { hub, name });
const database = (name: string) => `${clusterId}/databases/${name}`;

const targets: Target[] = [
  grant(assignments.appOnSources, "A"),
  grant(assignments.clusterOnHub, "A"),
  grant(assignments.clusterOnStorage, "A"),
  grant(assignments.clusterOnCosmos, "A"),
  grant(assignments.clusterOnSourcesBackup, "A"),
  grant(assignments.unrelatedA, "A"),
  grant(assignments.partnerOnNamespace, "B"),
  grant(assignments.partnerOnGroupBackup, "B"),
  grant(assignments.unrelatedB, "B"),
  source(sourceIds.eventHub, "A", "Microsoft.EventHub/namespaces/eventhubs/delete"),
  source(sourceIds.namespace, "A", "Microsoft.EventHub/namespaces/delete"),
  source(sourceIds.storage, "A", "Microsoft.Storage/storageAccounts/delete"),
  source(sourceIds.iotHub, "A", "Microsoft.Devices/IotHubs/delete"),
  source(sourceIds.cosmos, "A", "Microsoft.DocumentDB/databaseAccounts/delete"),
  cgOf(sourceIds.eventHub, "adx"),
  cgOf(sourceIds.eventHub, "other"),
  source(sourceIds.partnerEventHub, "B", "Microsoft.EventHub/namespaces/eventhubs/delete"),
  source(sourceIds.partnerNamespace, "B", "Microsoft.EventHub/namespaces/delete"),
  cgOf(sourceIds.partnerEventHub, "adx-partner"),
  { uri: clusterId, side: "A", effect: "cluster", operationName: "Microsoft.Kusto/clusters/delete" },
  { uri: database("telemetry"), side: "A", effect: "cluster", operationName: "Microsoft.Kusto/clusters/databases/delete" },
  { uri: database("other"), side: "A", effect: "cluster", operationName: "Microsoft.Kusto/clusters/databases/delete" },
  // Under the topic but naming nothing the registry knows (odd, long, non-ASCII): no candidates, no ARM call.
  source(`/subscriptions/${ids.subB}/resourceGroups/rg-x/providers/Microsoft.EventHub/namespaces/${"n".repeat(2_000)}`, "B", "Microsoft.EventHub/namespaces/delete"),
  source(`/subscriptions/${ids.subB}/resourceGroups/ṛg-ü/providers/Microsoft.EventHub/namespaces/名前`, "B", "Microsoft.EventHub/namespaces/delete"),
  source(`/subscriptions/${ids.subB}/resourceGroups/../providers/Microsoft.EventHub/namespaces/x`, "B", "Microsoft.EventHub/namespaces/delete"),
  grant(`/subscriptions/${ids.subB}/providers/Microsoft.Authorization/roleAssignments/`, "B"),
  grant(`/subscriptions/${ids.subA}/resourceGroups/rg-sources-demo/providers/Microsoft.Authorization/roleAssignments/x/y`, "A"),
];
const livePool = [
  assignments.appOnSources,
  assignments.clusterOnHub,
  assignments.clusterOnStorage,
  assignments.clusterOnCosmos,
  assignments.partnerOnNamespace,
  assignments.clusterOnSourcesBackup,
  assignments.partnerOnGroupBackup,
];
const sourcePool = [sourceIds.eventHub, sourceIds.namespace, sourceIds.storage, sourceIds.iotHub, sourceIds.cosmos, sourceIds.partnerEventHub, sourceIds.partnerNamespace, clusterId, database("telemetry"), `${sourceIds.eventHub}/consumergroups/adx`, `${sourceIds.partnerEventHub}/consumergroups/adx-partner`];

// ---- one event, described by its choices (so the oracle knows what it is) ----------------------------------------

const requiredEventGrid = ["id", "topic", "subject", "eventType", "eventTime", "dataVersion", "metadataVersion", "data"] as const;
const requiredCloud = ["id", "source", "type", "specversion"] as const;

interface EventChoice {
  schema: "EventGrid" | "CloudEvents";
  target: Target;
  /** Another effect's operation for this URI (acted on, names nothing), or one outside the contract. */
  op: "match" | "case" | "padded" | "mismatch" | "foreign";
  type: "exact" | "lower" | "upper" | "write" | "failure" | "blob" | "random";
  randomType: string;
  status: "Succeeded" | "succeeded" | "absent" | "Failed" | "Canceled" | "number" | "empty";
  tenant: "own" | "other" | "random" | "missing" | "number";
  topic: "own" | "ownUpper" | "other" | "random";
  data: "ok" | "notObject" | "noUri" | "noOp" | "uriNumber" | "emptyUri" | "deep" | "extra";
  uri: "exact" | "upper" | "leadingSpace" | "trailingSlash" | "trailingSpace";
  envelope: "ok" | "drop" | "retype" | "badVersion" | "noSpecversion" | "retypeOptional";
  envelopeField: number;
  retypeValue: unknown;
  id: "normal" | "previous" | "empty" | "long" | "unicode";
  subject: "uri" | "empty" | "huge";
  time: "ok" | "garbage" | "absent";
  extra: Record<string, unknown>;
}

const jsonScalar = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant([]), fc.constant({}));
/** Mostly the default, sometimes one of the variants (each dimension on its own, so several may combine). */
const usually = <T,>(usual: T, ...others: T[]) => fc.oneof({ weight: 12, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });

/** One event, its target mostly from the side the ingress serves (B: the webhook's partner tenant, A: the trigger's). */
const eventChoiceFor = (side: Side): fc.Arbitrary<EventChoice> =>
  fc.record({
    schema: fc.constantFrom("EventGrid" as const, "CloudEvents" as const),
    target: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...targets.filter((t) => t.side === side)) }, { weight: 1, arbitrary: fc.constantFrom(...targets.filter((t) => t.side !== side)) }),
    op: usually<EventChoice["op"]>("match", "case", "padded", "mismatch", "foreign"),
    type: usually<EventChoice["type"]>("exact", "lower", "upper", "write", "failure", "blob", "random"),
    randomType: fc.string({ maxLength: 40 }),
    status: usually<EventChoice["status"]>("Succeeded", "succeeded", "absent", "Failed", "Canceled", "number", "empty"),
    tenant: usually<EventChoice["tenant"]>("own", "other", "random", "missing", "number"),
    topic: usually<EventChoice["topic"]>("own", "ownUpper", "other", "random"),
    data: usually<EventChoice["data"]>("ok", "notObject", "noUri", "noOp", "uriNumber", "emptyUri", "deep", "extra"),
    uri: usually<EventChoice["uri"]>("exact", "upper", "leadingSpace", "trailingSlash", "trailingSpace"),
    envelope: usually<EventChoice["envelope"]>("ok", "drop", "retype", "badVersion", "noSpecversion", "retypeOptional"),
    envelopeField: fc.nat(),
    retypeValue: jsonScalar,
    id: usually<EventChoice["id"]>("normal", "previous", "empty", "long", "unicode"),
    subject: usually<EventChoice["subject"]>("uri", "empty", "huge"),
    time: usually<EventChoice["time"]>("ok", "garbage", "absent"),
    extra: fc.oneof(
      { weight: 8, arbitrary: fc.constant({}) },
      {
        weight: 1,
        arbitrary: fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !/^(id|topic|subject|eventtype|eventtime|dataversion|metadataversion|data|data_base64|source|type|specversion|time|dataschema|datacontenttype)$/i.test(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
      },
    ),
  });
const eventsOf = (side: Side, maxLength: number) => fc.oneof({ weight: 3, arbitrary: eventChoiceFor(side).map((e) => [e]) }, { weight: 1, arbitrary: fc.array(eventChoiceFor(side), { minLength: 2, maxLength }) });

const mismatchOp: Record<Effect, string> = { grant: "Microsoft.EventHub/namespaces/delete", source: "Microsoft.Kusto/clusters/delete", cluster: assignmentOp };
const ownSub = (side: Side) => (side === "A" ? ids.subA : ids.subB);
const ownTenant = (side: Side) => (side === "A" ? ids.tenantA : ids.tenantB);
const flipCase = (s: string) => [...s].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch.toLowerCase())).join("");

interface BuiltEvent {
  json: unknown;
  /** The envelope is one the SDK refuses: the whole delivery is a 400 (trigger: a validation error). */
  broken: boolean;
  /** Revocation parses Resource data from it (type Microsoft.Resources.Resource*, operationName and resourceUri strings). */
  hasData: boolean;
  /** classifyEvent would act on it. */
  actedOn: boolean;
  /** Its resource lies under its topic (when it has data). */
  underTopic: boolean;
  topicIsWebhookSource: boolean;
  tenantIs: "A" | "B" | "other";
  /** Exact expectations hold only for these (the others are checked for safety only). */
  certain: boolean;
  choice: EventChoice;
}

function buildEvent(c: EventChoice, id: string): BuiltEvent {
  const t = c.target;
  const sub = ownSub(t.side);
  const uri = { exact: t.uri, upper: t.uri.toUpperCase(), leadingSpace: ` ${t.uri}`, trailingSlash: `${t.uri}/`, trailingSpace: `${t.uri} ` }[c.uri];
  const operationName = { match: t.operationName, case: flipCase(t.operationName), padded: ` ${t.operationName} `, mismatch: mismatchOp[t.effect], foreign: "Microsoft.Compute/virtualMachines/delete" }[c.op];
  const type = {
    exact: "Microsoft.Resources.ResourceDeleteSuccess",
    lower: "microsoft.resources.resourcedeletesuccess",
    upper: "MICROSOFT.RESOURCES.RESOURCEDELETESUCCESS",
    write: "Microsoft.Resources.ResourceWriteSuccess",
    failure: "Microsoft.Resources.ResourceDeleteFailure",
    blob: "Microsoft.Storage.BlobDeleted",
    random: c.randomType,
  }[c.type];
  const topic = { own: `/subscriptions/${sub}`, ownUpper: `/subscriptions/${sub}`.toUpperCase(), other: `/subscriptions/${t.side === "A" ? ids.subB : ids.subA}`, random: "/subscriptions/00000000-dead-4bee-8000-000000000000" }[c.topic];
  const tenantValue: unknown = { own: ownTenant(t.side), other: ownTenant(t.side === "A" ? "B" : "A"), random: "99999999-1111-4111-8111-111111111111", missing: undefined, number: 42 }[c.tenant];
  const statusValue: unknown = { Succeeded: "Succeeded", succeeded: "succeeded", absent: undefined, Failed: "Failed", Canceled: "Canceled", number: 7, empty: "" }[c.status];

  let data: unknown = {
    operationName,
    resourceUri: uri,
    ...(tenantValue === undefined ? {} : { tenantId: tenantValue }),
    subscriptionId: sub,
    ...(statusValue === undefined ? {} : { status: statusValue }),
    correlationId: `corr-${id}`,
    claims: { "http://schemas.microsoft.com/identity/claims/objectidentifier": ids.caller, appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" },
  };
  const d = data as Record<string, unknown>;
  switch (c.data) {
    case "notObject": data = c.envelopeField % 2 ? "a string" : [d]; break;
    case "noUri": delete d.resourceUri; break;
    case "noOp": delete d.operationName; break;
    case "uriNumber": d.resourceUri = 12345; break;
    case "emptyUri": d.resourceUri = ""; break;
    case "deep": d.claims = JSON.parse("[".repeat(3_000) + "]".repeat(3_000)); break;
    case "extra": Object.assign(d, { authorization: { scope: uri, action: operationName }, httpRequest: { method: "DELETE" }, [`x${c.envelopeField}`]: c.retypeValue }); break;
    case "ok": break;
  }
  const eventId = { normal: id, previous: "dup-id", empty: "", long: `${id}-${"i".repeat(5_000)}`, unicode: `${id}-évènement-🔥` }[c.id];
  const subject = { uri, empty: "", huge: "s".repeat(150_000) }[c.subject];
  const time = c.time === "garbage" ? "yesterday-ish" : "2025-06-01T12:00:00.000Z";
  const envelope = { id: eventId, topic, subject, type, time, data };
  const json = (c.schema === "EventGrid" ? eventGridEvent(envelope) : cloudEvent(envelope)) as Record<string, unknown>;
  if (c.time === "absent") delete json[c.schema === "EventGrid" ? "eventTime" : "time"];
  if (c.data === "ok" && c.envelope === "ok") Object.assign(json, c.extra);

  // What the SDK refuses (envelope), by construction.
  let broken = c.schema === "EventGrid" && c.time === "absent";
  const required = c.schema === "EventGrid" ? requiredEventGrid : requiredCloud;
  const field = required[c.envelopeField % required.length] as string;
  switch (c.envelope) {
    case "drop":
      delete json[field];
      // A CloudEvent without specversion is read as the Event Grid schema, which it is not: refused all the same.
      broken = true;
      break;
    case "retype":
      if (field === "data") break; // any value is a valid data
      json[field] = typeof c.retypeValue === "string" ? 1 : c.retypeValue;
      broken = true;
      break;
    case "badVersion":
      if (c.schema === "EventGrid") json.metadataVersion = "2";
      else json.specversion = c.envelopeField % 2 ? "0.3" : 1;
      broken = true;
      break;
    case "noSpecversion":
      if (c.schema === "CloudEvents") {
        delete json.specversion;
        broken = true;
      }
      break;
    case "retypeOptional":
      if (c.schema === "CloudEvents") {
        json[c.envelopeField % 2 ? "time" : "subject"] = 5;
        broken = true;
      }
      break;
    case "ok":
      break;
  }

  const resourcesType = /^Microsoft\.Resources\.Resource(Write|Delete|Action)(Success|Failure|Cancel)$/i.test(type);
  const uriIsString = c.data !== "uriNumber" && c.data !== "noUri" && c.data !== "emptyUri";
  const hasData = resourcesType && c.data !== "notObject" && c.data !== "noOp" && uriIsString;
  const statusActs = c.status !== "Failed" && c.status !== "Canceled";
  const actedOn = hasData && /^Microsoft\.Resources\.ResourceDeleteSuccess$/i.test(type) && statusActs && c.op !== "foreign";
  // The parser trims the resource ID (ARM's never has spaces around it).
  const underTopic = c.topic === "own" || c.topic === "ownUpper";
  return {
    json,
    broken,
    hasData,
    actedOn,
    underTopic,
    topicIsWebhookSource: t.side === "B" ? c.topic === "own" || c.topic === "ownUpper" : c.topic === "other",
    tenantIs: c.tenant === "own" ? t.side : c.tenant === "other" ? (t.side === "A" ? "B" : "A") : "other",
    // Trailing slash: the fakes' exact-match lookups differ from ARM's there; type "random" may hit a real one.
    certain: c.uri !== "trailingSlash" && c.type !== "random" && c.id !== "previous",
    choice: c,
  };
}

function trusted(e: BuiltEvent, ingress: "webhook" | "trigger"): boolean {
  if (!e.hasData) return ingress === "trigger" || e.topicIsWebhookSource;
  if (!e.underTopic) return false;
  const allowedSource = e.topicIsWebhookSource && e.tenantIs === "B";
  return ingress === "webhook" ? allowedSource : allowedSource || e.tenantIs === "A";
}

// ---- the scene's expected outcome (a model of DESIGN §4's revoke flow over the fakes' live state) ---------------

/** The sources (and clusters) gone live in a case; the assignments gone are those missing from the grant table. */
interface Live {
  deletedSources: Set<string>;
}

const norm = normalizeResourceId;
const atOrUnder = (id: string, scope: string) => norm(id) === norm(scope) || norm(id).startsWith(`${norm(scope)}/`);
const scopeOfAssignment = (uri: string) => uri.match(/^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+\/?$/i)?.[1];

function liveGrants(scene: EventsScene) {
  return scene.world.verifier.grants;
}

function lostAccess(scene: EventsScene, c: ManagedConnection): boolean {
  return c.binding.requirements.some(
    (r) =>
      !liveGrants(scene).some(
        (g) =>
          g.principalObjectId.toLowerCase() === c.binding.principal.objectId.toLowerCase() &&
          atOrUnder(r.requirement.scope, g.scope) &&
          (g.permission === "*" || g.permission.toLowerCase() === r.requirement.permission.toLowerCase()),
      ),
  );
}

const mismatchEffect = (e: Effect): Effect => ({ grant: "source", source: "cluster", cluster: "grant" })[e] as Effect;
const effectOf = (e: BuiltEvent): Effect => (e.choice.op === "mismatch" ? mismatchEffect(e.choice.target.effect) : e.choice.target.effect);

/**
 * The connections an acted-on event concerns, from the scene's records (DESIGN §4: grant index, source index,
 * cluster): `hits` as the registry's indexes find them, `matched` after the finer match (consumer group).
 */
function candidatesOf(scene: EventsScene, e: BuiltEvent): { hits: ManagedConnection[]; matched: ManagedConnection[] } {
  const t = e.choice.target;
  const live = scene.connections;
  const same = (list: ManagedConnection[]) => ({ hits: list, matched: list });
  switch (effectOf(e)) {
    case "grant": {
      const scope = scopeOfAssignment(t.uri);
      if (!scope) return same([]);
      return same(live.filter((c) => c.binding.requirements.some((r) => r.grants.some((g) => norm(g.roleAssignmentId) === norm(t.uri))) || c.sourceResourceIds.some((s) => atOrUnder(s, scope))));
    }
    case "source": {
      const cg = t.consumerGroup;
      if (cg && e.choice.op !== "mismatch") {
        const hits = live.filter((c) => c.sourceResourceIds.some((s) => atOrUnder(s, cg.hub)));
        return { hits, matched: hits.filter((c) => norm(String(c.spec.properties.eventHubResourceId ?? "")) === norm(cg.hub) && String(c.spec.properties.consumerGroup ?? "").toLowerCase() === cg.name.toLowerCase()) };
      }
      return same(live.filter((c) => c.sourceResourceIds.some((s) => atOrUnder(s, t.uri))));
    }
    case "cluster": {
      const m = t.uri.match(/^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Kusto\/clusters\/([^/]+)(?:\/databases\/([^/]+))?$/i);
      if (!m) return same([]);
      return same(live.filter((c) => c.key.cluster.toLowerCase() === m[3]?.toLowerCase() && (!m[4] || c.key.database.toLowerCase() === m[4].toLowerCase())));
    }
  }
}

interface Expected {
  /** Names whose Kusto connection is deleted. */
  deletes: Set<string>;
  /** Names whose record is tombstoned without a Kusto DELETE (cluster or database gone). */
  tombstones: Set<string>;
  /** The registry's indexes find nothing: not one ARM call, not one write. */
  noHits: boolean;
  /** Nothing left after the finer match: not one ARM call (the ledger still records the event). */
  noMatch: boolean;
}

function expectedOf(scene: EventsScene, e: BuiltEvent, live: Live): Expected {
  const { hits, matched } = candidatesOf(scene, e);
  const result: Expected = { deletes: new Set(), tombstones: new Set(), noHits: hits.length === 0, noMatch: matched.length === 0 };
  if (matched.length === 0) return result;
  const t = e.choice.target;
  const effect = effectOf(e);
  if (effect === "grant") {
    // Still there (forged, stale or re-created): nothing is deleted.
    if (liveGrants(scene).some((g) => norm(g.roleAssignmentId) === norm(t.uri))) return result;
    for (const c of matched) if (lostAccess(scene, c)) result.deletes.add(c.key.name);
    return result;
  }
  if (!live.deletedSources.has(t.uri.toLowerCase())) return result;
  for (const c of matched) (effect === "cluster" ? result.tombstones : result.deletes).add(c.key.name);
  return result;
}

// ---- cases --------------------------------------------------------------------------------------------------------

type Auth = "valid" | "none" | "malformed" | "tampered" | "foreignKey" | "algNone" | "issuer" | "audience" | "tenant" | "expired" | "notYetValid" | "noRole" | "otherApp" | "pipeline";
const authOutcome: Record<Exclude<Auth, "valid">, [number, string]> = {
  none: [401, "MissingToken"],
  malformed: [401, "MalformedToken"],
  tampered: [401, "InvalidSignature"],
  foreignKey: [401, "InvalidSignature"],
  algNone: [401, "UnsupportedAlgorithm"],
  issuer: [401, "WrongIssuer"],
  audience: [401, "WrongAudience"],
  tenant: [401, "WrongTenant"],
  expired: [401, "TokenExpired"],
  notYetValid: [401, "TokenNotYetValid"],
  noRole: [403, "NotEventGrid"],
  otherApp: [403, "NotEventGrid"],
  pipeline: [403, "NotEventGrid"],
};

type Body =
  | { kind: "events"; events: EventChoice[]; single: boolean; mixed: boolean }
  | { kind: "validation"; topic: "allowed" | "other"; code: "ok" | "missing" | "empty" | "number"; trailing: EventChoice[] }
  | { kind: "emptyArray" }
  | { kind: "garbageJson"; value: unknown }
  | { kind: "rawText"; text: string }
  | { kind: "nonUtf8" }
  | { kind: "tooMany"; valid: boolean }
  | { kind: "oversize" };

const bodies: fc.Arbitrary<Body> = fc.oneof(
  { weight: 42, arbitrary: fc.record({ kind: fc.constant("events" as const), events: eventsOf("B", 4), single: fc.boolean(), mixed: fc.nat(9).map((x) => x === 0) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("validation" as const), topic: fc.constantFrom("allowed" as const, "other" as const), code: usually<"ok" | "missing" | "empty" | "number">("ok", "missing", "empty", "number"), trailing: fc.oneof({ weight: 4, arbitrary: fc.constant<EventChoice[]>([]) }, { weight: 1, arbitrary: fc.array(eventChoiceFor("B"), { maxLength: 2 }) }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: "emptyArray" as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("garbageJson" as const), value: fc.jsonValue({ maxDepth: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("rawText" as const), text: fc.oneof(fc.string({ maxLength: 120 }), fc.constantFrom("", "{", "[", "[{]", "\uFEFF[]", "null", "[1,2", "<xml/>", "aeg-event-type: Notification")) }) },
  { weight: 2, arbitrary: fc.constant({ kind: "nonUtf8" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("tooMany" as const), valid: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: "oversize" as const }) },
);

const okMedia = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/cloudevents-batch+json; charset=utf-8", "application/cloudevents+json", "application/json;charset=UTF8"];
const badMedia: Record<string, string> = { "text/plain": "UnsupportedMediaType", "application/xml": "UnsupportedMediaType", "application/json; charset=latin1": "UnsupportedCharset", "multipart/form-data": "UnsupportedMediaType", "": "UnsupportedMediaType", "x-garbage/\u00fc": "UnsupportedMediaType" };
const media = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...okMedia) }, { weight: 1, arbitrary: fc.constantFrom(...Object.keys(badMedia), null) });

interface WebhookCase {
  scene: { clusterBackup: boolean; partnerBackup: boolean };
  live: { assignments: string[]; sources: string[] };
  auth: Auth;
  method: "POST" | "OPTIONS";
  origin: boolean;
  contentType: string | null;
  body: Body;
  redeliver: boolean;
}

const sceneChoice = fc.record({ clusterBackup: fc.boolean(), partnerBackup: fc.boolean() });
const liveChoice = fc.record({ assignments: fc.subarray(livePool), sources: fc.subarray(sourcePool) });
const webhookCases: fc.Arbitrary<WebhookCase> = fc.record({
  scene: sceneChoice,
  live: liveChoice,
  auth: fc.oneof(
    { weight: 14, arbitrary: fc.constant("valid" as const) },
    { weight: 2, arbitrary: fc.constantFrom(...(Object.keys(authOutcome) as Exclude<Auth, "valid">[])) },
  ),
  method: fc.oneof({ weight: 30, arbitrary: fc.constant("POST" as const) }, { weight: 1, arbitrary: fc.constant("OPTIONS" as const) }),
  origin: fc.boolean(),
  contentType: media,
  body: bodies,
  redeliver: fc.nat(3).map((x) => x === 0),
});

interface TriggerCase {
  scene: { clusterBackup: boolean; partnerBackup: boolean };
  live: { assignments: string[]; sources: string[] };
  /** Events the host hands over one invocation at a time, or one garbage value. */
  input: { kind: "events"; events: EventChoice[] } | { kind: "garbage"; value: unknown };
  redeliver: boolean;
}

const triggerCases: fc.Arbitrary<TriggerCase> = fc.record({
  scene: sceneChoice,
  live: liveChoice,
  input: fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant("events" as const), events: eventsOf("A", 3) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("garbage" as const), value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom([], [{}], "[]", "{}", 0)) }) },
  ),
  redeliver: fc.nat(3).map((x) => x === 0),
});

// ---- scenes: rebuilt only after a case wrote something --------------------------------------------------------------

interface Tracked {
  scene: EventsScene;
  /** Names the Kusto DELETEs of the current case were sent for, and whether the live state allowed each. */
  deletes: { name: string; safe: boolean; why: string }[];
  /** Which events the current delivery carries (the safety check's reference). */
  inFlight: BuiltEvent[];
}

let caseCounter = 0;
const oversizeBody = JSON.stringify([{ pad: "p".repeat(MAX_BODY_BYTES + 10) }]);
const tooManyBodies = {
  valid: JSON.stringify(
    Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, (_, i) => ({ specversion: "1.0", id: `m${i}`, source: webhookTopic, type: "Microsoft.Resources.ResourceWriteSuccess" })),
  ),
  garbage: JSON.stringify(Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, () => ({}))),
};
const nonUtf8 = new Uint8Array([0x5b, 0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x5d]);

describe("fuzzing revocation's event ingresses in-process", () => {
  const results = createResults("fuzzEvents");
  let tokens: ApiTokens;
  let tokenOf: Record<Auth, string | undefined>;
  const scenes = new Map<string, Tracked>();

  beforeAll(async () => {
    const t = await createEventGridTokens();
    tokens = t.api;
    const eg = eventGridClaims();
    const now = Math.floor(Date.now() / 1000);
    tokenOf = {
      valid: t.eventGrid,
      none: undefined,
      malformed: "not.a-jwt",
      tampered: tamperSignature(t.eventGrid),
      foreignKey: await tokens.craft(eg, { foreignKey: true }),
      algNone: unsignedToken({ iss: tokens.issuer, aud: apiAudience, tid: ids.tenantA, oid: eg.objectId, azp: eg.appId, roles: eg.roles, exp: now + 600 }),
      issuer: await tokens.craft(eg, { issuer: "https://login.microsoftonline.com/33333333-1111-4111-8111-111111111111/v2.0" }),
      audience: await tokens.craft(eg, { audience: "https://management.azure.com/" }),
      tenant: await tokens.craft(eg, { tenantId: "33333333-1111-4111-8111-111111111111" }),
      expired: await tokens.craft(eg, { expiresInSeconds: -3_600 }),
      notYetValid: await tokens.craft(eg, { notBeforeInSeconds: 3_600 }),
      noRole: await tokens.tokenFor(eventGridClaims({ roles: [] })),
      otherApp: await tokens.tokenFor(eventGridClaims({ appId: "11111111-5555-4555-8555-000000000003" })),
      pipeline: await tokens.tokenFor({ objectId: ids.caller, appId: "11111111-5555-4555-8555-000000000003", roles: ["Connections.Write"] }),
    };
  });

  async function sceneFor(choice: WebhookCase["scene"], live: WebhookCase["live"]): Promise<Tracked> {
    const key = `${choice.clusterBackup}/${choice.partnerBackup}`;
    let tracked = scenes.get(key);
    if (!tracked) {
      const holder: { t?: Tracked } = {};
      const scene = await createEventsScene(tokens, {
        ...choice,
        onCall(name, args) {
          if (name !== "kusto.delete") return;
          const t = holder.t as Tracked;
          const k = args[0] as ConnectionKey;
          t.deletes.push({ name: k.name, ...deleteAllowed(t, k.name) });
        },
      });
      tracked = { scene, deletes: [], inFlight: [] };
      holder.t = tracked;
      scenes.set(key, tracked);
    }
    // The live state of this case (what ARM would answer now): the scene's grants minus those deleted, and the
    // sources deleted.
    const w = tracked.scene.world;
    w.verifier.grants = baseGrants(choice).filter((g) => !live.assignments.map(norm).includes(norm(g.roleAssignmentId)));
    w.deletedSources.clear();
    for (const s of live.sources) w.deletedSources.add(s.toLowerCase());
    tracked.scene.counts.calls.length = 0;
    tracked.scene.counts.arm = tracked.scene.counts.reads = tracked.scene.counts.writes = 0;
    tracked.deletes = [];
    return tracked;
  }
  const grantTables = new Map<string, EventsScene["world"]["verifier"]["grants"]>();
  function baseGrants(choice: WebhookCase["scene"]) {
    const key = `${choice.clusterBackup}/${choice.partnerBackup}`;
    return (grantTables.get(key) ?? []).map((g) => ({ ...g }));
  }
  /** After a case that wrote anything, its scene is dropped: the next case of that variant starts afresh. */
  function release(choice: WebhookCase["scene"], tracked: Tracked) {
    if (tracked.scene.counts.writes > 0 || tracked.scene.counts.calls.some((c) => c === "kusto.delete")) scenes.delete(`${choice.clusterBackup}/${choice.partnerBackup}`);
  }

  /** The DELETE-time check: is the connection's access really gone (assignment gone and principal without access), or its source? */
  function deleteAllowed(t: Tracked, name: string): { safe: boolean; why: string } {
    const c = t.scene.connections.find((x) => x.key.name === name);
    if (!c) return { safe: false, why: `unknown connection ${name}` };
    const grants = t.scene.world.verifier.grants;
    for (const e of t.inFlight) {
      if (!e.actedOn) continue;
      const effect = effectOf(e);
      const uri = (e.json as { data?: { resourceUri?: unknown } }).data?.resourceUri;
      if (typeof uri !== "string") continue;
      if (effect === "grant") {
        const assignmentGone = !grants.some((g) => norm(g.roleAssignmentId) === norm(uri.trim()));
        if (assignmentGone && lostAccess(t.scene, c)) return { safe: true, why: "assignment gone, access lost" };
      } else if (effect === "source") {
        const gone = t.scene.world.deletedSources.has(uri.trim().toLowerCase()) || t.scene.world.deletedSources.has(norm(uri.trim()));
        if (gone && c.sourceResourceIds.some((s) => atOrUnder(s, uri.trim().replace(/\/consumergroups\/[^/]+$/i, "")))) return { safe: true, why: "source gone" };
      }
    }
    return { safe: false, why: `DELETE of ${name} without a live-confirmed revocation (access lost: ${lostAccess(t.scene, c)})` };
  }

  const stats = {
    webhook: { cases: 0, events: 0, accepted: 0, refused: 0, fivexx: 0, callsOnRefused: 0, unsafeDeletes: 0, doubleDeletes: 0, genuine: 0, genuineDeletes: 0, forged: 0, forgedDeletes: 0, redeliveryWrites: 0, maxInMs: 0, byStatus: new Map<string, number>() },
    trigger: { cases: 0, events: 0, accepted: 0, refused: 0, fivexx: 0, callsOnRefused: 0, unsafeDeletes: 0, doubleDeletes: 0, genuine: 0, genuineDeletes: 0, forged: 0, forgedDeletes: 0, redeliveryWrites: 0, maxInMs: 0, byStatus: new Map<string, number>() },
  };

  afterAll(() => {
    for (const [ingress, s] of Object.entries(stats)) {
      if (s.cases === 0) continue;
      const statuses = [...s.byStatus.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(", ");
      results.add({
        table: "fuzzing",
        operation: ingress === "webhook" ? "events webhook (POST /api/events)" : "revocation trigger (revocationEvents)",
        condition:
          ingress === "webhook"
            ? `${s.cases} deliveries (${s.accepted} accepted, ${s.refused} refused)`
            : `${s.cases} cases, ${s.events} invocations (${s.accepted} handled, ${s.refused} refused: not an event, or untrusted)`,
        outcome: `${s.fivexx} × 5xx; ${s.callsOnRefused} port calls for refused input; ${s.unsafeDeletes} DELETEs without a live-confirmed revocation; ${s.doubleDeletes} second DELETEs`,
        attempts: 1,
        timeInMs: Math.round(s.maxInMs),
        inconsistencies: s.fivexx + s.callsOnRefused + s.unsafeDeletes + s.doubleDeletes + s.forgedDeletes + s.redeliveryWrites,
        notes: `timeInMs: slowest case. Genuine revocations ${s.genuine} (connections deleted ${s.genuineDeletes}, each as the model expects); forged or stale ${s.forged} (deleted ${s.forgedDeletes}); writes on redelivery ${s.redeliveryWrites}. Answers: ${statuses}`,
      });
    }
    results.write();
  });

  /** The scene's grant table of each variant, as created (the live state of every case starts from it). */
  beforeAll(async () => {
    for (const clusterBackup of [false, true]) {
      for (const partnerBackup of [false, true]) {
        const s = await createEventsScene(tokens, { clusterBackup, partnerBackup });
        grantTables.set(`${clusterBackup}/${partnerBackup}`, s.world.verifier.grants.map((g) => ({ ...g })));
      }
    }
  });

  function checkDeletes(t: Tracked, s: (typeof stats)["webhook"], label: string) {
    const unsafe = t.deletes.filter((d) => !d.safe);
    s.unsafeDeletes += unsafe.length;
    const names = t.deletes.map((d) => d.name);
    const doubles = names.length - new Set(names).size;
    s.doubleDeletes += doubles;
    expect(unsafe.map((d) => d.why), label).toEqual([]);
    expect(doubles, `${label}: one DELETE per connection (${names.join(", ")})`).toBe(0);
  }

  /** Exact expectations for deliveries whose every event is certain: what is deleted, tombstoned, or left alone. */
  function checkModel(t: Tracked, events: BuiltEvent[], live: Live, s: (typeof stats)["webhook"], label: string) {
    const acted = events.filter((e) => e.actedOn);
    const expected = acted.map((e) => expectedOf(t.scene, e, live));
    const deletes = new Set<string>();
    const tombstones = new Set<string>();
    for (const x of expected) {
      x.deletes.forEach((n) => deletes.add(n));
      x.tombstones.forEach((n) => tombstones.add(n));
    }
    const counts = t.scene.counts;
    if (events.every((e) => !e.actedOn)) expect(counts.calls, `${label}: not acted on → no port call`).toEqual([]);
    if (expected.every((x) => x.noMatch)) expect(counts.arm, `${label}: no candidates → no ARM call (${counts.calls.join(", ")})`).toBe(0);
    if (expected.every((x) => x.noHits)) expect(counts.writes, `${label}: no index hit → no write (${counts.calls.join(", ")})`).toBe(0);
    if (!events.every((e) => e.certain)) return;
    // Any tombstone: the records are gone with their cluster, so a grant or source event in the same delivery may
    // find nothing left to delete — compare the union.
    const actualDeletes = new Set(t.deletes.map((d) => d.name));
    if (tombstones.size === 0) expect([...actualDeletes].sort(), label).toEqual([...deletes].sort());
    else for (const n of actualDeletes) expect(deletes.has(n) || tombstones.has(n), label).toBe(true);
    for (const n of tombstones) expect(t.scene.world.registry.all().find((r) => r.key.name === n)?.status, `${label}: ${n} tombstoned`).toBe("Deleted");
    const candidatesExist = expected.some((x) => !x.noMatch);
    if (candidatesExist && deletes.size === 0 && tombstones.size === 0) {
      s.forged += 1;
      s.forgedDeletes += actualDeletes.size;
    } else if (deletes.size > 0) {
      s.genuine += 1;
      s.genuineDeletes += actualDeletes.size;
    }
  }

  function webhookBody(c: WebhookCase, id: () => string): { body: string | Uint8Array | undefined; events: BuiltEvent[]; expected: [number, string | undefined] | undefined } {
    const b = c.body;
    switch (b.kind) {
      case "events": {
        // One schema per delivery (as a subscription sends), or both when `mixed`.
        const first = b.events[0]?.schema ?? "EventGrid";
        const built = b.events.map((e, i) => buildEvent({ ...e, schema: b.mixed && i === 1 ? (first === "EventGrid" ? "CloudEvents" : "EventGrid") : first }, id()));
        const mixed = b.mixed && built.length > 1 && new Set(built.map((e) => e.choice.schema)).size > 1;
        const payload = b.single && built.length === 1 ? built[0]?.json : built.map((e) => e.json);
        const broken = mixed || built.some((e) => e.broken);
        const expected: [number, string | undefined] = broken ? [400, "InvalidEventDelivery"] : built.every((e) => trusted(e, "webhook")) ? [200, undefined] : [403, "EventSourceNotAllowed"];
        return { body: JSON.stringify(payload), events: broken ? [] : built, expected };
      }
      case "validation": {
        const topic = b.topic === "allowed" ? webhookTopic : appTopic;
        const data = b.code === "ok" ? { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://rp-eastus2.eventgrid.azure.net/x" } : b.code === "empty" ? { validationCode: "" } : b.code === "number" ? { validationCode: 42 } : {};
        const first = eventGridEvent({ id: id(), topic, subject: "", type: "Microsoft.EventGrid.SubscriptionValidationEvent", data });
        const trailing = b.trailing.map((e) => buildEvent({ ...e, schema: "EventGrid" }, id()));
        const broken = trailing.some((e) => e.broken);
        const expected: [number, string | undefined] = broken || b.code !== "ok" ? [400, "InvalidEventDelivery"] : b.topic === "allowed" ? [200, undefined] : [403, "EventSourceNotAllowed"];
        return { body: JSON.stringify([first, ...trailing.map((e) => e.json)]), events: [], expected };
      }
      case "emptyArray":
        return { body: "[]", events: [], expected: [200, undefined] };
      case "garbageJson":
        return { body: JSON.stringify(b.value), events: [], expected: garbageExpectation(b.value) };
      case "rawText": {
        const text = b.text;
        if (text === "") return { body: text, events: [], expected: [400, "MissingBody"] };
        try {
          return { body: text, events: [], expected: garbageExpectation(JSON.parse(text.replace(/^\uFEFF/, ""))) };
        } catch {
          return { body: text, events: [], expected: [400, "MalformedJson"] };
        }
      }
      case "nonUtf8":
        return { body: nonUtf8, events: [], expected: [400, "MalformedJson"] };
      case "tooMany":
        return { body: b.valid ? tooManyBodies.valid : tooManyBodies.garbage, events: [], expected: [413, "TooManyEvents"] };
      case "oversize":
        return { body: oversizeBody, events: [], expected: [413, "PayloadTooLarge"] };
    }
  }

  /** Any JSON that is not a list of events: [] is an empty delivery (200), anything else no valid envelope. */
  function garbageExpectation(value: unknown): [number, string | undefined] {
    if (Array.isArray(value) && value.length === 0) return [200, undefined];
    if (Array.isArray(value) && value.length > MAX_EVENTS_PER_DELIVERY) return [413, "TooManyEvents"];
    return [400, "InvalidEventDelivery"];
  }

  it(`answers ${webhookRuns} generated webhook deliveries: no 5xx, clean refusals without port calls, deletions only when live state confirms them`, async () => {
    const s = stats.webhook;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(webhookCases, async (c) => {
        const n = ++caseCounter;
        let k = 0;
        const nextId = () => `w${n}-${k++}`;
        const t = await sceneFor(c.scene, c.live);
        const { body, events, expected } = webhookBody(c, nextId);
        t.inFlight = events;
        const live: Live = { deletedSources: new Set(c.live.sources.map((x) => x.toLowerCase())) };
        const t0 = performance.now();
        let answer: WebhookAnswer;
        if (c.method === "OPTIONS") {
          answer = await callWebhook(t.scene.webhook, { method: "OPTIONS", contentType: null, headers: c.origin ? { "webhook-request-origin": "eventgrid.azure.net" } : {} });
        } else {
          answer = await callWebhook(t.scene.webhook, { ...(body === undefined ? {} : { body }), ...(tokenOf[c.auth] ? { token: tokenOf[c.auth] } : {}), contentType: c.contentType });
        }
        s.maxInMs = Math.max(s.maxInMs, performance.now() - t0);
        s.cases += 1;
        const label = `case ${n}: ${c.method} auth=${c.auth} type=${c.contentType} body=${c.body.kind} → ${answer.status} ${answer.text?.slice(0, 300) ?? ""}`;
        const key = answer.status >= 400 ? `${answer.status} ${String(answer.json?.code)}` : String(answer.status);
        s.byStatus.set(key, (s.byStatus.get(key) ?? 0) + 1);
        if (answer.status >= 500) s.fivexx += 1;
        expect(answer.status, label).toBeLessThan(500);

        // The expected answer, in the order the webhook checks: method, token, media type, size, JSON, count, envelope, trust.
        let want: [number, string | undefined] | undefined;
        if (c.method === "OPTIONS") want = c.origin ? [200, undefined] : [400, "MissingWebhookRequestOrigin"];
        else if (c.auth !== "valid") want = authOutcome[c.auth];
        else if (c.contentType === null || !okMedia.includes(c.contentType)) want = [415, c.contentType === null ? "UnsupportedMediaType" : badMedia[c.contentType]];
        else want = expected;
        if (answer.status >= 400) {
          s.refused += 1;
          expect(answer.headers["content-type"], label).toBe("application/problem+json");
          expect(answer.json?.code, label).toMatch(/^[A-Z][A-Za-z]+$/);
          const calls = t.scene.counts.calls.length;
          if (calls > 0) s.callsOnRefused += 1;
          expect(t.scene.counts.calls, `${label}: a refusal makes no port call`).toEqual([]);
        } else s.accepted += 1;
        if (want) expect([answer.status, answer.status >= 400 ? answer.json?.code : undefined], label).toEqual(want);
        if (c.method === "POST" && c.auth === "valid" && c.body.kind === "validation" && answer.status === 200) expect(answer.json?.validationResponse, label).toBe("512d38b6-c7b8-40c8-89fe-f46f9e9622b6");

        checkDeletes(t, s, label);
        if (c.method === "POST" && answer.status === 200 && events.length > 0) checkModel(t, events, live, s, label);

        // Event Grid redelivers what it is unsure of: the same delivery again changes nothing.
        if (c.redeliver && answer.status === 200 && body !== undefined && c.method === "POST") {
          const deletesBefore = t.deletes.length;
          const writesBefore = t.scene.counts.calls.filter((x) => x === "registry.save" || x === "journal.append" || x === "notifier.publish").length;
          const again = await callWebhook(t.scene.webhook, { body, ...(tokenOf[c.auth] ? { token: tokenOf[c.auth] } : {}), contentType: c.contentType });
          expect(again.status, `${label} (redelivered)`).toBe(200);
          const writesAfter = t.scene.counts.calls.filter((x) => x === "registry.save" || x === "journal.append" || x === "notifier.publish").length;
          s.redeliveryWrites += writesAfter - writesBefore + (t.deletes.length - deletesBefore);
          expect(t.deletes.length, `${label}: no DELETE on redelivery`).toBe(deletesBefore);
          expect(writesAfter, `${label}: no write on redelivery`).toBe(writesBefore);
        }
        release(c.scene, t);
      }),
      { numRuns: webhookRuns },
    );
    const seconds = (performance.now() - started) / 1000;
    expect(s.cases).toBe(webhookRuns);
    // The generators reach every part: accepted and refused deliveries, genuine and forged revocations.
    expect(s.accepted).toBeGreaterThan(webhookRuns / 10);
    expect(s.refused).toBeGreaterThan(webhookRuns / 10);
    if (webhookRuns >= 1_000) {
      expect(s.genuine).toBeGreaterThan(0);
      expect(s.forged).toBeGreaterThan(0);
    }
    expect(seconds).toBeLessThan(webhookRuns / 400 + 5);
  });

  it(`hands ${triggerRuns} generated cases of events to the trigger's use case: garbage is a validation error, untrusted events are dropped, deletions only when live state confirms them`, async () => {
    const s = stats.trigger;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(triggerCases, async (c) => {
        const n = ++caseCounter;
        let k = 0;
        const t = await sceneFor(c.scene, c.live);
        const live: Live = { deletedSources: new Set(c.live.sources.map((x) => x.toLowerCase())) };
        s.cases += 1;
        const t0 = performance.now();
        if (c.input.kind === "garbage") {
          const label = `case ${n}: garbage ${JSON.stringify(c.input.value)?.slice(0, 200)}`;
          const outcome = await t.scene.trigger(c.input.value).then(
            (o) => ({ ok: true as const, o }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          // Any JSON that is not one event: refused by the parser as a validation error (the host answers 500 and
          // Event Grid redelivers until it gives up), with no port call.
          expect(outcome.ok, label).toBe(false);
          if (!outcome.ok) expect(outcome.error, label).toMatchObject({ kind: "validation", code: "InvalidEventDelivery" });
          expect(t.scene.counts.calls, label).toEqual([]);
          s.events += 1;
          s.refused += 1;
          s.byStatus.set("InvalidEventDelivery", (s.byStatus.get("InvalidEventDelivery") ?? 0) + 1);
        } else {
          // The host invokes the function once per event of a batch, one after the other.
          const built = c.input.events.map((e) => buildEvent(e, `t${n}-${k++}`));
          t.inFlight = built.filter((e) => !e.broken && trusted(e, "trigger"));
          for (const [i, e] of built.entries()) {
            const label = `case ${n} event ${i}: ${JSON.stringify(e.choice).slice(0, 400)}`;
            s.events += 1;
            const before = t.scene.counts.calls.length;
            const result = await t.scene.trigger(e.json).then(
              (o) => ({ ok: true as const, o }),
              (error: unknown) => ({ ok: false as const, error }),
            );
            const calls = t.scene.counts.calls.slice(before);
            const status = !result.ok ? `throws ${String((result.error as { code?: unknown }).code)}` : result.o === undefined ? "dropped (untrusted)" : result.o.status;
            s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
            if (e.broken) {
              expect(result.ok, label).toBe(false);
              if (!result.ok) expect(result.error, label).toMatchObject({ kind: "validation", code: "InvalidEventDelivery" });
            } else {
              if (!result.ok) s.fivexx += 1;
              expect(result.ok ? "ok" : String(result.error), label).toBe("ok");
              if (result.ok) expect(result.o === undefined, `${label}: dropped iff untrusted`).toBe(!trusted(e, "trigger"));
            }
            if (e.broken || !trusted(e, "trigger")) {
              s.refused += 1;
              if (calls.length > 0) s.callsOnRefused += 1;
              expect(calls, `${label}: refused → no port call`).toEqual([]);
            } else s.accepted += 1;
          }
          const handled = built.filter((e) => !e.broken && trusted(e, "trigger"));
          checkDeletes(t, s, `case ${n}`);
          if (handled.length > 0) checkModel(t, handled, live, s, `case ${n}: ${JSON.stringify(handled.map((e) => e.choice)).slice(0, 600)}`);
          if (c.redeliver && handled.length > 0) {
            const deletesBefore = t.deletes.length;
            const writesBefore = t.scene.counts.calls.filter((x) => x === "registry.save" || x === "journal.append" || x === "notifier.publish").length;
            for (const e of handled) await t.scene.trigger(e.json);
            const writesAfter = t.scene.counts.calls.filter((x) => x === "registry.save" || x === "journal.append" || x === "notifier.publish").length;
            s.redeliveryWrites += writesAfter - writesBefore + (t.deletes.length - deletesBefore);
            expect(t.deletes.length, `case ${n}: no DELETE on redelivery`).toBe(deletesBefore);
            expect(writesAfter, `case ${n}: no write on redelivery`).toBe(writesBefore);
          }
        }
        s.maxInMs = Math.max(s.maxInMs, performance.now() - t0);
        release(c.scene, t);
      }),
      { numRuns: triggerRuns },
    );
    const seconds = (performance.now() - started) / 1000;
    expect(s.cases).toBe(triggerRuns);
    expect(s.accepted).toBeGreaterThan(triggerRuns / 10);
    if (triggerRuns >= 1_000) {
      expect(s.genuine).toBeGreaterThan(0);
      expect(s.forged).toBeGreaterThan(0);
    }
    expect(seconds).toBeLessThan(triggerRuns / 400 + 5);
  });
});

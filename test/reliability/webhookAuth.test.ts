// Authentication and authorization matrix of the events webhook (POST /api/events), in-process: the real JWT
// validator, body reader, parser, trust and revocation use case over the revocation fakes with every port call
// counted. Every case sends a delivery that, from Event Grid, would delete a connection (its only assignment is gone
// live): each bad token is a 401, each caller that is not Event Grid and each event of an unconfigured topic or
// tenant a 403, as problem+json, with zero port calls (so zero ARM calls). The control case gets through and deletes.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tamperSignature, unsignedToken, type ApiTokens } from "../support/reliability/apiTokens";
import {
  apiAudience,
  appTopic,
  assignmentDeleted,
  assignments,
  callWebhook,
  cloudEvent,
  createEventGridTokens,
  createEventsScene,
  eventGridClaims,
  eventGridEvent,
  resourceData,
  RESOURCE_DELETE_SUCCESS,
  ASSIGNMENT_DELETE,
  webhookTopic,
} from "../support/reliability/eventsHarness";
import { createResults } from "../support/reliability/results";
import { ids } from "../unit/lib/revocation/revocationWorld";

const otherTenant = "33333333-1111-4111-8111-111111111111";
const revoked = assignments.partnerOnNamespace;
/** The partner connection's only grant deleted, as the partner subscription's topic reports it. */
const genuine = () => [assignmentDeleted("evt-1", revoked)];

interface WebhookAuthCase {
  name: string;
  token: (t: ApiTokens, eventGrid: string) => Promise<string | undefined>;
  body?: () => unknown;
  contentType?: string;
  status: 401 | 403;
  code: string;
}

const eg = eventGridClaims();
const cases: WebhookAuthCase[] = [
  { name: "no token", token: async () => undefined, status: 401, code: "MissingToken" },
  { name: "malformed token", token: async () => "abc.def", status: 401, code: "MalformedToken" },
  { name: "not a bearer token (Basic)", token: async () => undefined, status: 401, code: "MissingToken" },
  { name: "bad signature (another key)", token: (t) => t.craft(eg, { foreignKey: true }), status: 401, code: "InvalidSignature" },
  { name: "bad signature (tampered)", token: async (_t, token) => tamperSignature(token), status: 401, code: "InvalidSignature" },
  {
    name: "alg: none",
    token: async (t) => unsignedToken({ iss: t.issuer, aud: apiAudience, tid: ids.tenantA, oid: eg.objectId, azp: eg.appId, roles: eg.roles, exp: Math.floor(Date.now() / 1000) + 600 }),
    status: 401,
    code: "UnsupportedAlgorithm",
  },
  {
    name: "alg: HS256 (a shared secret instead of Entra's key)",
    token: async (t) =>
      new SignJWT({ tid: ids.tenantA, oid: eg.objectId, azp: eg.appId, roles: eg.roles })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(t.issuer)
        .setAudience(apiAudience)
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode("a-secret-anyone-could-guess-0123456789")),
    status: 401,
    code: "UnsupportedAlgorithm",
  },
  { name: "wrong issuer", token: (t) => t.craft(eg, { issuer: `https://login.microsoftonline.com/${otherTenant}/v2.0` }), status: 401, code: "WrongIssuer" },
  { name: "wrong audience (an ARM token)", token: (t) => t.craft(eg, { audience: "https://management.azure.com/" }), status: 401, code: "WrongAudience" },
  { name: "wrong tenant (tid)", token: (t) => t.craft(eg, { tenantId: otherTenant }), status: 401, code: "WrongTenant" },
  { name: "expired", token: (t) => t.craft(eg, { expiresInSeconds: -3_600 }), status: 401, code: "TokenExpired" },
  { name: "not yet valid", token: (t) => t.craft(eg, { notBeforeInSeconds: 3_600 }), status: 401, code: "TokenNotYetValid" },
  { name: "Event Grid's app without the app role", token: (t) => t.tokenFor(eventGridClaims({ roles: [] })), status: 403, code: "NotEventGrid" },
  { name: "the app role held by another app", token: (t) => t.tokenFor(eventGridClaims({ appId: "11111111-5555-4555-8555-0000000000ff" })), status: 403, code: "NotEventGrid" },
  {
    name: "a pipeline's API token (Connections.Write)",
    token: (t) => t.tokenFor({ objectId: ids.caller, appId: "11111111-5555-4555-8555-000000000003", roles: ["Connections.Read", "Connections.Write"] }),
    status: 403,
    code: "NotEventGrid",
  },
  {
    name: "events from an unconfigured topic",
    token: async (_t, token) => token,
    body: () => {
      const topic = "/subscriptions/44444444-2222-4222-8222-222222222222";
      const uri = `${topic}/providers/Microsoft.Authorization/roleAssignments/5d0e8a9c-1111-4222-8333-944455556666`;
      return [assignmentDeleted("evt-1", uri, ids.tenantB, topic)];
    },
    status: 403,
    code: "EventSourceNotAllowed",
  },
  { name: "events from an unconfigured tenant (allowed topic)", token: async (_t, token) => token, body: () => [assignmentDeleted("evt-1", revoked, otherTenant)], status: 403, code: "EventSourceNotAllowed" },
  {
    name: "events of the app's own tenant (the trigger's side) through the webhook",
    token: async (_t, token) => token,
    body: () => [assignmentDeleted("evt-1", assignments.clusterOnHub, ids.tenantA, appTopic)],
    status: 403,
    code: "EventSourceNotAllowed",
  },
  {
    name: "a resource outside its event's topic",
    token: async (_t, token) => token,
    body: () => [assignmentDeleted("evt-1", assignments.clusterOnHub, ids.tenantB, webhookTopic)],
    status: 403,
    code: "EventSourceNotAllowed",
  },
  {
    name: "one forged event in a batch of genuine ones",
    token: async (_t, token) => token,
    body: () => [assignmentDeleted("evt-1", revoked), assignmentDeleted("evt-2", assignments.partnerOnGroupBackup), assignmentDeleted("evt-3", revoked, otherTenant)],
    status: 403,
    code: "EventSourceNotAllowed",
  },
  {
    name: "CloudEvents from an unconfigured source",
    token: async (_t, token) => token,
    body: () => [
      cloudEvent({ id: "evt-1", topic: `/subscriptions/${ids.subA}`, subject: revoked, type: RESOURCE_DELETE_SUCCESS, data: resourceData({ operationName: ASSIGNMENT_DELETE, resourceUri: revoked, tenantId: ids.tenantB }) }),
    ],
    contentType: "application/cloudevents-batch+json; charset=utf-8",
    status: 403,
    code: "EventSourceNotAllowed",
  },
  {
    name: "validation handshake for an unconfigured topic",
    token: async (_t, token) => token,
    body: () => [eventGridEvent({ id: "v-1", topic: appTopic, subject: "", type: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" } })],
    status: 403,
    code: "EventSourceNotAllowed",
  },
  {
    name: "validation handshake without a token",
    token: async () => undefined,
    body: () => [eventGridEvent({ id: "v-1", topic: webhookTopic, subject: "", type: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" } })],
    status: 401,
    code: "MissingToken",
  },
];

describe("events webhook: authentication and authorization matrix (in-process, counting ports)", () => {
  let tokens: ApiTokens;
  let eventGrid: string;
  const results = createResults("webhookAuth");
  beforeAll(async () => {
    ({ api: tokens, eventGrid } = await createEventGridTokens());
  });
  afterAll(() => results.write());

  async function setup() {
    const scene = await createEventsScene(tokens);
    scene.world.deleteAssignment(revoked);
    return scene;
  }

  it("lets Event Grid's genuine delivery through (the matrix's control case): the same delivery reaches ARM and deletes", async () => {
    const scene = await setup();
    const answer = await callWebhook(scene.webhook, { body: JSON.stringify(genuine()), token: eventGrid });
    expect(answer.status, answer.text).toBe(200);
    expect(scene.counts.arm).toBeGreaterThan(0);
    expect(scene.world.kusto.count("delete")).toBe(1);
    expect(scene.world.registry.all().find((r) => r.key.name === "partner")?.status).toBe("Deleted");
    results.add({
      table: "authentication and authorization",
      operation: "events webhook",
      condition: "control: Event Grid's token, an allowed source's genuine revocation",
      outcome: "200",
      attempts: 1,
      timeInMs: 0,
      inconsistencies: 0,
      notes: `in-process; ARM calls ${scene.counts.arm}, writes ${scene.counts.writes}: the partner connection deleted`,
    });
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s → refused with zero port calls", async (name, c) => {
    const scene = await setup();
    const token = await c.token(tokens, eventGrid);
    const headers: Record<string, string> = name.includes("Basic") ? { authorization: "Basic ZXZlbnRncmlkOnNlY3JldA==" } : {};
    const answer = await callWebhook(scene.webhook, { body: JSON.stringify((c.body ?? genuine)()), ...(token ? { token } : {}), headers, ...(c.contentType ? { contentType: c.contentType } : {}) });
    expect(answer.status, answer.text).toBe(c.status);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(answer.json?.code).toBe(c.code);
    if (c.status === 401) expect(answer.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(scene.counts.calls).toEqual([]);
    expect(scene.world.kusto.count("delete")).toBe(0);
    results.add({
      table: "authentication and authorization",
      operation: "events webhook",
      condition: name,
      outcome: `${answer.status} ${String(answer.json?.code)}`,
      attempts: 1,
      timeInMs: 0,
      inconsistencies: scene.counts.calls.length,
      notes: `in-process; port calls ${scene.counts.calls.length} (ARM ${scene.counts.arm}, writes ${scene.counts.writes}, registry reads ${scene.counts.reads}); ${c.body ? "refused before any event is handled" : "the control case's delivery, which with Event Grid's token deletes a connection"}`,
    });
  });
});

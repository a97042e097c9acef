// Notifications through the emulator's Event Grid custom topic with the real EventGridPublisherClient and
// an Entra token for https://eventgrid.azure.net; failed publishes land in the outbox (Azurite over HTTPS)
// and are delivered by drainOutbox once the cause is fixed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type AzuriteHandle } from "../../../emulator/azurite";
import { startEmulator, type EmulatorHandle } from "../../../emulator/index";
import type { WorldSeed } from "../../../emulator/world/types";
import { createEventGridNotifier, DEFAULT_EVENT_SOURCE, NOTIFICATIONS_NOT_CONFIGURED } from "../../../src/lib/azure/eventGridNotifier";
import { createEventGridPublisher } from "../../../src/lib/azure/eventGridPublisher";
import { createTableOutbox, type Outbox } from "../../../src/lib/azure/outbox";
import type { ConnectionEvent } from "../../../src/lib/connections/ports";
import { httpsJson } from "../../support/httpsJson";

const seed = JSON.parse(readFileSync(path.join(__dirname, "../../../emulator/worlds/demo.json"), "utf8")) as WorldSeed;
const m = seed.meta as Record<string, string>;
const topicId = (name: string): string => `/subscriptions/${m.kustoSubscriptionId}/resourceGroups/${m.kustoResourceGroup}/providers/Microsoft.EventGrid/topics/${name}`;
const connectionId = `/subscriptions/${m.kustoSubscriptionId}/resourceGroups/${m.kustoResourceGroup}/providers/Microsoft.Kusto/clusters/${m.kustoClusterName}/databases/telemetry/dataConnections/events-eh`;

let dir: string;
let emulator: EmulatorHandle;
let azurite: AzuriteHandle;
let counter = 0;

/** The app's managed identity, as a token for Event Grid's data plane. */
const appCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    const token = await emulator.tokens.mint({ tenantId: m.kustoTenantId as string, objectId: m.appIdentityObjectId as string, audience: "https://eventgrid.azure.net" });
    return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

beforeAll(async () => {
  mkdirSync(path.join(process.cwd(), ".local"), { recursive: true });
  dir = mkdtempSync(path.join(process.cwd(), ".local", "notifications-test-"));
  emulator = await startEmulator({ stateDir: path.join(dir, "emulator"), world: seed, timeScale: 0.05 });
  azurite = await startAzurite({ location: path.join(dir, "azurite"), tls: emulator.tls });
});

afterAll(async () => {
  await azurite?.stop();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** PUT Microsoft.EventGrid/topics through ARM as the demo world's subscription owner; returns the endpoint. */
async function createTopic(name: string): Promise<string> {
  const token = await emulator.tokens.mint({ tenantId: m.kustoTenantId as string, objectId: m.adminUserObjectId as string, audience: "https://management.azure.com/" });
  const res = await httpsJson(`${emulator.armEndpoint}${topicId(name)}?api-version=2025-02-15`, {
    ca: emulator.caPem,
    method: "PUT",
    token,
    body: { location: m.location, properties: { inputSchema: "CloudEventSchemaV1_0" } },
  });
  expect(res.status).toBe(201);
  return (res.body as { properties: { endpoint: string } }).properties.endpoint;
}

function grantDataSender(name: string): void {
  emulator.world.createRoleAssignment({ scope: topicId(name), role: "EventGrid Data Sender", principalId: m.appIdentityObjectId as string });
}

async function published(name: string): Promise<{ event: Record<string, unknown>; publisher: string }[]> {
  const res = await httpsJson(`${emulator.adminUrl}/eventgrid/published?topic=${name}`, { ca: emulator.caPem });
  return (res.body as { value: { event: Record<string, unknown>; publisher: string }[] }).value;
}

function newOutbox(): { outbox: Outbox; table: TableClient } {
  const prefix = `n${process.pid}x${++counter}`;
  const tableClient = (table: string): TableClient => TableClient.fromConnectionString(azurite.connectionString, table, { tlsOptions: { ca: emulator.caPem } });
  return { outbox: createTableOutbox({ tableClient, tablePrefix: prefix }), table: tableClient(`${prefix}Outbox`) };
}

const publisher = (endpoint: string) => createEventGridPublisher(endpoint, appCredential, { tlsOptions: { ca: emulator.caPem }, retryOptions: { maxRetries: 0 } });

function event(n: number, at = Date.parse("2025-03-01T10:00:00Z") + n * 1000): ConnectionEvent {
  return { id: `evt-${counter}-${n}`, type: "adx.connection.created", subject: connectionId, time: new Date(at).toISOString(), data: { connectionId, status: "Succeeded", n } };
}

/** The outbox's rows; none when the table was never needed (it is created on first use). */
async function outboxRows(table: TableClient): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  try {
    for await (const row of table.listEntities()) rows.push(row);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}

describe("Event Grid notifier", () => {
  it("publishes a CloudEvent with the app as source and the connection as subject", async () => {
    const endpoint = await createTopic("adx-notify-ok");
    grantDataSender("adx-notify-ok");
    const { outbox, table } = newOutbox();
    const notifier = createEventGridNotifier({ client: publisher(endpoint), outbox });
    const e = event(1);
    expect(await notifier.publish(e)).toEqual({ delivered: true });
    const [stored] = await published("adx-notify-ok");
    expect(stored?.publisher).toBe(m.appIdentityObjectId);
    expect(stored?.event).toMatchObject({
      specversion: "1.0",
      id: e.id,
      type: "adx.connection.created",
      source: DEFAULT_EVENT_SOURCE,
      subject: connectionId,
      time: e.time,
      datacontenttype: "application/json",
      data: e.data,
    });
    await expect(outboxRows(table)).resolves.toEqual([]);
  });

  it("keeps a refused publish (no data-sender role) in the outbox, and delivers it once after the grant", async () => {
    const endpoint = await createTopic("adx-notify-403");
    const { outbox, table } = newOutbox();
    const notifier = createEventGridNotifier({ client: publisher(endpoint), outbox });
    const e = event(1);
    const result = await notifier.publish(e);
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/PublishFailed \(HTTP 40[13]/);
    expect((await outboxRows(table)).map((r) => [r.eventId, r.attempts])).toEqual([[e.id, 1]]);

    // Still refused: the attempt is counted, the event kept.
    expect(await notifier.drainOutbox()).toEqual({ delivered: 0, failed: 1, skipped: 0 });
    expect((await outboxRows(table)).map((r) => [r.eventId, r.attempts, r.leaseUntil])).toEqual([[e.id, 2, ""]]);

    grantDataSender("adx-notify-403");
    expect(await notifier.drainOutbox()).toEqual({ delivered: 1, failed: 0, skipped: 0 });
    await expect(outboxRows(table)).resolves.toEqual([]);
    expect((await published("adx-notify-403")).map((p) => p.event.id)).toEqual([e.id]);
    expect(await notifier.drainOutbox()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
  });

  it("keeps events published to a wrong endpoint and delivers them, oldest first, through the fixed client", async () => {
    const endpoint = await createTopic("adx-notify-fix");
    grantDataSender("adx-notify-fix");
    const { outbox, table } = newOutbox();
    const wrong = createEventGridNotifier({ client: publisher(endpoint.replace("adx-notify-fix", "no-such-topic")), outbox });
    const events = [event(3), event(1), event(2)];
    for (const e of events) expect((await wrong.publish(e)).delivered).toBe(false);
    expect(await outboxRows(table)).toHaveLength(3);

    const fixed = createEventGridNotifier({ client: publisher(endpoint), outbox });
    expect(await fixed.drainOutbox({ maxEvents: 2 })).toEqual({ delivered: 2, failed: 0, skipped: 0 });
    expect((await published("adx-notify-fix")).map((p) => p.event.id)).toEqual([events[1]?.id, events[2]?.id]);
    expect((await outboxRows(table)).map((r) => r.eventId)).toEqual([events[0]?.id]);
    expect(await fixed.drainOutbox({ maxEvents: 10 })).toEqual({ delivered: 1, failed: 0, skipped: 0 });
    expect((await published("adx-notify-fix")).map((p) => p.event.id)).toEqual([events[1]?.id, events[2]?.id, events[0]?.id]);
  });

  it("keeps an event that cannot reach any server at all", async () => {
    const { outbox, table } = newOutbox();
    const notifier = createEventGridNotifier({ client: publisher("https://127.0.0.1:9/api/events"), outbox });
    const result = await notifier.publish(event(1));
    expect(result).toMatchObject({ delivered: false });
    expect(result.error).toMatch(/^PublishFailed \(/);
    expect(await outboxRows(table)).toHaveLength(1);
  });

  it("lets two concurrent drains deliver each event exactly once", async () => {
    const endpoint = await createTopic("adx-notify-race");
    grantDataSender("adx-notify-race");
    const { outbox } = newOutbox();
    const down = createEventGridNotifier({ client: publisher(endpoint.replace("adx-notify-race", "down")), outbox });
    const events = Array.from({ length: 6 }, (_, i) => event(i));
    for (const e of events) await down.publish(e);
    const a = createEventGridNotifier({ client: publisher(endpoint), outbox });
    const b = createEventGridNotifier({ client: publisher(endpoint), outbox });
    const [ra, rb] = await Promise.all([a.drainOutbox(), b.drainOutbox()]);
    expect((ra?.delivered ?? 0) + (rb?.delivered ?? 0)).toBe(6);
    const ids = (await published("adx-notify-race")).map((p) => p.event.id);
    expect([...ids].sort()).toEqual(events.map((e) => e.id).sort());
  });

  it("says NotConfigured and keeps nothing when no topic is configured", async () => {
    const { outbox, table } = newOutbox();
    const notifier = createEventGridNotifier({ outbox });
    expect(await notifier.publish(event(1))).toEqual({ delivered: false, error: NOTIFICATIONS_NOT_CONFIGURED });
    expect(await notifier.drainOutbox()).toEqual({ delivered: 0, failed: 0, skipped: 0 });
    await expect(table.listEntities().next()).rejects.toMatchObject({ statusCode: 404 }); // the table was never needed
  });
});

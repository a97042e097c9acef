// The local Functions host over HTTP against the fixture app (every trigger kind) and a real Azurite.
import { QueueServiceClient } from "@azure/storage-queue";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type AzuriteHandle } from "../../../emulator/azurite";
import { startHost, type HostHandle } from "../../../emulator/host";
import { buildFixtureApp, createTempDir } from "./fixtureApp";

interface LogEntry {
  time: string;
  level: string;
  category: string;
  message: string;
  functionName?: string;
  invocationId?: string;
}

let azurite: AzuriteHandle;
let host: HostHandle;
let appRoot: string;
let logFile: string;
let queues: QueueServiceClient;
let dataDir: string;

function readLog(): LogEntry[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogEntry);
}

async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutInMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("Timed out waiting for the condition.");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const userLogs = (functionName: string) => readLog().filter((e) => e.category === "user" && e.functionName === functionName);
const base64 = (text: string) => Buffer.from(text).toString("base64");

beforeAll(async () => {
  dataDir = createTempDir("hostE2e-");
  [azurite, appRoot] = await Promise.all([startAzurite({ location: join(dataDir, "azurite") }), buildFixtureApp()]);
  logFile = join(appRoot, "host.log");
  host = await startHost({
    appRoot,
    port: 0,
    logFile,
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      TICK_SCHEDULE: "*/1 * * * * *",
      WORK_QUEUE: "Work-Items",
      FIXTURE_MARK_DIR: appRoot,
    },
  });
  queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  for (const dir of [dataDir, appRoot]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("HTTP triggers", () => {
  it("routes under host.json's routePrefix with constraints, params, query, headers and body", async () => {
    const hello = await fetch(`${host.url}/fx/hello/bob`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe("hello bob");

    const put = await fetch(`${host.url}/fx/items/12?q=x`, { method: "PUT", headers: { "x-test": "yes" }, body: "payload" });
    expect(put.status).toBe(200);
    expect(put.headers.get("content-type")).toBe("application/json");
    expect(await put.json()).toEqual({ id: "12", method: "PUT", q: "x", header: "yes", body: "payload" });
  });

  it("prefers the literal route and falls back to the catch-all and optional parameters", async () => {
    expect(await (await fetch(`${host.url}/fx/items/new`)).json()).toEqual({ literal: true });
    expect(await (await fetch(`${host.url}/fx/files/a/b/c.txt`)).json()).toEqual({ rest: "a/b/c.txt" });
    expect(await (await fetch(`${host.url}/fx/opt`)).json()).toEqual({ x: null });
    expect(await (await fetch(`${host.url}/fx/opt/3`)).json()).toEqual({ x: "3" });
  });

  it("answers 404 when no route matches (constraint included) and 405 when only the method differs", async () => {
    expect((await fetch(`${host.url}/fx/hello/b0b`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/hello/bob`)).status).toBe(404);
    const wrongMethod = await fetch(`${host.url}/fx/items/12`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
  });

  it("maps HttpResponseInit status, headers, raw body and cookies", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const res = await fetch(`${host.url}/fx/echo`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bytes });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-echo")).toBe("1");
    expect(res.headers.get("set-cookie")).toBe("session=abc; path=/; samesite=strict; httponly");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it("turns a handler error into a 500 and a logged error, and keeps serving", async () => {
    const res = await fetch(`${host.url}/fx/boom`);
    expect(res.status).toBe(500);
    await waitFor(() => readLog().find((e) => e.functionName === "boom" && e.level === "error" && e.message.includes("boom from handler")));
    expect((await fetch(`${host.url}/fx/hello/alice`)).status).toBe(200);
  });
});

describe("Event Grid webhook", () => {
  const url = (fn: string) => `${host.url}/runtime/webhooks/eventgrid?functionName=${fn}`;
  const post = (fn: string, body: unknown, eventType?: string) =>
    fetch(url(fn), { method: "POST", headers: { "content-type": "application/json", ...(eventType ? { "aeg-event-type": eventType } : {}) }, body: JSON.stringify(body) });
  const event = (id: string, subject = "/subscriptions/x") => ({
    id,
    subject,
    eventType: "Microsoft.Resources.ResourceDeleteSuccess",
    eventTime: "2026-03-01T10:00:00Z",
    data: {},
    dataVersion: "",
    metadataVersion: "1",
    topic: "/subscriptions/x",
  });

  it("completes the subscription validation handshake", async () => {
    const res = await post("onResourceEvent", [{ id: "v", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode: "CODE-1" } }], "SubscriptionValidation");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: "CODE-1" });
  });

  it("runs the function once per event of a notification array, then answers 202", async () => {
    const res = await post("onResourceEvent", [event("ev-1"), event("ev-2")], "Notification");
    expect(res.status).toBe(202);
    const messages = userLogs("onResourceEvent").map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining(["event ev-1 Microsoft.Resources.ResourceDeleteSuccess", "event ev-2 Microsoft.Resources.ResourceDeleteSuccess"]));
  });

  it("accepts a single event object", async () => {
    expect((await post("onResourceEvent", event("ev-single"), "Notification")).status).toBe(202);
    expect(userLogs("onResourceEvent").some((e) => e.message.startsWith("event ev-single"))).toBe(true);
  });

  it("answers 500 when an invocation fails, so Event Grid redelivers", async () => {
    const res = await post("onResourceEvent", [event("ev-ok"), event("ev-bad", "fail")], "Notification");
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("refusing ev-bad");
  });

  it("answers 404 for an unknown function and 400 without aeg-event-type", async () => {
    expect((await post("nope", [event("x")], "Notification")).status).toBe(404);
    expect((await post("hello", [event("x")], "Notification")).status).toBe(404);
    expect((await post("onResourceEvent", [event("x")])).status).toBe(400);
  });

  it("answers the CloudEvents OPTIONS handshake", async () => {
    const res = await fetch(url("onResourceEvent"), { method: "OPTIONS", headers: { "WebHook-Request-Origin": "eventgrid.azure.net", "WebHook-Request-Rate": "120" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    expect(res.headers.get("webhook-allowed-rate")).toBe("*");
  });
});

describe("timer triggers", () => {
  it("fires on its %SETTING% schedule with the camel-cased timer payload", async () => {
    const entry = await waitFor(() => userLogs("tick").find((e) => e.message.startsWith("tick ")));
    const timer = JSON.parse(entry.message.slice("tick ".length)) as { isPastDue: boolean; schedule: { adjustForDST: boolean }; scheduleStatus: { next: string } };
    expect(timer.schedule).toEqual({ adjustForDST: true });
    expect(timer.isPastDue).toBe(false);
    expect(new Date(timer.scheduleStatus.next).getUTCMilliseconds()).toBe(0);
  });

  it("runs a timer function on demand through the admin API", async () => {
    const res = await fetch(`${host.url}/admin/functions/yearly`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: "" }) });
    expect(res.status).toBe(202);
    const entry = await waitFor(() => userLogs("yearly").find((e) => e.message.startsWith("yearly ")));
    expect(entry.message).toMatch(/^yearly isPastDue=false next=\d{4}-01-01T00:00:00\.000Z$/);
  });


  it("retries a failing timer run by its fixedDelay policy, with the retry context", async () => {
    expect((await fetch(`${host.url}/admin/functions/flaky`, { method: "POST", body: "{}" })).status).toBe(202);
    await waitFor(() => userLogs("flaky").find((e) => e.message.startsWith("flaky attempt=2")));
    expect(userLogs("flaky").filter((e) => e.message.startsWith("flaky")).map((e) => e.message)).toEqual(["flaky attempt=1 retryCount=0", "flaky attempt=2 retryCount=1"]);
  });
});

describe("storage queue triggers", () => {
  it("processes a base64 message from the queue named by %WORK_QUEUE% (lower-cased) with its metadata", async () => {
    const queue = queues.getQueueClient("work-items");
    await waitFor(() => queue.exists());
    const sent = await queue.sendMessage(base64(JSON.stringify({ shard: 7 })));
    const entry = await waitFor(() => userLogs("work").find((e) => e.message.includes(sent.messageId)));
    expect(entry.message).toBe(`work {"shard":7} dequeueCount=1 id=${sent.messageId}`);
    await waitFor(async () => (await queue.getProperties()).approximateMessagesCount === 0);
  });

  it("moves a message whose handler always fails to <queue>-poison after 5 dequeues", async () => {
    const queue = queues.getQueueClient("fails");
    await waitFor(() => queue.exists());
    const text = base64("doomed");
    await queue.sendMessage(text);
    const poison = queues.getQueueClient("fails-poison");
    const poisoned = await waitFor(async () => (await poison.exists()) && (await poison.peekMessages()).peekedMessageItems[0], 20_000);
    expect(poisoned.messageText).toBe(text);
    expect(userLogs("alwaysFails").filter((e) => e.message.startsWith("failing")).map((e) => e.message)).toEqual([1, 2, 3, 4, 5].map((n) => `failing dequeueCount=${n}`));
    expect((await queue.peekMessages()).peekedMessageItems).toEqual([]);
  });

  it("runs a queue function on demand with the admin input", async () => {
    expect((await fetch(`${host.url}/admin/functions/work`, { method: "POST", body: JSON.stringify({ input: "by hand" }) })).status).toBe(202);
    const entry = await waitFor(() => userLogs("work").find((e) => e.message.startsWith('work "by hand"')));
    expect(entry.message).toBe('work "by hand" dequeueCount=1 id=undefined');
  });
});

describe("admin API", () => {
  it("reports the host running and lists registrations", async () => {
    expect(await (await fetch(`${host.url}/admin/host/status`)).json()).toMatchObject({ state: "Running" });
    const functions = (await (await fetch(`${host.url}/admin/functions`)).json()) as Array<Record<string, unknown>>;
    expect(functions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "itemById", triggerType: "httpTrigger", route: "fx/items/{id:int}", methods: ["GET", "PUT"] }),
        expect.objectContaining({ name: "tick", triggerType: "timerTrigger", schedule: "%TICK_SCHEDULE%" }),
        expect.objectContaining({ name: "work", triggerType: "queueTrigger", queueName: "%WORK_QUEUE%" }),
        expect.objectContaining({ name: "onResourceEvent", triggerType: "eventGridTrigger" }),
      ]),
    );
    expect((await fetch(`${host.url}/admin/functions/nope`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});

describe("hooks and lifecycle", () => {
  it("runs pre- and post-invocation hooks around each invocation, sharing hookData", async () => {
    await fetch(`${host.url}/fx/hello/hooks`);
    const messages = userLogs("hello").map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining(["preInvocation hello", "postInvocation hello error=no hookData=true"]));
    expect(userLogs("boom").map((e) => e.message)).toContain("postInvocation boom error=yes hookData=true");
  });

  it("ran appStart at startup and runs appTerminate on a graceful stop", async () => {
    const marks = () => readFileSync(join(appRoot, "marks.txt"), "utf8").split("\n").filter(Boolean);
    expect(marks()).toEqual(["appStart"]);
    await host.stop();
    expect(marks()).toEqual(["appStart", "appTerminate"]);
    expect(() => process.kill(host.pid, 0)).toThrow();
  });
});

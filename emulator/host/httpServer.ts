// The host's HTTP front: HTTP triggers under the route prefix, the Event Grid extension webhook and the admin API,
// each turned into an RPC-shaped invocation and back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { RpcHttpCookie, RpcHttpData, RpcInvocationResponse, RpcTypedData } from "./coreTypes";
import { decideEventGridRequest, replyToDispatch, type WebhookReply } from "./eventGridWebhook";
import { getTriggerBinding, type FunctionRegistry, type RegisteredFunction } from "./functionRegistry";
import type { HostLogger } from "./hostLogger";
import { createHttpRoutes, resolveHttpRoute, type HttpRoute } from "./httpRouter";
import type { Invoker } from "./invoker";
import type { TimerTriggers } from "./timerTriggers";

export interface HostServerOptions {
  registry: FunctionRegistry;
  invoker: Invoker;
  routePrefix: string;
  timers: TimerTriggers;
  logger: HostLogger;
  hostVersion: string;
}

const maxBodyBytes = 100 * 1024 * 1024;

export interface HostServer {
  server: Server;
  /** Waits for admin-started invocations still running. */
  drain(): Promise<void>;
}

export function createHostServer(options: HostServerOptions): HostServer {
  const { registry, invoker, logger } = options;
  const routes = createHttpRoutes(
    [...registry.functions.values()]
      .filter((fn) => getTriggerBinding(fn).type.toLowerCase() === "httptrigger")
      .map((fn) => {
        const { binding } = getTriggerBinding(fn);
        const methods = Array.isArray(binding.methods) ? binding.methods.map(String) : [];
        return { functionName: fn.metadata.name, ...(typeof binding.route === "string" ? { route: binding.route } : {}), methods };
      }),
    options.routePrefix,
  );
  const startedAt = Date.now();
  const background = new Set<Promise<unknown>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const path = url.pathname;
    const lower = path.toLowerCase();

    if (lower === "/admin/host/status" && req.method === "GET") {
      return sendJson(res, 200, { id: "local", state: "Running", version: options.hostVersion, processUptime: Date.now() - startedAt });
    }
    if (lower === "/admin/functions" && req.method === "GET") {
      return sendJson(res, 200, [...registry.functions.values()].map((fn) => describeFunction(fn, routes, url.origin)));
    }
    const adminInvoke = /^\/admin\/functions\/([^/]+)$/i.exec(path);
    if (adminInvoke && req.method === "POST") return adminRun(decodeURIComponent(adminInvoke[1] ?? ""), body, res);
    if (lower === "/runtime/webhooks/eventgrid") return eventGridWebhook(req, url, body, res);

    const resolution = resolveHttpRoute(routes, req.method ?? "GET", path);
    if (resolution.kind === "notFound") return send(res, { status: 404 });
    if (resolution.kind === "methodNotAllowed") return send(res, { status: 405, headers: { allow: resolution.allowed.join(", ") } });
    const fn = registry.functions.get(resolution.route.functionName);
    if (!fn) return send(res, { status: 404 });
    return httpTrigger(fn, req, url, body, resolution.params, res);
  }

  async function httpTrigger(fn: RegisteredFunction, req: IncomingMessage, url: URL, body: Buffer, params: Record<string, string>, res: ServerResponse): Promise<void> {
    const trigger = getTriggerBinding(fn);
    const headers = flattenHeaders(req);
    const query: Record<string, string> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(",");
    const http: RpcHttpData = { method: req.method ?? "GET", url: url.toString(), headers, query, params, ...(body.length > 0 ? { body: { bytes: body } } : {}) };
    const triggerMetadata: Record<string, RpcTypedData> = { Query: { json: JSON.stringify(query) }, Headers: { json: JSON.stringify(headers) } };
    for (const [key, value] of Object.entries(params)) triggerMetadata[key] = { string: value };
    const outcome = await invoker.invoke(fn, { inputData: [{ name: trigger.name, data: { http } }], triggerMetadata }, "This function was programmatically called via the host APIs.");
    if (!outcome.ok) return send(res, { status: 500 });
    const output = findHttpOutput(fn, outcome.response);
    if (!output) return send(res, { status: 204 });
    writeRpcHttp(res, output);
  }

  async function eventGridWebhook(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<void> {
    const functionName = url.searchParams.get("functionName") ?? undefined;
    const fn = functionName ? registry.functions.get(functionName) : undefined;
    const isEventGrid = fn !== undefined && getTriggerBinding(fn).type.toLowerCase() === "eventgridtrigger";
    const decision = decideEventGridRequest({ method: req.method ?? "GET", functionName, functionExists: isEventGrid, headers: flattenHeaders(req), body: body.toString("utf8") });
    if (decision.kind === "reply" || !fn) {
      if (decision.kind === "reply") return send(res, decision.reply);
      return send(res, { status: 404 });
    }
    const trigger = getTriggerBinding(fn);
    const outcomes: Array<{ ok: true } | { ok: false; message: string }> = [];
    // One invocation per event (single dispatch), one after the other.
    for (const event of decision.events) {
      const outcome = await invoker.invoke(fn, { inputData: [{ name: trigger.name, data: { json: JSON.stringify(event) } }], triggerMetadata: {} }, "EventGrid trigger fired");
      outcomes.push(outcome.ok ? { ok: true } : { ok: false, message: outcome.error.message });
    }
    send(res, replyToDispatch(outcomes));
  }

  function adminRun(name: string, body: Buffer, res: ServerResponse): void {
    const fn = registry.functions.get(name);
    if (!fn) return send(res, { status: 404 });
    const trigger = getTriggerBinding(fn);
    const type = trigger.type.toLowerCase();
    if (type === "httptrigger") return send(res, { status: 400, body: "HTTP-triggered functions are called on their route." });
    let input = "";
    try {
      const parsed = body.length > 0 ? (JSON.parse(body.toString("utf8")) as { input?: unknown }) : {};
      input = parsed.input === undefined || parsed.input === null ? "" : String(parsed.input);
    } catch {
      return send(res, { status: 400, body: "The body must be JSON: {\"input\": \"...\"}." });
    }
    const reason = "This function was programmatically called via the host APIs.";
    let run: Promise<unknown>;
    if (type === "timertrigger") {
      run = options.timers.runNow(fn, reason);
    } else {
      const data: RpcTypedData = type === "eventgridtrigger" ? { json: input || "{}" } : { string: input };
      const triggerMetadata: Record<string, RpcTypedData> = type === "queuetrigger" ? { QueueTrigger: { string: input }, DequeueCount: { json: "1" } } : {};
      run = invoker.invoke(fn, { inputData: [{ name: trigger.name, data }], triggerMetadata }, reason);
    }
    const tracked = run.catch((err: unknown) => logger.system("error", `Admin run of '${name}' failed: ${String(err)}`, { functionName: name }));
    background.add(tracked);
    void tracked.finally(() => background.delete(tracked));
    send(res, { status: 202 });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the host (never the app: invocation errors are outcomes) must not take the process down.
      logger.system("error", `Request ${req.method} ${req.url} failed in the host: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) send(res, { status: 500 });
      else res.destroy();
    });
  });
  return {
    server,
    async drain() {
      await Promise.allSettled([...background]);
    },
  };
}

export function describeFunction(fn: RegisteredFunction, routes: readonly HttpRoute[], origin: string): Record<string, unknown> {
  const { binding, type } = getTriggerBinding(fn);
  const description: Record<string, unknown> = { name: fn.metadata.name, triggerType: type };
  switch (type.toLowerCase()) {
    case "httptrigger": {
      const route = routes.find((r) => r.functionName === fn.metadata.name);
      description.route = route?.template.text;
      description.methods = route?.methods;
      description.invokeUrlTemplate = route ? `${origin}/${route.template.text}` : undefined;
      break;
    }
    case "timertrigger":
      description.schedule = binding.schedule;
      description.runOnStartup = binding.runOnStartup === true;
      break;
    case "queuetrigger":
      description.queueName = binding.queueName;
      description.connection = binding.connection ?? "AzureWebJobsStorage";
      break;
    case "eventgridtrigger":
      description.invokeUrlTemplate = `${origin}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(fn.metadata.name)}`;
      break;
  }
  return description;
}

function findHttpOutput(fn: RegisteredFunction, response: RpcInvocationResponse): RpcHttpData | undefined {
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (binding.direction !== "out" || binding.type?.toLowerCase() !== "http") continue;
    const data = name === "$return" ? response.returnValue : response.outputData?.find((o) => o.name === name)?.data;
    return data?.http ?? undefined;
  }
  return undefined;
}

function writeRpcHttp(res: ServerResponse, http: RpcHttpData): void {
  const status = Number(http.statusCode ?? "200") || 200;
  for (const [key, value] of Object.entries(http.headers ?? {})) res.setHeader(key, value);
  const cookies = (http.cookies ?? []).map(toSetCookie);
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = toBodyBuffer(http.body);
  res.statusCode = status;
  res.end(status === 204 || status === 304 ? undefined : body);
}

function toBodyBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.string === "string") return Buffer.from(data.string, "utf8");
  if (typeof data.json === "string") return Buffer.from(data.json, "utf8");
  if (typeof data.int === "number" || typeof data.double === "number") return Buffer.from(String(data.int ?? data.double));
  return Buffer.alloc(0);
}

/** Serialises an RPC cookie the way the host writes Set-Cookie. */
export function toSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ""}=${cookie.value ?? ""}`];
  if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`path=${cookie.path.value}`);
  const expires = cookie.expires?.value?.seconds;
  if (typeof expires === "number") parts.push(`expires=${new Date(expires * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === "number") parts.push(`max-age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push("secure");
  if (cookie.sameSite === "lax") parts.push("samesite=lax");
  else if (cookie.sameSite === "strict") parts.push("samesite=strict");
  else if (cookie.sameSite === "explicitNone") parts.push("samesite=none");
  if (cookie.httpOnly?.value) parts.push("httponly");
  return parts.join("; ");
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error("Request body too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: WebhookReply): void {
  res.statusCode = reply.status;
  for (const [key, value] of Object.entries(reply.headers ?? {})) res.setHeader(key, value);
  res.end(reply.body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, { status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(value) });
}

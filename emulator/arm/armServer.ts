// The ARM front door: an HTTPS server that does what management.azure.com does before and after a
// resource provider sees a request (faults, routing, api-version, tokens, tenant, auxiliary tokens,
// throttling, RBAC, body parsing, ARM headers, Resource*Success events, the request log).
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseResourceId } from "../world/resourceId";
import type { World } from "../world/world";
import { ARM_AUDIENCES, armErrors, toErrorBody } from "./armErrors";
import { parseAuxiliaryHeader } from "./auxiliaryHeader";
import { builtInProvider } from "./builtInRoutes";
import { createClock, type EmulatorClock } from "./clock";
import {
  ArmError,
  type ArmOperationRecord,
  type ArmOperationSink,
  type ArmRequest,
  type ArmResponse,
  type CallerIdentity,
  type EmulatorContext,
  type HttpMethod,
  type ResourceProvider,
  type RouteDefinition,
  type TokenService,
} from "./contract";
import { createFaultInjector, type FaultInjector } from "./faults";
import { createLroManager, type EmulatorLroManager, type LroRecord } from "./lroManager";
import { createRbac, toEvidence, type Rbac } from "./rbac";
import { createRequestLog, type RequestLog, type RequestLogEntry } from "./requestLog";
import { createRouteTable, pathSegments, type RouteTable } from "./routeTable";
import { createThrottle, type Throttle, type ThrottleClass } from "./throttle";
import { readBody } from "../http/readBody";
import type { ActionRecorder } from "./actionLog";

/** Handles a request outside ARM (admin API, Event Grid data plane); resolves false when it is not its path. */
export type SideHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;

export interface ArmServerOptions {
  world: World;
  tokens: TokenService;
  tls: { certPem: string; keyPem: string };
  providers: readonly ResourceProvider[];
  /** Receives Resource{Write,Delete,Action}Success operations (Event Grid's sink). */
  sink?: ArmOperationSink;
  port?: number;
  host?: string;
  throttling?: boolean;
  clock?: EmulatorClock;
  /** authorization_uri of WWW-Authenticate challenges (the emulated authority); default the public cloud's. */
  authorityHost?: () => string;
  /** Random source for fault rates (tests make it deterministic). */
  random?: () => number;
  /** Receives every authorized action (the least-privilege measurement); see actionLog.ts. */
  onAuthorized?: ActionRecorder;
}

export interface ArmServer {
  origin: string;
  port: number;
  context: EmulatorContext;
  clock: EmulatorClock;
  rbac: Rbac;
  throttle: Throttle;
  faults: FaultInjector;
  requestLog: RequestLog;
  lro: EmulatorLroManager;
  /** Handlers tried before ARM routing, in order (the admin API, Event Grid's data plane). */
  use(handler: SideHandler): void;
  close(): Promise<void>;
}

const METHODS: readonly HttpMethod[] = ["GET", "PUT", "PATCH", "POST", "DELETE"];
const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/i;

/** Per-request facts the context needs later (identityForTenant's error wording). */
interface RequestFacts {
  action: string;
  scope: string;
}

export async function startArmServer(options: ArmServerOptions): Promise<ArmServer> {
  const { world, tokens } = options;
  const clock = options.clock ?? createClock();
  const rbac = createRbac(world);
  const throttle = createThrottle({ now: clock.now, enabled: options.throttling ?? true });
  const faults = createFaultInjector(options.random);
  const requestLog = createRequestLog();
  const sideHandlers: SideHandler[] = [];
  const facts = new WeakMap<ArmRequest, RequestFacts>();
  /** Events of accepted async requests, published when their operation succeeds (as ARM does). */
  const pendingEvents = new Map<string, ArmOperationRecord>();
  const sink = options.sink;

  const lro = createLroManager({
    clock,
    shouldFail: (o) => (o.path ? faults.shouldFailLro(o.path) : false),
    onSettled: (record: LroRecord) => {
      const pending = pendingEvents.get(record.operationId);
      pendingEvents.delete(record.operationId);
      if (pending && record.status === "Succeeded") publish({ ...pending, time: new Date(clock.now()) });
    },
  });

  const context: EmulatorContext = {
    world,
    rbac: {
      isAllowed: (principal, action, scope, kind) => {
        const allowed = rbac.isAllowed(principal, action, scope, kind);
        if (allowed) recordAuthorized(principal, action, scope, kind, "linked", undefined);
        return allowed;
      },
    },
    identityForTenant(req, tenantId) {
      if (req.caller.tenantId.toLowerCase() === tenantId.toLowerCase()) return req.caller;
      const aux = req.auxiliary.find((a) => a.tenantId.toLowerCase() === tenantId.toLowerCase());
      if (aux) return aux;
      const f = facts.get(req);
      const linked = [...world.subscriptions.values()].filter((s) => s.tenantId.toLowerCase() === tenantId.toLowerCase()).map((s) => s.id);
      throw armErrors.linkedAuthorizationFailed(f?.action ?? "", f?.scope ?? req.path, req.caller.tenantId, linked[0] ?? tenantId);
    },
    lro,
    faults: { shouldFailLro: (path) => faults.shouldFailLro(path) },
    clock: { now: () => clock.now(), timeScale: () => clock.timeScale() },
  };

  const providers = [...options.providers, builtInProvider(lro)];
  const routes: RouteTable = createRouteTable(providers);
  const versionsByNamespace = new Map<string, Set<string>>();
  for (const p of providers) {
    const set = versionsByNamespace.get(p.namespace.toLowerCase()) ?? new Set<string>();
    for (const r of p.routes) for (const v of r.apiVersions) set.add(v);
    versionsByNamespace.set(p.namespace.toLowerCase(), set);
  }

  function recordAuthorized(
    principal: { objectId: string; tenantId?: string },
    action: string,
    scope: string,
    kind: "action" | "dataAction",
    via: "request" | "authenticatedOnly" | "linked",
    method: string | undefined,
  ): void {
    if (!options.onAuthorized) return;
    const tenantId = principal.tenantId ?? world.getPrincipal(principal.objectId)?.tenantId;
    options.onAuthorized({ time: new Date(clock.now()).toISOString(), principal: { objectId: principal.objectId, tenantId }, action, scope, kind, via, method });
  }

  function publish(record: ArmOperationRecord): void {
    try {
      sink?.publish(record);
    } catch (error) {
      console.error("[arm] event sink failed", error);
    }
  }

  const server: Server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      console.error("[arm] unhandled", error);
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(toErrorBody(armErrors.internal())));
      } else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    for (const h of sideHandlers) if (await h(req, res, body)) return;

    const started = performance.now();
    const requestId = randomUUID();
    const clientRequestId = headerValue(req, "x-ms-client-request-id");
    const correlationId = headerValue(req, "x-ms-correlation-request-id") ?? randomUUID();
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1));
    const apiVersion = query.get("api-version") ?? undefined;
    const log: Omit<RequestLogEntry, "sequence" | "status" | "durationInMs" | "errorCode"> = {
      time: new Date(clock.now()).toISOString(),
      method,
      path: rawPath,
      apiVersion,
      principal: undefined,
      auxiliaryTenants: [],
      action: undefined,
      requestId,
      correlationId,
      clientRequestId,
      fault: undefined,
    };
    const headers: Record<string, string> = {
      "x-ms-request-id": requestId,
      "x-ms-correlation-request-id": correlationId,
      "x-ms-routing-request-id": `LOCAL:${new Date(clock.now()).toISOString().replace(/[-:.]/g, "")}:${requestId}`,
      ...(clientRequestId ? { "x-ms-client-request-id": clientRequestId } : {}),
      "Cache-Control": "no-cache",
      Pragma: "no-cache",
      Expires: "-1",
    };

    const send = (status: number, payload: unknown, extra: Record<string, string> = {}, errorCode?: string) => {
      const all = { ...headers, ...extra };
      if (payload !== undefined && status !== 204) {
        const text = JSON.stringify(payload);
        res.writeHead(status, { ...all, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
        res.end(text);
      } else {
        res.writeHead(status, all);
        res.end();
      }
      requestLog.add({ ...log, status, errorCode, durationInMs: Math.round((performance.now() - started) * 100) / 100 });
    };
    const sendError = (error: ArmError) => send(error.status, toErrorBody(error), error.headers, error.code);

    try {
      // Faults first: they stand for trouble between the client and ARM.
      const latency = faults.latencyInMs(method, rawPath);
      if (latency > 0) await sleep(latency);
      const fault = faults.decide(method, rawPath);
      if (fault.kind === "reset") {
        requestLog.add({ ...log, fault: fault.rule.id, status: 0, errorCode: "ConnectionReset", durationInMs: performance.now() - started });
        req.socket.destroy();
        return;
      }
      if (fault.kind === "throttle") {
        log.fault = fault.rule.id;
        return sendError(
          new ArmError(429, "TooManyRequests", "The request is being throttled (injected by the emulator's fault settings).", {
            "Retry-After": String(fault.retryAfterSeconds),
          }),
        );
      }
      if (fault.kind === "error") {
        log.fault = fault.rule.id;
        const code = fault.status === 503 ? "ServiceUnavailable" : fault.status === 502 ? "BadGateway" : "InternalServerError";
        return sendError(new ArmError(fault.status, code, `The service failed to process the request (injected by the emulator's fault settings, status ${fault.status}).`));
      }

      if (!METHODS.includes(method as HttpMethod)) throw armErrors.methodNotAllowed(method);
      let path: string;
      try {
        path = "/" + pathSegments(rawPath).map(decodeURIComponent).join("/");
      } catch {
        throw new ArmError(400, "InvalidRequestUri", `The request URI '${rawPath}' is not valid.`);
      }
      log.path = path;

      const match = routes.match(method as HttpMethod, path);
      if (match.kind === "methodNotAllowed") throw armErrors.methodNotAllowed(method);
      if (match.kind === "notFound") throw unknownRoute(path, apiVersion);
      const route = match.route;

      checkApiVersion(route, match.namespace, path, apiVersion);
      const caller = await authenticate(req);
      log.principal = { objectId: caller.objectId, tenantId: caller.tenantId, appId: caller.appId };

      const segments = pathSegments(path);
      const subscriptionId = segments[0]?.toLowerCase() === "subscriptions" ? segments[1] : undefined;
      if (subscriptionId) {
        const subscription = world.subscriptions.get(subscriptionId.toLowerCase());
        if (subscription && subscription.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
          throw armErrors.wrongTenant(caller.tenantId, subscription.tenantId);
        }
        if (!subscription) throw armErrors.subscriptionNotFound(subscriptionId);
      }

      const auxiliary: CallerIdentity[] = [];
      const auxTokens = parseAuxiliaryHeader(req.headers["x-ms-authorization-auxiliary"]);
      for (const [index, token] of auxTokens.entries()) {
        try {
          auxiliary.push(await tokens.verify(token, ARM_AUDIENCES));
        } catch (error) {
          if (!(error instanceof ArmError)) throw error;
          throw new ArmError(
            401,
            error.code,
            `The auxiliary token at position ${index + 1} in the 'x-ms-authorization-auxiliary' header is not valid: ${error.message}`,
            error.headers,
          );
        }
      }
      log.auxiliaryTenants = auxiliary.map((a) => a.tenantId);

      const armRequest: ArmRequest = {
        method: method as HttpMethod,
        path,
        query,
        apiVersion: apiVersion as string,
        headers: req.headers,
        body: undefined,
        params: match.params,
        caller,
        auxiliary,
        requestId,
        correlationId,
        url: new URL(`https://${req.headers.host ?? "localhost"}${rawUrl.startsWith("/") ? rawUrl.replace(/^\/+/, "/") : "/" + rawUrl}`),
      };
      const action = typeof route.action === "function" ? route.action(armRequest) : route.action;
      const scope = route.scope?.(armRequest) ?? path;
      log.action = action;
      facts.set(armRequest, { action, scope });

      const cls: ThrottleClass = route.throttleClass ?? (method === "GET" ? "read" : method === "DELETE" ? "delete" : "write");
      const decision = throttle.take(subscriptionId ?? `tenant:${caller.tenantId}`, caller.objectId, cls);
      const remainingHeader = subscriptionId ? `x-ms-ratelimit-remaining-subscription-${cls}s` : `x-ms-ratelimit-remaining-tenant-${cls}s`;
      headers[remainingHeader] = String(decision.remaining);
      if (!decision.allowed) throw armErrors.throttled(cls, subscriptionId ?? caller.tenantId, caller.objectId, decision.retryAfterSeconds);

      const grant = route.authorization === "authenticated" ? undefined : rbac.findGrant(caller.objectId, action, scope, "action");
      if (!grant && route.authorization !== "authenticated") {
        const client = caller.claims.upn ?? caller.claims.unique_name ?? caller.appId ?? caller.objectId;
        throw armErrors.authorizationFailed(client, caller.objectId, action, scope);
      }
      recordAuthorized(caller, action, scope, "action", grant ? "request" : "authenticatedOnly", method);

      // Only after access checks, as ARM: an unauthorized caller learns nothing about the resource group.
      if (segments.length > 4 && segments[2]?.toLowerCase() === "resourcegroups" && subscriptionId) {
        const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${segments[3]}`;
        if (!world.getResource(rgId)) throw armErrors.resourceGroupNotFound(segments[3] as string);
      }

      if (body.length > 0 && method !== "GET" && method !== "DELETE") {
        try {
          armRequest.body = JSON.parse(body.toString("utf8"));
        } catch (error) {
          throw armErrors.invalidRequestContent((error as Error).message);
        }
      }

      const response = await route.handler(armRequest, context);
      send(response.status, response.body, response.headers ?? {});

      if (method !== "GET" && response.status >= 200 && response.status < 300 && response.event !== false) {
        const record = toOperation(armRequest, req, response, action, scope, grant ? toEvidence(grant) : {}, clientRequestId);
        const operationId = asyncOperationId(response);
        if (operationId && response.status === 202 && lro.status(operationId) === "Running") pendingEvents.set(operationId, record);
        else publish(record);
      }
    } catch (error) {
      if (error instanceof ArmError) {
        const extra = error.status === 401 ? { "WWW-Authenticate": challenge(error), ...error.headers } : error.headers;
        return send(error.status, toErrorBody(error), extra, error.code);
      }
      console.error(`[arm] ${method} ${rawPath} failed`, error);
      sendError(armErrors.internal());
    }
  }

  function challenge(error: ArmError): string {
    if (error.headers["WWW-Authenticate"]) return error.headers["WWW-Authenticate"];
    const authority = options.authorityHost?.() ?? "https://login.windows.net/";
    const description =
      error.code === "AuthenticationFailed" ? "The authentication failed because of missing 'Authorization' header." : error.message;
    return `Bearer authorization_uri="${authority}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
  }

  async function authenticate(req: IncomingMessage): Promise<CallerIdentity> {
    const header = headerValue(req, "authorization");
    if (!header) throw armErrors.missingAuthorization();
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw armErrors.malformedAuthorization();
    return tokens.verify(match[1] as string, ARM_AUDIENCES);
  }

  function checkApiVersion(route: RouteDefinition, namespace: string, path: string, apiVersion: string | undefined): void {
    if (apiVersion === undefined || apiVersion === "") throw armErrors.missingApiVersion();
    if (route.apiVersions.includes("*") || route.apiVersions.includes(apiVersion)) return;
    const known = versionsByNamespace.get(namespace.toLowerCase());
    if (!API_VERSION_PATTERN.test(apiVersion) || !known?.has(apiVersion)) throw armErrors.invalidApiVersion(apiVersion, route.apiVersions);
    throw armErrors.noRegisteredProvider(apiVersion, resourceTypeOf(path, namespace), locationOf(path), route.apiVersions);
  }

  function locationOf(path: string): string {
    const segments = pathSegments(path);
    if (segments[2]?.toLowerCase() === "resourcegroups" && segments[1]) {
      const rg = world.getResource(`/subscriptions/${segments[1]}/resourceGroups/${segments[3] ?? ""}`);
      if (rg && typeof rg.body.location === "string") return rg.body.location;
    }
    return "global";
  }

  function unknownRoute(path: string, apiVersion: string | undefined): ArmError {
    const segments = pathSegments(path);
    const providersAt = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
    const namespace = providersAt >= 0 ? segments[providersAt + 1] : undefined;
    if (!namespace) return new ArmError(404, "NotFound", `The requested path '${path}' was not found.`);
    if (!routes.hasNamespace(namespace)) return armErrors.invalidResourceNamespace(namespace);
    return armErrors.invalidResourceType(resourceTypeOf(path, namespace), namespace, apiVersion ?? "");
  }

  function toOperation(
    armRequest: ArmRequest,
    req: IncomingMessage,
    response: ArmResponse,
    action: string,
    scope: string,
    evidence: Record<string, string>,
    clientRequestId: string | undefined,
  ): ArmOperationRecord {
    const method = armRequest.method;
    const event = response.event || undefined;
    const resourceUri = event?.resourceUri ?? (method === "POST" ? armRequest.path.replace(/\/[^/]+$/, "") : armRequest.path);
    let resourceProvider = "";
    let subscriptionId = "";
    let resourceGroup: string | undefined;
    try {
      const parsed = parseResourceId(resourceUri);
      resourceProvider = parsed.namespace;
      subscriptionId = parsed.subscriptionId ?? "";
      resourceGroup = parsed.resourceGroup;
    } catch {
      const segments = pathSegments(resourceUri);
      subscriptionId = segments[0]?.toLowerCase() === "subscriptions" ? (segments[1] ?? "") : "";
    }
    return {
      eventType:
        method === "DELETE"
          ? "Microsoft.Resources.ResourceDeleteSuccess"
          : method === "POST"
            ? "Microsoft.Resources.ResourceActionSuccess"
            : "Microsoft.Resources.ResourceWriteSuccess",
      resourceUri,
      operationName: event?.operationName ?? action,
      resourceProvider,
      subscriptionId,
      resourceGroup,
      tenantId: (subscriptionId && world.tenantOfSubscription(subscriptionId)) || armRequest.caller.tenantId,
      caller: armRequest.caller,
      authorization: { scope, action, evidence },
      correlationId: armRequest.correlationId,
      httpRequest: {
        clientRequestId: clientRequestId ?? randomUUID(),
        clientIpAddress: normalizeIp(req.socket.remoteAddress),
        method,
        url: armRequest.url.toString(),
      },
      time: new Date(clock.now()),
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://127.0.0.1:${port}`;

  return {
    origin,
    port,
    context,
    clock,
    rbac,
    throttle,
    faults,
    requestLog,
    lro,
    use: (handler) => void sideHandlers.push(handler),
    async close() {
      lro.reset();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** "clusters/databases" for a Kusto database path (the type without its namespace), or the namespace. */
function resourceTypeOf(path: string, namespace: string): string {
  try {
    const parsed = parseResourceId(path);
    return parsed.type.slice(parsed.namespace.length + 1);
  } catch {
    // A collection path (.../dataConnections): drop the trailing type segment's missing name.
    try {
      const parsed = parseResourceId(path + "/x");
      return parsed.type.slice(parsed.namespace.length + 1);
    } catch {
      return namespace;
    }
  }
}

function asyncOperationId(response: ArmResponse): string | undefined {
  const header = Object.entries(response.headers ?? {}).find(([k]) => k.toLowerCase() === "azure-asyncoperation")?.[1];
  return header ? /operationResults\/([^/?]+)/i.exec(header)?.[1] : undefined;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function normalizeIp(ip: string | undefined): string {
  return (ip ?? "127.0.0.1").replace(/^::ffff:/, "");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


// The contract between the ARM front door (authentication, api-version, RBAC, throttling, faults,
// request log, event emission) and the resource providers (emulator/providers/*), which only
// implement routes. Providers never parse tokens or check the caller's RBAC for the route's own
// action: the front door did, before calling them.
import type { IncomingHttpHeaders } from "node:http";
import type { World } from "../world/world";

export type HttpMethod = "GET" | "PUT" | "PATCH" | "POST" | "DELETE";

/** A principal proven by a validated bearer token (the primary one, or an auxiliary one). */
export interface CallerIdentity {
  tenantId: string;
  objectId: string;
  /** `appid`/`azp` claim: the client application (a managed identity's client ID for MI tokens). */
  appId: string | undefined;
  /** All claims of the token, as ARM puts them into events' `data.claims` (stringified values). */
  claims: Record<string, string>;
}

export interface ArmRequest {
  method: HttpMethod;
  /** Path as sent (percent-decoded), without the query string. */
  path: string;
  query: URLSearchParams;
  apiVersion: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** Values of the route template's `{placeholders}`, in the casing sent. */
  params: Record<string, string>;
  caller: CallerIdentity;
  /** Validated `x-ms-authorization-auxiliary` tokens (at most 3), one per other tenant. */
  auxiliary: CallerIdentity[];
  requestId: string;
  correlationId: string;
  /** Absolute URL the client used (scheme, host, path, query): for building Location/Azure-AsyncOperation. */
  url: URL;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Override of the Resource{Write,Delete,Action}Success event the front door emits for a successful
   * mutating request, or `false` to emit none (a POST that ARM treats as a read, such as
   * checkNameAvailability). Default: derived from the method, the route's action and the request path.
   */
  event?: false | { resourceUri?: string; operationName?: string };
}

/** ARM's error body `{"error":{"code","message"}}` with an HTTP status; thrown by providers. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = "ArmError";
  }
}

export interface RouteDefinition {
  method: HttpMethod;
  /**
   * Path template, matched case-insensitively on literal segments, e.g.
   * "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters/{clusterName}".
   * `{scope*}` matches one or more segments (extension resources: role assignments at any scope).
   */
  path: string;
  /** api-versions the route accepts; anything else gets ARM's InvalidApiVersionParameter / NoRegisteredProviderFound 400. */
  apiVersions: readonly string[];
  /**
   * The RBAC action ARM checks for the caller before the provider sees the request, at `scope`
   * (e.g. "Microsoft.Kusto/clusters/databases/dataConnections/write"). It is also the event's operationName.
   */
  action: string | ((req: ArmRequest) => string);
  /** The resource ID the action is checked at; defaults to the request path. */
  scope?: (req: ArmRequest) => string;
  /**
   * "rbac" (default): the caller must hold `action` at `scope`. "authenticated": a valid token (and, under a
   * subscription, one of its tenant) is enough — as ARM treats provider operation lists and the polling of
   * async operations, which a caller with a resource-group-scoped role must be able to do.
   */
  authorization?: "rbac" | "authenticated";
  /** Request class for throttling; defaults from the method (GET → read, DELETE → delete, else write). */
  throttleClass?: "read" | "write" | "delete";
  handler(req: ArmRequest, ctx: EmulatorContext): Promise<ArmResponse> | ArmResponse;
}

export interface ResourceProvider {
  namespace: string;
  routes: RouteDefinition[];
}

/** What the front door gives every provider. */
export interface EmulatorContext {
  world: World;
  /** Independent RBAC evaluation (not src/lib's): does the principal hold `action` at `scope`? */
  rbac: {
    isAllowed(principal: { objectId: string }, action: string, scope: string, kind: "action" | "dataAction"): boolean;
  };
  /**
   * The identity that speaks for `tenantId` in this request: the primary caller when the token is from
   * that tenant, otherwise the auxiliary token for it. Throws ArmError 403 LinkedAuthorizationFailed (ARM's status) when
   * there is none: this is how a body that links another tenant's resource is refused.
   */
  identityForTenant(req: ArmRequest, tenantId: string): CallerIdentity;
  /** Long-running operations, with injectable failure and a time scale. */
  lro: LroManager;
  faults: {
    /** True when the admin API asked that LROs on this path end Failed. */
    shouldFailLro(path: string): boolean;
  };
  clock: {
    now(): number;
    /** Multiply simulated durations (LRO run times, Event Grid retry delays) by this. */
    timeScale(): number;
  };
}

export type LroStatus = "Running" | "Succeeded" | "Failed" | "Canceled";

export interface LroStartOptions {
  /** e.g. "Microsoft.Kusto": the operationResults URL is /subscriptions/{s}/providers/{namespace}/locations/{location}/operationResults/{id}. */
  namespace: string;
  subscriptionId: string;
  location: string;
  apiVersion: string;
  /** Base URL for the Azure-AsyncOperation/Location headers (scheme://host:port). */
  origin: string;
  operationKind: string;
  /** Simulated duration before completion, in ms (scaled by the clock's time scale). */
  durationInMs: number;
  /** Runs when the operation completes; throwing (or an injected LRO fault) ends it Failed. */
  complete(): void | Promise<void>;
  /** Runs instead of complete() when it fails: to leave the resource in a Failed provisioning state. */
  fail?(error: { code: string; message: string }): void | Promise<void>;
  /** Final GET of the Location URL returns this (for final-state-via: location). Default: 200 with no body / 204. */
  finalResult?(): ArmResponse;
  /** The request path that started it: lets the admin API's "LRO ends Failed" faults apply without the provider asking. */
  path?: string;
}

export interface LroHandle {
  operationId: string;
  /** Azure-AsyncOperation, Location and Retry-After headers for the 201/202 response. */
  headers: Record<string, string>;
}

export interface LroManager {
  start(options: LroStartOptions): LroHandle;
  /** For tests and the admin API: current status of an operation. */
  status(operationId: string): LroStatus | undefined;
  /** Resolves when every running operation has finished (tests; clean shutdown). */
  drain(): Promise<void>;
}

/** One successful mutating ARM request, as the front door hands it to Event Grid (emulator/eventgrid). */
export interface ArmOperationRecord {
  eventType:
    | "Microsoft.Resources.ResourceWriteSuccess"
    | "Microsoft.Resources.ResourceDeleteSuccess"
    | "Microsoft.Resources.ResourceActionSuccess";
  /** Resource the operation targeted (the event's subject and data.resourceUri). */
  resourceUri: string;
  /** The RBAC action, e.g. "Microsoft.Authorization/roleAssignments/delete". */
  operationName: string;
  resourceProvider: string;
  subscriptionId: string;
  resourceGroup: string | undefined;
  /** Tenant of the subscription (the event's data.tenantId). */
  tenantId: string;
  caller: CallerIdentity;
  /** The caller's authorization: the scope and action checked, and the assignment that allowed it. */
  authorization: { scope: string; action: string; evidence: Record<string, string> };
  correlationId: string;
  httpRequest: { clientRequestId: string; clientIpAddress: string; method: HttpMethod; url: string };
  time: Date;
}

/** Where the front door sends successful mutating operations (Event Grid system topics subscribe). */
export interface ArmOperationSink {
  publish(operation: ArmOperationRecord): void;
}

/** Entra-like token service: signs and verifies the JWTs of every identity in the world. */
export interface TokenService {
  /**
   * Issuer of a tenant's tokens, in the real Entra form (https://login.microsoftonline.com/{tenantId}/v2.0), so
   * federated-credential issuers and JWT validation settings read exactly as in Azure; the keys are the emulator's.
   */
  issuer(tenantId: string): string;
  /** Signs a JWT for a principal (`tid`, `oid`, `sub`, `appid`/`azp`, `aud`, `iss`, `iat`, `nbf`, `exp`, `roles`). */
  mint(input: {
    tenantId: string;
    objectId: string;
    appId?: string;
    audience: string;
    roles?: string[];
    lifetimeInSeconds?: number;
    extraClaims?: Record<string, unknown>;
  }): Promise<string>;
  /** Verifies signature, expiry and audience; throws ArmError 401 (InvalidAuthenticationToken...) otherwise. */
  verify(token: string, audience: string | readonly string[]): Promise<CallerIdentity>;
}

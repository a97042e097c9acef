// The HTTP API over ConnectionsService: authenticate first (401 before anything else), then read and validate
// the request (413/415/400 with zero service calls), call one use case, map its outcome. No business logic.
import type { TokenValidator, Caller } from "../auth/caller";
import { parseConnectionKey } from "../connections/schema/parseConnectionKey";
import { invalidRequest, parseUpsertRequest, type UpsertRequest } from "../connections/schema/parseUpsertRequest";
import type { ConnectionKey } from "../connections/model";
import type { ConnectionsService } from "../connections/service";
import { isAppError, type Problem } from "../errors";
import type { Logger } from "../logging/logger";
import { getCorrelationId } from "./correlation";
import { withCorrelation } from "../telemetry/correlation";
import type { HttpRequestLike, HttpResult } from "./httpTypes";
import { parseListQuery } from "./listQuery";
import { invalidQuery, parsePageQuery, toNextLink } from "./pageQuery";
import { toProblemResponse } from "./problem";
import { readJsonBody } from "./readJsonBody";
import { connectionHref, operationHref, toConnectionView, toEtagHeader, toJournalEntryView, toOperationView, toValidationReportView } from "./views";

export interface ConnectionsApiDeps {
  /** Lazily: the composition root builds it on first use. */
  getService(): ConnectionsService;
  getTokenValidator(): TokenValidator;
  /** What a 202 (or a running operation) tells clients to wait before polling; default 5 s. */
  pollAfterInSeconds?: number;
}

export type ApiHandler = (request: HttpRequestLike, logger: Logger) => Promise<HttpResult>;

export interface ConnectionsApi {
  upsert: ApiHandler;
  validate: ApiHandler;
  get: ApiHandler;
  list: ApiHandler;
  delete: ApiHandler;
  journal: ApiHandler;
  getOperation: ApiHandler;
}

const operationIdPattern = /^[A-Za-z0-9._~:-]{1,200}$/;

export function createConnectionsApi(deps: ConnectionsApiDeps): ConnectionsApi {
  const pollAfter = String(deps.pollAfterInSeconds ?? 5);

  /** Authentication, correlation and the error boundary every route shares. */
  const authenticated =
    (action: (request: HttpRequestLike, caller: Caller, correlationId: string) => Promise<HttpResult>): ApiHandler =>
    async (request, logger) => {
      const correlationId = getCorrelationId(request.headers);
      const instance = pathOf(request.url);
      try {
        const caller = await deps.getTokenValidator().validate(request.headers.get("authorization"));
        if (!caller.ok) {
          logger.warn("Caller not authenticated", { correlationId, code: caller.error.code });
          return toProblemResponse(caller.error, { correlationId, instance });
        }
        // The use case's ARM requests (reads and operation polls too) carry the route's correlation ID.
        const result = await withCorrelation(correlationId, () => action(request, caller.value, correlationId));
        result.headers["x-correlation-id"] = correlationId;
        if (result.status >= 400) logger.warn("Request refused", { correlationId, status: result.status, caller: caller.value.objectId });
        return result;
      } catch (error) {
        logger.error("Request failed", {
          correlationId,
          code: isAppError(error) ? error.code : "InternalError",
          error: error instanceof Error ? error.name : typeof error,
        });
        return toProblemResponse(error, { correlationId, instance });
      }
    };

  const problem = (error: unknown, request: HttpRequestLike, correlationId: string) =>
    toProblemResponse(error, { correlationId, instance: pathOf(request.url) });

  /** Route + body, every problem at once; HTTP-level failures (413/415/malformed JSON) are returned as such. */
  async function readUpsert(request: HttpRequestLike): Promise<{ httpError?: unknown; problems: Problem[]; key?: ConnectionKey; parsed?: UpsertRequest }> {
    const key = parseConnectionKey(request.params);
    const body = await readJsonBody(request);
    if (!body.ok) return { httpError: body.error, problems: [] };
    const parsed = parseUpsertRequest(body.value);
    const problems = [...(key.ok ? [] : key.error.problems), ...(parsed.ok ? [] : parsed.error.problems)];
    return { problems, ...(key.ok ? { key: key.value } : {}), ...(parsed.ok ? { parsed: parsed.value } : {}) };
  }

  return {
    upsert: authenticated(async (request, caller, correlationId) => {
      const input = await readUpsert(request);
      if (input.httpError) return problem(input.httpError, request, correlationId);
      if (!input.key || !input.parsed) return problem(invalidRequest(input.problems), request, correlationId);
      const key = input.key;
      const outcome = await deps.getService().upsert({ caller, key, ...input.parsed, correlationId });
      if (!outcome.ok) return problem(outcome.error, request, correlationId);
      const value = outcome.value;
      const body = JSON.stringify(toConnectionView(value.connection));
      const etag = toEtagHeader(value.connection.etag);
      switch (value.status) {
        case "created":
          return json(201, body, { ...etag, location: absolute(request.url, connectionHref(key)) });
        case "accepted":
          return json(202, body, { location: absolute(request.url, operationHref(value.operationId)), "retry-after": pollAfter });
        default:
          return json(200, body, etag);
      }
    }),

    validate: authenticated(async (request, caller, correlationId) => {
      const input = await readUpsert(request);
      if (input.httpError) return problem(input.httpError, request, correlationId);
      // Schema problems are a validation result like any other: same report, no call to the service.
      if (!input.key || !input.parsed) return json(200, JSON.stringify({ valid: false, problems: input.problems }));
      const report = await deps.getService().validate({ caller, key: input.key, ...input.parsed, correlationId });
      if (!report.ok) return problem(report.error, request, correlationId);
      return json(200, JSON.stringify(toValidationReportView(report.value)));
    }),

    get: authenticated(async (request, caller, correlationId) => {
      const key = parseConnectionKey(request.params);
      if (!key.ok) return problem(key.error, request, correlationId);
      const connection = await deps.getService().get(caller, key.value);
      if (!connection.ok) return problem(connection.error, request, correlationId);
      return json(200, JSON.stringify(toConnectionView(connection.value)), toEtagHeader(connection.value.etag));
    }),

    list: authenticated(async (request, caller, correlationId) => {
      const query = parseListQuery(request.query);
      if (!query.ok) return problem(invalidQuery(query.error), request, correlationId);
      const page = await deps.getService().list(caller, query.value.filter, query.value.page);
      if (!page.ok) return problem(page.error, request, correlationId);
      return json(200, pageBody(page.value.items.map(toConnectionView), toNextLink(request.url, page.value.continuationToken)));
    }),

    delete: authenticated(async (request, caller, correlationId) => {
      const key = parseConnectionKey(request.params);
      if (!key.ok) return problem(key.error, request, correlationId);
      const outcome = await deps.getService().delete(caller, key.value, correlationId);
      if (!outcome.ok) return problem(outcome.error, request, correlationId);
      if (outcome.value.status === "accepted") {
        return { status: 202, headers: { location: absolute(request.url, operationHref(outcome.value.operationId)), "retry-after": pollAfter, "cache-control": "no-store" } };
      }
      return { status: 204, headers: { "cache-control": "no-store" } };
    }),

    journal: authenticated(async (request, caller, correlationId) => {
      const key = parseConnectionKey(request.params);
      const page = parsePageQuery(request.query);
      const problems = [...(key.ok ? [] : key.error.problems), ...(page.ok ? [] : page.error)];
      if (!key.ok || !page.ok) return problem(invalidRequest(problems), request, correlationId);
      const entries = await deps.getService().journal(caller, key.value, page.value);
      if (!entries.ok) return problem(entries.error, request, correlationId);
      return json(200, pageBody(entries.value.items.map(toJournalEntryView), toNextLink(request.url, entries.value.continuationToken)));
    }),

    getOperation: authenticated(async (request, caller, correlationId) => {
      const id = request.params.id ?? "";
      if (!operationIdPattern.test(id)) {
        return problem(invalidRequest([{ code: "InvalidOperationId", message: "is not an operation ID this API issued", path: "/route/id" }]), request, correlationId);
      }
      const operation = await deps.getService().getOperation(caller, id);
      if (!operation.ok) return problem(operation.error, request, correlationId);
      const headers: Record<string, string> = operation.value.status === "Running" ? { "retry-after": pollAfter } : {};
      return json(200, JSON.stringify(toOperationView(operation.value)), headers);
    }),
  };
}

function json(status: number, body: string, headers: Record<string, string> = {}): HttpResult {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers }, body };
}

function pageBody(value: unknown[], nextLink: string | undefined): string {
  return JSON.stringify(nextLink === undefined ? { value } : { value, nextLink });
}

function absolute(requestUrl: string, path: string): string {
  return new URL(path, requestUrl).toString();
}

function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

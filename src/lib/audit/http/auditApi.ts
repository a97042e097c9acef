// The audit's HTTP routes over AuditService: authenticate (401 first), then one use case, then the response.
// POST /audits → 202 + Location; GET /audits/latest; GET /audits/{runId}; GET /audits/{runId}/report.html.
import type { TokenValidator, Caller } from "../../auth/caller";
import { AppError, isAppError } from "../../errors";
import type { Logger } from "../../logging/logger";
import { getCorrelationId } from "../../http/correlation";
import type { HttpRequestLike, HttpResult } from "../../http/httpTypes";
import { toProblemResponse } from "../../http/problem";
import { toReportHtml } from "../reportHtml";
import type { AuditRunView, AuditService } from "../service";

export interface AuditApiDeps {
  getService(): AuditService;
  getTokenValidator(): TokenValidator;
  /** What a 202 and a running run tell clients to wait before polling; default 10 s. */
  pollAfterInSeconds?: number;
}

export type AuditApiHandler = (request: HttpRequestLike, logger: Logger) => Promise<HttpResult>;

const runIdPattern = /^[A-Za-z0-9-]{1,80}$/;

export function toRunView(view: AuditRunView) {
  const { etag: _etag, ...run } = view.run;
  return { ...run, shards: view.shards, links: { self: `/api/audits/${run.runId}`, report: `/api/audits/${run.runId}/report.html` } };
}

export function createAuditApi(deps: AuditApiDeps) {
  const pollAfter = String(deps.pollAfterInSeconds ?? 10);
  const authenticated =
    (action: (request: HttpRequestLike, caller: Caller) => Promise<HttpResult>): AuditApiHandler =>
    async (request, logger) => {
      const correlationId = getCorrelationId(request.headers);
      const instance = new URL(request.url).pathname;
      try {
        const caller = await deps.getTokenValidator().validate(request.headers.get("authorization"));
        if (!caller.ok) return toProblemResponse(caller.error, { correlationId, instance });
        const result = await action(request, caller.value);
        if (result.status >= 400) logger.warn("Audit request refused", { correlationId, status: result.status, caller: caller.value.objectId });
        result.headers["x-correlation-id"] = correlationId;
        return result;
      } catch (error) {
        logger.error("Audit request failed", { correlationId, code: isAppError(error) ? error.code : "InternalError" });
        return toProblemResponse(error, { correlationId, instance });
      }
    };
  const problem = (error: unknown, request: HttpRequestLike) => toProblemResponse(error, { correlationId: getCorrelationId(request.headers), instance: new URL(request.url).pathname });
  const json = (status: number, value: unknown, headers: Record<string, string> = {}): HttpResult => ({
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: JSON.stringify(value),
  });
  const runId = (request: HttpRequestLike) => {
    const id = request.params.runId ?? "";
    if (runIdPattern.test(id)) return id;
    throw new AppError("validation", "InvalidRunId", "The run ID is not one this API issued.", { problems: [{ code: "InvalidRunId", message: "is not a run ID", path: "/route/runId" }] });
  };
  const runResponse = (view: AuditRunView) => json(200, toRunView(view), view.run.status === "running" ? { "retry-after": pollAfter } : {});

  return {
    start: authenticated(async (request, caller) => {
      const run = await deps.getService().start(caller);
      if (!run.ok) return problem(run.error, request);
      const location = new URL(`/api/audits/${run.value.runId}`, request.url).toString();
      return json(202, toRunView({ run: run.value, shards: { completed: 0, incomplete: 0, failed: 0, pending: run.value.clusterIds.length } }), { location, "retry-after": pollAfter });
    }),
    latest: authenticated(async (request, caller) => {
      const view = await deps.getService().getLatest(caller);
      return view.ok ? runResponse(view.value) : problem(view.error, request);
    }),
    get: authenticated(async (request, caller) => {
      const view = await deps.getService().getRun(caller, runId(request));
      return view.ok ? runResponse(view.value) : problem(view.error, request);
    }),
    reportHtml: authenticated(async (request, caller) => {
      const report = await deps.getService().getReport(caller, runId(request));
      if (!report.ok) return problem(report.error, request);
      return {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'", "x-content-type-options": "nosniff" },
        body: toReportHtml(report.value),
      };
    }),
  };
}

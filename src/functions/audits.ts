// HTTP routes of the audit (app role Audit.Run, Entra token validated in code, hence authLevel anonymous):
// POST /api/audits, GET /api/audits/latest, GET /api/audits/{runId}, GET /api/audits/{runId}/report.html.
import { app, type HttpHandler } from "@azure/functions";
import { createAuditApi, type AuditApiDeps, type AuditApiHandler } from "../lib/audit/http/auditApi";
import { createInvocationLogger } from "../lib/http/invocationLogger";
import { getRoot } from "./root";

const adapt =
  (handler: AuditApiHandler): HttpHandler =>
  (request, context) =>
    handler(request, createInvocationLogger(context));

/** The handlers over any service and validator (tests inject fakes). */
export function createAuditHandlers(deps: AuditApiDeps) {
  const api = createAuditApi(deps);
  return { start: adapt(api.start), latest: adapt(api.latest), get: adapt(api.get), reportHtml: adapt(api.reportHtml) };
}

const handlers = createAuditHandlers({ getService: () => getRoot().audit, getTokenValidator: () => getRoot().tokenValidator });
const anonymous = "anonymous" as const;
app.http("auditsStart", { methods: ["POST"], authLevel: anonymous, route: "audits", handler: handlers.start });
app.http("auditsLatest", { methods: ["GET"], authLevel: anonymous, route: "audits/latest", handler: handlers.latest });
app.http("auditsGet", { methods: ["GET"], authLevel: anonymous, route: "audits/{runId}", handler: handlers.get });
app.http("auditsReport", { methods: ["GET"], authLevel: anonymous, route: "audits/{runId}/report.html", handler: handlers.reportHtml });

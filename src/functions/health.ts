// GET /api/health: version and reachability of storage and ARM.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { checkHealth } from "../lib/health/checkHealth";
import { getRoot } from "./root";

export async function health(_request: HttpRequest): Promise<HttpResponseInit> {
  const { settings, healthProbes } = getRoot();
  const report = await checkHealth({ version: settings.version, probes: healthProbes });
  return { status: report.status === "healthy" ? 200 : 503, jsonBody: report, headers: { "cache-control": "no-store" } };
}

app.http("health", { methods: ["GET"], authLevel: "anonymous", route: "health", handler: health });

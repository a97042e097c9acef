// GET /api/health: version, reachability of storage and ARM, and whether the bundles ran from their code cache
// (the one way to see, in Azure, that the cache the build shipped is the one V8 accepts there).
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { basename } from "node:path";
import { codeCacheOutcomes } from "../boot/loadBundle";
import { checkHealth } from "../lib/health/checkHealth";
import { getRoot } from "./root";

export async function health(_request: HttpRequest): Promise<HttpResponseInit> {
  const { settings, healthProbes } = getRoot();
  const codeCache = Object.fromEntries(Object.entries(codeCacheOutcomes()).map(([file, outcome]) => [basename(file), outcome]));
  const report = await checkHealth({ version: settings.version, probes: healthProbes, codeCache });
  return { status: report.status === "healthy" ? 200 : 503, jsonBody: report, headers: { "cache-control": "no-store" } };
}

app.http("health", { methods: ["GET"], authLevel: "anonymous", route: "health", handler: health });

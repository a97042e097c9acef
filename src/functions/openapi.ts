// GET /api/openapi.json (anonymous): the API's OpenAPI 3.1 document, generated from the request schemas.
import { app, type HttpResponseInit } from "@azure/functions";
import { buildOpenApiDocument } from "../lib/http/openApiDocument";
import { getRoot } from "./root";

let document: string | undefined;

export async function getOpenApi(): Promise<HttpResponseInit> {
  const { settings } = getRoot();
  document ??= JSON.stringify(buildOpenApiDocument({ version: settings.version, ...(settings.api.audiences[0] ? { audience: settings.api.audiences[0] } : {}) }));
  return { status: 200, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300" }, body: document };
}

app.http("openApi", { methods: ["GET"], authLevel: "anonymous", route: "openapi.json", handler: getOpenApi });

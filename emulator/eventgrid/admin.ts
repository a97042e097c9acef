// Admin API of Event Grid under /__admin/eventgrid: what was delivered, dead-lettered, dropped, queued
// and published, the injection settings, and clearing. For tests and for people debugging locally.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeliveryEngine, DeliverySettings } from "./deliveryEngine";
import type { PublishedEvent } from "./dataPlane";

export interface AdminDeps {
  engine: DeliveryEngine;
  published(): PublishedEvent[];
  clearPublished(): void;
}

const PREFIX = "/__admin/eventgrid";

export async function handleEventGridAdmin(deps: AdminDeps, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "");
  if (path !== PREFIX && !path.startsWith(PREFIX + "/")) return false;
  const what = path.slice(PREFIX.length + 1);
  const method = req.method ?? "GET";
  const q = url.searchParams;
  if (method === "GET" && what === "deliveries") return send(res, 200, { value: deps.engine.deliveries(q.get("subscription") ?? undefined) });
  if (method === "GET" && what === "deadletters") return send(res, 200, { value: deps.engine.deadLetters() });
  if (method === "GET" && what === "dropped") return send(res, 200, { value: deps.engine.dropped() });
  if (method === "GET" && what === "pending") return send(res, 200, { value: deps.engine.pending() });
  if (method === "GET" && what === "published") {
    const topic = q.get("topic")?.toLowerCase();
    return send(res, 200, { value: deps.published().filter((p) => !topic || p.topicName.toLowerCase() === topic || p.topicId.toLowerCase() === topic) });
  }
  if (method === "GET" && what === "settings") return send(res, 200, deps.engine.getSettings());
  if ((method === "POST" || method === "PUT" || method === "PATCH") && what === "settings") {
    let patch: unknown;
    try {
      patch = body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
    } catch {
      return send(res, 400, { error: { code: "BadRequest", message: "settings body must be JSON" } });
    }
    const error = validateSettings(patch);
    if (error) return send(res, 400, { error: { code: "BadRequest", message: error } });
    return send(res, 200, deps.engine.updateSettings(patch as Partial<DeliverySettings>));
  }
  if ((method === "POST" && what === "clear") || (method === "DELETE" && what === "")) {
    deps.engine.clear();
    deps.clearPublished();
    return send(res, 204, undefined);
  }
  return send(res, 404, { error: { code: "NotFound", message: `No Event Grid admin route ${method} ${path}` } });
}

function validateSettings(patch: unknown): string | undefined {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return "settings must be a JSON object";
  const p = patch as Record<string, unknown>;
  const known = ["duplicateRate", "reorderWindowInMs", "timeScale", "deliveryTimeoutInMs", "maxConcurrentDeliveries"];
  for (const key of Object.keys(p)) if (!known.includes(key)) return `unknown setting '${key}' (known: ${known.join(", ")})`;
  const num = (k: string, min: number, max: number, nullable: boolean): string | undefined => {
    if (!(k in p)) return undefined;
    const v = p[k];
    if (v === null && nullable) return undefined;
    return typeof v === "number" && v >= min && v <= max ? undefined : `${k} must be a number in [${min}, ${max}]${nullable ? " or null" : ""}`;
  };
  return (
    num("duplicateRate", 0, 1, false) ??
    num("reorderWindowInMs", 0, 3_600_000, false) ??
    num("timeScale", 0, 1000, true) ??
    num("deliveryTimeoutInMs", 1, 600_000, true) ??
    num("maxConcurrentDeliveries", 1, 1000, false)
  );
}

function send(res: ServerResponse, status: number, payload: unknown): true {
  if (payload === undefined) {
    res.writeHead(status);
    res.end();
    return true;
  }
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
  return true;
}

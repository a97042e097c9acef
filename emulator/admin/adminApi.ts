// The emulator's admin API (`/__admin/...`, not ARM): worlds, tokens for any principal, fault injection,
// the request log and settings. Unauthenticated: it only listens on the loopback interface.
import type { ServerResponse } from "node:http";
import type { ArmServer, SideHandler } from "../arm/armServer";
import type { TokenService } from "../arm/contract";
import type { FaultRule } from "../arm/faults";
import type { WorldSeed } from "../world/types";
import type { World } from "../world/world";

export interface AdminApiOptions {
  world: World;
  tokens: TokenService;
  arm: ArmServer;
  /** The seed POST /__admin/reset goes back to. */
  initialSeed: () => WorldSeed | undefined;
  /** Event Grid's own admin paths (`/__admin/eventgrid/...`). */
  eventGridAdmin?: SideHandler;
  /** Clears Event Grid's state on world replacement and reset. */
  resetEventGrid?: () => void;
}

const PREFIX = "/__admin";

class BadRequest extends Error {}

export function createAdminApi(options: AdminApiOptions): SideHandler {
  const { world, tokens, arm } = options;

  function replaceWorld(seed: WorldSeed | undefined): void {
    arm.lro.reset();
    arm.throttle.reset();
    world.reset();
    if (seed) world.load(seed);
    options.resetEventGrid?.();
  }

  return async (req, res, body) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    if (url.pathname !== PREFIX && !url.pathname.startsWith(PREFIX + "/")) return false;
    if (url.pathname.toLowerCase().startsWith(`${PREFIX}/eventgrid`) && options.eventGridAdmin) {
      if (await options.eventGridAdmin(req, res, body)) return true;
    }
    const route = url.pathname.slice(PREFIX.length).replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    try {
      const json = () => parseJson(body);
      if (route === "/health" && method === "GET") return send(res, 200, { status: "ok" });

      if (route === "/world" && method === "GET") return send(res, 200, snapshot(world));
      if (route === "/world" && (method === "POST" || method === "PUT")) {
        const seed = json() as WorldSeed;
        if (!seed || !Array.isArray(seed.tenants) || !Array.isArray(seed.subscriptions) || !Array.isArray(seed.principals)) {
          throw new BadRequest("A world seed needs tenants, subscriptions and principals arrays.");
        }
        if (url.searchParams.get("mode") === "merge") world.load(seed);
        else replaceWorld(seed);
        return send(res, 200, summary(world));
      }
      if (route === "/reset" && method === "POST") {
        replaceWorld(options.initialSeed());
        arm.faults.clear();
        arm.requestLog.clear();
        return send(res, 200, summary(world));
      }

      if (route === "/tokens" && method === "POST") {
        const input = json() as {
          objectId?: string;
          tenantId?: string;
          appId?: string;
          audience?: string;
          roles?: string[];
          lifetimeInSeconds?: number;
          extraClaims?: Record<string, unknown>;
        };
        if (!input?.objectId) throw new BadRequest("objectId is required.");
        const principal = world.getPrincipal(input.objectId);
        const tenantId = input.tenantId ?? principal?.tenantId;
        if (!tenantId) throw new BadRequest(`Unknown principal '${input.objectId}': give tenantId.`);
        const lifetimeInSeconds = input.lifetimeInSeconds ?? 3600;
        const accessToken = await tokens.mint({
          tenantId,
          objectId: principal?.objectId ?? input.objectId,
          appId: input.appId ?? principal?.appId,
          audience: input.audience ?? "https://management.azure.com/",
          roles: input.roles ?? principal?.appRoles,
          lifetimeInSeconds,
          extraClaims: input.extraClaims,
        });
        return send(res, 200, { accessToken, tokenType: "Bearer", expiresOn: Math.floor(Date.now() / 1000) + lifetimeInSeconds });
      }

      if (route === "/faults" && method === "GET") return send(res, 200, { rules: arm.faults.rules() });
      if (route === "/faults" && method === "POST") {
        const input = json() as (Omit<FaultRule, "id"> & { id?: string }) | { rules: (Omit<FaultRule, "id"> & { id?: string })[] };
        const list = "rules" in input ? input.rules : [input];
        const added: FaultRule[] = [];
        for (const rule of list) {
          if (typeof rule.pattern !== "string") throw new BadRequest("Each fault rule needs a 'pattern' (a regular expression over 'METHOD /path', or '*').");
          try {
            added.push(arm.faults.add(rule));
          } catch (error) {
            throw new BadRequest(`Invalid fault rule: ${(error as Error).message}`);
          }
        }
        return send(res, 201, { rules: added });
      }
      if (route === "/faults" && method === "DELETE") {
        arm.faults.clear();
        return send(res, 204, undefined);
      }
      const faultId = /^\/faults\/([^/]+)$/.exec(route)?.[1];
      if (faultId && method === "DELETE") return send(res, arm.faults.remove(decodeURIComponent(faultId)) ? 204 : 404, undefined);

      if (route === "/requests" && method === "GET") {
        const since = url.searchParams.get("since");
        const entries = arm.requestLog.list({
          sinceSequence: since ? Number(since) : undefined,
          pathContains: url.searchParams.get("path") ?? undefined,
          method: url.searchParams.get("method") ?? undefined,
        });
        return send(res, 200, { value: entries });
      }
      if (route === "/requests" && method === "DELETE") {
        arm.requestLog.clear();
        return send(res, 204, undefined);
      }

      if (route === "/settings" && method === "GET") return send(res, 200, settings(arm));
      if (route === "/settings" && (method === "POST" || method === "PATCH")) {
        const input = json() as { timeScale?: number; throttling?: boolean };
        if (input.timeScale !== undefined) {
          try {
            arm.clock.setTimeScale(input.timeScale);
          } catch (error) {
            throw new BadRequest((error as Error).message);
          }
        }
        if (input.throttling !== undefined) {
          arm.throttle.setEnabled(Boolean(input.throttling));
          arm.throttle.reset();
        }
        return send(res, 200, settings(arm));
      }

      const operationId = /^\/operations\/([^/]+)$/.exec(route)?.[1];
      if (operationId && method === "GET") {
        const record = arm.lro.get(operationId);
        if (!record) return send(res, 404, { error: { code: "NotFound", message: `No operation '${operationId}'.` } });
        return send(res, 200, arm.lro.toOperationResult(record, `/operations/${operationId}`));
      }
      if (route === "/operations/drain" && method === "POST") {
        await arm.lro.drain();
        return send(res, 204, undefined);
      }

      return send(res, 404, { error: { code: "NotFound", message: `No admin route ${method} ${url.pathname}.` } });
    } catch (error) {
      if (error instanceof BadRequest) return send(res, 400, { error: { code: "BadRequest", message: error.message } });
      throw error;
    }
  };
}

function settings(arm: ArmServer) {
  return { timeScale: arm.clock.timeScale(), throttling: arm.throttle.isEnabled() };
}

function summary(world: World) {
  return {
    tenants: world.tenants.size,
    subscriptions: world.subscriptions.size,
    principals: world.principals.size,
    resources: world.resources.size,
  };
}

function snapshot(world: World) {
  return {
    tenants: [...world.tenants.values()],
    subscriptions: [...world.subscriptions.values()],
    principals: [...world.principals.values()],
    applications: [...world.applications.values()],
    customRoles: [...world.roleDefinitions.values()].filter((r) => r.type === "CustomRole"),
    resources: [...world.resources.values()].map((r) => r.body),
  };
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new BadRequest(`The body is not JSON: ${(error as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): true {
  if (body === undefined || status === 204) {
    res.writeHead(status);
    res.end();
  } else {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }
  return true;
}


// A real World behind a small EmulatorContext (the front door's RBAC, LRO manager, clock and faults, but no
// HTTP): drives provider route handlers directly, as the front door would after authorizing the caller.
import { ArmError, type ArmRequest, type ArmResponse, type CallerIdentity, type EmulatorContext, type HttpMethod, type ResourceProvider } from "../../../../emulator/arm/contract";
import { createClock } from "../../../../emulator/arm/clock";
import { createFaultInjector } from "../../../../emulator/arm/faults";
import { createLroManager } from "../../../../emulator/arm/lroManager";
import { createRbac } from "../../../../emulator/arm/rbac";
import { createRouteTable } from "../../../../emulator/arm/routeTable";
import { providers } from "../../../../emulator/providers";
import type { WorldSeed } from "../../../../emulator/world/types";
import { World } from "../../../../emulator/world/world";

export interface TestContextOptions {
  /** Scales LRO durations; 0 (default) completes operations on the next timer tick. */
  timeScale?: number;
  providers?: readonly ResourceProvider[];
}

export interface CallOptions {
  body?: unknown;
  caller: CallerIdentity;
  auxiliary?: CallerIdentity[];
  apiVersion?: string;
  query?: Record<string, string>;
}

export function identityOf(world: World, objectId: string): CallerIdentity {
  const principal = world.getPrincipal(objectId);
  if (!principal) throw new Error(`unknown principal ${objectId}`);
  return { tenantId: principal.tenantId, objectId: principal.objectId, appId: principal.appId, claims: { oid: principal.objectId, tid: principal.tenantId } };
}

export function createTestContext(seed: WorldSeed, options: TestContextOptions = {}) {
  const world = new World(seed);
  const clock = createClock(options.timeScale ?? 0);
  const faults = createFaultInjector(() => 0);
  const lro = createLroManager({ clock, shouldFail: (o) => (o.path ? faults.shouldFailLro(o.path) : false) });
  const rbac = createRbac(world);
  const routes = createRouteTable(options.providers ?? providers);
  const ctx: EmulatorContext = {
    world,
    rbac,
    identityForTenant(req, tenantId) {
      if (req.caller.tenantId.toLowerCase() === tenantId.toLowerCase()) return req.caller;
      const aux = req.auxiliary.find((a) => a.tenantId.toLowerCase() === tenantId.toLowerCase());
      if (aux) return aux;
      throw new ArmError(403, "LinkedAuthorizationFailed", `The current tenant '${req.caller.tenantId}' is not authorized to access linked tenant '${tenantId}'.`);
    },
    lro,
    faults: { shouldFailLro: (path) => faults.shouldFailLro(path) },
    clock,
  };

  /** Runs the route matching method and path; ArmErrors become ARM error responses. */
  async function call(method: HttpMethod, path: string, call: CallOptions): Promise<ArmResponse & { body?: unknown }> {
    const match = routes.match(method, path);
    if (match.kind !== "matched") throw new Error(`no route for ${method} ${path} (${match.kind})`);
    const apiVersion = call.apiVersion ?? match.route.apiVersions[match.route.apiVersions.length - 1] ?? "";
    if (!match.route.apiVersions.includes(apiVersion)) throw new Error(`api-version ${apiVersion} not accepted by ${match.route.path}`);
    const url = new URL(`https://127.0.0.1:8443${path}`);
    url.searchParams.set("api-version", apiVersion);
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    const req: ArmRequest = {
      method,
      path,
      query: url.searchParams,
      apiVersion,
      headers: {},
      body: call.body === undefined ? undefined : structuredClone(call.body),
      params: match.params,
      caller: call.caller,
      auxiliary: call.auxiliary ?? [],
      requestId: "test-request",
      correlationId: "test-correlation",
      url,
    };
    try {
      return await match.route.handler(req, ctx);
    } catch (error) {
      if (error instanceof ArmError) return { status: error.status, body: { error: { code: error.code, message: error.message } }, headers: error.headers };
      throw error;
    }
  }

  return { world, ctx, lro, faults, clock, call };
}

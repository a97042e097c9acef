// Picks the HTTP-triggered function for a request the way ASP.NET routing does for the Functions host:
// most specific template first; a path that matches only with other methods is a 405.
import { compareRoutePrecedence, matchRoute, parseRouteTemplate, type RouteParams, type RouteTemplate } from "./routeTemplate";

export interface HttpRouteInput {
  functionName: string;
  /** The trigger's `route`; defaults to the function name. */
  route?: string;
  /** Upper-case methods; empty means any. */
  methods: readonly string[];
}

export interface HttpRoute extends HttpRouteInput {
  template: RouteTemplate;
}

export type HttpRouteResolution =
  | { kind: "match"; route: HttpRoute; params: RouteParams }
  | { kind: "methodNotAllowed"; allowed: string[] }
  | { kind: "notFound" };

export function createHttpRoutes(inputs: readonly HttpRouteInput[], routePrefix: string): HttpRoute[] {
  return inputs
    .map((input) => {
      const route = (input.route ?? input.functionName).replace(/^\/+/, "");
      const text = routePrefix ? `${routePrefix}/${route}` : route;
      return { ...input, methods: input.methods.map((m) => m.toUpperCase()), template: parseRouteTemplate(text) };
    })
    .sort((a, b) => compareRoutePrecedence(a.template, b.template));
}

export function resolveHttpRoute(routes: readonly HttpRoute[], method: string, path: string): HttpRouteResolution {
  const allowed = new Set<string>();
  const upper = method.toUpperCase();
  for (const route of routes) {
    const params = matchRoute(route.template, path);
    if (!params) continue;
    if (route.methods.length === 0 || route.methods.includes(upper)) return { kind: "match", route, params };
    route.methods.forEach((m) => allowed.add(m));
  }
  return allowed.size > 0 ? { kind: "methodNotAllowed", allowed: [...allowed] } : { kind: "notFound" };
}

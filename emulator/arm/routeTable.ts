// Matches ARM request paths against the providers' route templates: literal segments case-insensitively,
// `{name}` one segment, `{name*}` one or more segments (extension resources at any scope).
import type { HttpMethod, ResourceProvider, RouteDefinition } from "./contract";

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "rest"; name: string };

interface CompiledRoute {
  route: RouteDefinition;
  namespace: string;
  segments: Segment[];
  literalCount: number;
}

export type RouteMatch =
  | { kind: "matched"; route: RouteDefinition; namespace: string; params: Record<string, string> }
  /** The path exists but not with this method: ARM answers 405. */
  | { kind: "methodNotAllowed"; allowed: HttpMethod[] }
  | { kind: "notFound" };

export interface RouteTable {
  match(method: HttpMethod, path: string): RouteMatch;
  /** Provider namespaces served (lower-cased), to tell an unknown namespace from an unknown type. */
  hasNamespace(namespace: string): boolean;
}

/** Splits a path into segments, dropping empty ones (double and trailing slashes). */
export function pathSegments(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

export function compileTemplate(template: string): Segment[] {
  return pathSegments(template).map((s): Segment => {
    const param = /^\{([^}*]+)(\*)?\}$/.exec(s);
    if (!param) return { kind: "literal", value: s.toLowerCase() };
    return param[2] ? { kind: "rest", name: param[1] as string } : { kind: "param", name: param[1] as string };
  });
}

/** Matches segments against a template; backtracks over `{x*}`. Returns the params or undefined. */
export function matchSegments(template: Segment[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const go = (ti: number, si: number): boolean => {
    if (ti === template.length) return si === segments.length;
    const t = template[ti] as Segment;
    if (t.kind === "literal") return si < segments.length && (segments[si] as string).toLowerCase() === t.value && go(ti + 1, si + 1);
    if (t.kind === "param") {
      if (si >= segments.length) return false;
      params[t.name] = segments[si] as string;
      return go(ti + 1, si + 1);
    }
    // Rest: try the longest run first so nested scopes (a resource's own providers/) bind correctly.
    for (let end = segments.length; end > si; end--) {
      params[t.name] = "/" + segments.slice(si, end).join("/");
      if (go(ti + 1, end)) return true;
    }
    return false;
  };
  return go(0, 0) ? params : undefined;
}

export function createRouteTable(providers: readonly ResourceProvider[]): RouteTable {
  const compiled: CompiledRoute[] = [];
  const namespaces = new Set<string>();
  for (const provider of providers) {
    namespaces.add(provider.namespace.toLowerCase());
    for (const route of provider.routes) {
      const segments = compileTemplate(route.path);
      compiled.push({ route, namespace: provider.namespace, segments, literalCount: segments.filter((s) => s.kind === "literal").length });
    }
  }
  return {
    hasNamespace: (ns) => namespaces.has(ns.toLowerCase()),
    match(method, path) {
      const segments = pathSegments(path);
      let best: { c: CompiledRoute; params: Record<string, string> } | undefined;
      const allowed = new Set<HttpMethod>();
      for (const c of compiled) {
        const params = matchSegments(c.segments, segments);
        if (!params) continue;
        if (c.route.method !== method) {
          allowed.add(c.route.method);
          continue;
        }
        // The most specific template wins: more literal segments, then fewer multi-segment wildcards.
        if (!best || c.literalCount > best.c.literalCount) best = { c, params };
      }
      if (best) return { kind: "matched", route: best.c.route, namespace: best.c.namespace, params: best.params };
      if (allowed.size > 0) return { kind: "methodNotAllowed", allowed: [...allowed] };
      return { kind: "notFound" };
    },
  };
}

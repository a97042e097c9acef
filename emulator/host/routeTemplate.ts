// ASP.NET Core route templates as the Functions host reads HTTP trigger routes: literals, {name}, {name?},
// {name=default}, {*catchAll}, inline constraints ({id:int}, {x:regex(...)}) and inbound precedence.

export interface RouteParameter {
  kind: "parameter";
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: RouteConstraint[];
}

export interface RouteLiteral {
  kind: "literal";
  text: string;
}

export type RoutePart = RouteLiteral | RouteParameter;

export interface RouteSegment {
  parts: RoutePart[];
}

export interface RouteConstraint {
  name: string;
  argument?: string;
  test(value: string): boolean;
}

export interface RouteTemplate {
  text: string;
  segments: RouteSegment[];
  /** Lower sorts first: ASP.NET's inbound precedence, one digit per segment. */
  precedence: number[];
}

export type RouteParams = Record<string, string>;

/** Parses a template such as `items/{id:int}/{*rest}`; throws on malformed templates or unknown constraints. */
export function parseRouteTemplate(text: string): RouteTemplate {
  const trimmed = text.replace(/^[~/]+/, "").replace(/\/+$/, "");
  const segments = trimmed === "" ? [] : splitSegments(trimmed).map((s) => parseSegment(s, text));
  segments.forEach((segment, index) => {
    for (const part of segment.parts) {
      if (part.kind !== "parameter") continue;
      if (part.catchAll && index !== segments.length - 1) throw new Error(`Route '${text}': a catch-all parameter must be last.`);
      if ((part.optional || part.catchAll) && segment.parts.length > 1 && part !== segment.parts.at(-1)) {
        throw new Error(`Route '${text}': an optional parameter must end its segment.`);
      }
    }
  });
  const names = segments.flatMap((s) => s.parts).filter((p): p is RouteParameter => p.kind === "parameter").map((p) => p.name.toLowerCase());
  const dupe = names.find((n, i) => names.indexOf(n) !== i);
  if (dupe) throw new Error(`Route '${text}': parameter '${dupe}' appears twice.`);
  return { text, segments, precedence: segments.map(segmentPrecedence) };
}

/** Matches a request path (without query; still percent-encoded) against a template. */
export function matchRoute(template: RouteTemplate, path: string): RouteParams | undefined {
  const raw = path.replace(/^\/+/, "").replace(/\/+$/, "");
  const pathSegments = raw === "" ? [] : raw.split("/");
  const params: RouteParams = {};
  let i = 0;
  for (const [index, segment] of template.segments.entries()) {
    const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
    if (only?.kind === "parameter" && only.catchAll) {
      const rest = pathSegments.slice(i).map(safeDecode);
      if (rest.some((s) => s === undefined)) return undefined;
      const value = rest.join("/");
      i = pathSegments.length;
      if (value === "") {
        if (only.defaultValue !== undefined) params[only.name] = only.defaultValue;
        continue;
      }
      if (!only.constraints.every((c) => c.test(value))) return undefined;
      params[only.name] = value;
      continue;
    }
    const current = pathSegments[i];
    if (current === undefined) {
      // Path exhausted: the remaining segments must all be optional or defaulted parameters.
      if (!template.segments.slice(index).every(isOmittable)) return undefined;
      for (const p of template.segments.slice(index).flatMap((s) => s.parts)) {
        if (p.kind === "parameter" && p.defaultValue !== undefined) params[p.name] = p.defaultValue;
      }
      return params;
    }
    const decoded = safeDecode(current);
    if (decoded === undefined || !matchSegment(segment, decoded, params)) return undefined;
    i++;
  }
  return i === pathSegments.length ? params : undefined;
}

/** Orders templates by ASP.NET inbound precedence (more specific first), then by text for stability. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let k = 0; k < n; k++) {
    const d = (a.precedence[k] ?? 0) - (b.precedence[k] ?? 0);
    if (d !== 0) return d;
  }
  return a.text.localeCompare(b.text);
}

function isOmittable(segment: RouteSegment): boolean {
  const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
  return only?.kind === "parameter" && (only.optional || only.catchAll || only.defaultValue !== undefined);
}

function matchSegment(segment: RouteSegment, value: string, params: RouteParams): boolean {
  const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
  if (only?.kind === "literal") return only.text.toLowerCase() === value.toLowerCase();
  if (only?.kind === "parameter") {
    if (value === "" || !only.constraints.every((c) => c.test(value))) return false;
    params[only.name] = value;
    return true;
  }
  // Complex segment such as `{name}.{ext}`: ASP.NET matches literals right to left, so the rightmost parameters
  // take the shortest runs; greedy groups give the same split.
  const pattern = segment.parts
    .map((p) => (p.kind === "literal" ? escapeRegExp(p.text) : p.optional ? "(.*)" : "(.+)"))
    .join("");
  const m = new RegExp(`^${pattern}$`, "i").exec(value);
  if (!m) return false;
  const found: RouteParams = {};
  let group = 1;
  for (const p of segment.parts) {
    if (p.kind !== "parameter") continue;
    const v = m[group++] ?? "";
    if (v === "") {
      if (!p.optional) return false;
      continue;
    }
    if (!p.constraints.every((c) => c.test(v))) return false;
    found[p.name] = v;
  }
  Object.assign(params, found);
  return true;
}

function segmentPrecedence(segment: RouteSegment): number {
  if (segment.parts.length > 1) return 2;
  const only = segment.parts[0];
  if (!only || only.kind === "literal") return 1;
  if (only.catchAll) return 5;
  return only.constraints.length > 0 ? 3 : 4;
}

function splitSegments(text: string): string[] {
  // '/' inside a parameter (e.g. in a regex constraint) does not split; '{{' and '}}' are escapes.
  const segments: string[] = [];
  let inParameter = false;
  let current = "";
  for (let k = 0; k < text.length; k++) {
    const ch = text.charAt(k);
    const next = text.charAt(k + 1);
    if ((ch === "{" || ch === "}") && next === ch) {
      current += ch + next;
      k++;
    } else if (!inParameter && ch === "/") {
      segments.push(current);
      current = "";
    } else {
      if (ch === "{") inParameter = true;
      if (ch === "}") inParameter = false;
      current += ch;
    }
  }
  segments.push(current);
  if (segments.some((s) => s === "")) throw new Error(`Route '${text}': empty segment.`);
  return segments;
}

function parseSegment(segment: string, template: string): RouteSegment {
  const parts: RoutePart[] = [];
  let literal = "";
  let k = 0;
  while (k < segment.length) {
    const ch = segment.charAt(k);
    if (ch === "{" && segment.charAt(k + 1) === "{") {
      literal += "{";
      k += 2;
    } else if (ch === "}" && segment.charAt(k + 1) === "}") {
      literal += "}";
      k += 2;
    } else if (ch === "{") {
      if (literal) parts.push({ kind: "literal", text: literal });
      literal = "";
      const { body, end } = readParameter(segment, k + 1, template);
      const previous = parts.at(-1);
      if (previous?.kind === "parameter") throw new Error(`Route '${template}': two parameters must be separated by a literal.`);
      parts.push(parseParameter(body, template));
      k = end + 1;
    } else if (ch === "}") {
      throw new Error(`Route '${template}': unbalanced '}'.`);
    } else {
      literal += ch;
      k++;
    }
  }
  if (literal) parts.push({ kind: "literal", text: literal });
  if (parts.some((p) => p.kind === "parameter" && p.catchAll) && parts.length > 1) {
    throw new Error(`Route '${template}': a catch-all parameter must be the whole segment.`);
  }
  return { parts };
}

/** Reads a parameter body up to its closing '}', honouring parentheses and '}}' escapes (regex quantifiers). */
function readParameter(segment: string, start: number, template: string): { body: string; end: number } {
  let body = "";
  let parens = 0;
  for (let k = start; k < segment.length; k++) {
    const ch = segment.charAt(k);
    if (ch === "}" && segment.charAt(k + 1) === "}") {
      body += "}";
      k++;
    } else if (ch === "{" && segment.charAt(k + 1) === "{") {
      body += "{";
      k++;
    } else if (ch === "}" && parens === 0) {
      return { body, end: k };
    } else {
      if (ch === "(") parens++;
      if (ch === ")") parens = Math.max(0, parens - 1);
      body += ch;
    }
  }
  throw new Error(`Route '${template}': unterminated parameter.`);
}

function parseParameter(body: string, template: string): RouteParameter {
  let rest = body;
  let catchAll = false;
  if (rest.startsWith("**")) {
    catchAll = true;
    rest = rest.slice(2);
  } else if (rest.startsWith("*")) {
    catchAll = true;
    rest = rest.slice(1);
  }
  const nameMatch = /^[^:=?]+/.exec(rest);
  if (!nameMatch) throw new Error(`Route '${template}': parameter without a name.`);
  const name = nameMatch[0];
  rest = rest.slice(name.length);
  const constraints: RouteConstraint[] = [];
  while (rest.startsWith(":")) {
    const { text, remaining } = readConstraint(rest.slice(1));
    constraints.push(toConstraint(text, template));
    rest = remaining;
  }
  let optional = false;
  let defaultValue: string | undefined;
  if (rest === "?") optional = true;
  else if (rest.startsWith("=")) defaultValue = rest.slice(1);
  else if (rest !== "") throw new Error(`Route '${template}': cannot read parameter '{${body}}'.`);
  if (optional && catchAll) throw new Error(`Route '${template}': a catch-all parameter cannot be optional.`);
  return { kind: "parameter", name, optional, catchAll, ...(defaultValue !== undefined ? { defaultValue } : {}), constraints };
}

function readConstraint(text: string): { text: string; remaining: string } {
  let parens = 0;
  for (let k = 0; k < text.length; k++) {
    const ch = text.charAt(k);
    if (ch === "(") parens++;
    else if (ch === ")") parens--;
    else if (parens === 0 && (ch === ":" || ch === "?" || ch === "=")) return { text: text.slice(0, k), remaining: text.slice(k) };
  }
  return { text, remaining: "" };
}

const intPattern = /^[+-]?\d+$/;
const floatPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const guidPatterns = [
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{32}$/i,
  /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i,
  /^\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/i,
];

function inIntegerRange(value: string, bits: 32 | 64): boolean {
  if (!intPattern.test(value)) return false;
  const n = BigInt(value);
  const limit = 1n << BigInt(bits - 1);
  return n >= -limit && n < limit;
}

function toConstraint(text: string, template: string): RouteConstraint {
  const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(text);
  if (!m) throw new Error(`Route '${template}': cannot read constraint '${text}'.`);
  const name = (m[1] ?? "").toLowerCase();
  const argument = m[2];
  const args = (argument ?? "").split(",").map((a) => a.trim());
  const num = (k: number): number => {
    const v = Number(args[k]);
    if (argument === undefined || !Number.isFinite(v)) throw new Error(`Route '${template}': constraint '${text}' needs numbers.`);
    return v;
  };
  const make = (test: (value: string) => boolean): RouteConstraint => ({ name, ...(argument !== undefined ? { argument } : {}), test });
  switch (name) {
    case "int":
      return make((v) => inIntegerRange(v, 32));
    case "long":
      return make((v) => inIntegerRange(v, 64));
    case "bool":
      return make((v) => /^(true|false)$/i.test(v));
    case "alpha":
      return make((v) => /^[a-z]*$/i.test(v));
    case "guid":
      return make((v) => guidPatterns.some((p) => p.test(v)));
    case "datetime":
      return make((v) => !Number.isNaN(Date.parse(v)));
    case "decimal":
      return make((v) => decimalPattern.test(v));
    case "double":
    case "float":
      return make((v) => floatPattern.test(v));
    case "min": {
      const min = num(0);
      return make((v) => inIntegerRange(v, 64) && Number(v) >= min);
    }
    case "max": {
      const max = num(0);
      return make((v) => inIntegerRange(v, 64) && Number(v) <= max);
    }
    case "range": {
      const [min, max] = [num(0), num(1)];
      return make((v) => inIntegerRange(v, 64) && Number(v) >= min && Number(v) <= max);
    }
    case "minlength": {
      const min = num(0);
      return make((v) => v.length >= min);
    }
    case "maxlength": {
      const max = num(0);
      return make((v) => v.length <= max);
    }
    case "length": {
      const [min, max] = args.length > 1 ? [num(0), num(1)] : [num(0), num(0)];
      return make((v) => v.length >= min && v.length <= max);
    }
    case "required":
      return make((v) => v !== "");
    case "regex": {
      if (argument === undefined) throw new Error(`Route '${template}': regex constraint needs a pattern.`);
      // As RegexRouteConstraint: case-insensitive and not implicitly anchored.
      const re = new RegExp(argument, "i");
      return make((v) => re.test(v));
    }
    default:
      throw new Error(`Route '${template}': unknown route constraint '${name}'.`);
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

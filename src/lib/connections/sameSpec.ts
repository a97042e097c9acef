// Whether two specs ask for the same data connection: what makes a repeated PUT "unchanged".
// Resource IDs and the location compare case-insensitively (ARM does); property order never matters.
import type { DataConnectionSpec } from "./model";

function canonical(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v, k)]));
  }
  if (typeof value === "string" && /ResourceId$/i.test(key)) return value.replace(/\/+$/, "").toLowerCase();
  return value;
}

const location = (l: string | undefined) => l?.replace(/\s+/g, "").toLowerCase();

export function sameSpec(a: DataConnectionSpec, b: DataConnectionSpec): boolean {
  if (a.kind !== b.kind) return false;
  if (a.location !== undefined && b.location !== undefined && location(a.location) !== location(b.location)) return false;
  return JSON.stringify(canonical(a.properties)) === JSON.stringify(canonical(b.properties));
}

/**
 * Whether Kusto's connection carries everything `spec` asks for (Kusto adds read-only and defaulted
 * properties, so only the spec's own properties are compared).
 */
export function kustoMatchesSpec(spec: DataConnectionSpec, kusto: { kind: string; properties: Record<string, unknown> }): boolean {
  if (kusto.kind.toLowerCase() !== spec.kind.toLowerCase()) return false;
  const wanted = canonical(spec.properties) as Record<string, unknown>;
  const actual = canonical(kusto.properties) as Record<string, unknown>;
  return Object.entries(wanted).every(([k, v]) => JSON.stringify(actual[k]) === JSON.stringify(v));
}

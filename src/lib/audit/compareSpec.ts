// Drift comparison (pure): which fields of the desired spec Kusto's connection does not carry. Only the spec's
// own fields count (Kusto adds read-only and defaulted properties); resource IDs and the location compare
// case-insensitively (ARM's IDs are), everything else exactly, whatever the property order.
import type { DataConnectionSpec } from "../connections/model";
import type { KustoDataConnection } from "../connections/ports";

export interface FieldDiff {
  /** JSON pointer into the spec: `/kind`, `/location`, `/properties/consumerGroup`. */
  path: string;
  desired: unknown;
  /** Undefined when Kusto's connection lacks the field. */
  actual: unknown;
}

const ARM_ID = /^\/subscriptions\//i;

/** Is this a field whose value ARM compares case-insensitively? */
function isResourceIdField(key: string, value: unknown): boolean {
  return typeof value === "string" && (/ResourceId$/i.test(key) || ARM_ID.test(value));
}

function canonical(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v, k)]));
  }
  if (isResourceIdField(key, value)) return (value as string).replace(/\/+$/, "").toLowerCase();
  return value;
}

const sameValue = (key: string, a: unknown, b: unknown) => JSON.stringify(canonical(a, key)) === JSON.stringify(canonical(b, key));
const normalizeLocation = (l: string) => l.replace(/\s+/g, "").toLowerCase();

/** Every field of `desired` that `actual` does not match; empty when there is no drift. */
export function diffSpec(desired: DataConnectionSpec, actual: Pick<KustoDataConnection, "kind" | "location" | "properties">): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  if (desired.kind.toLowerCase() !== actual.kind.toLowerCase()) diffs.push({ path: "/kind", desired: desired.kind, actual: actual.kind });
  if (desired.location !== undefined && actual.location !== undefined && normalizeLocation(desired.location) !== normalizeLocation(actual.location)) {
    diffs.push({ path: "/location", desired: desired.location, actual: actual.location });
  }
  for (const [key, wanted] of Object.entries(desired.properties).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (wanted === undefined) continue;
    const found = actual.properties[key];
    if (!sameValue(key, wanted, found)) diffs.push({ path: `/properties/${key}`, desired: wanted, actual: found });
  }
  return diffs;
}

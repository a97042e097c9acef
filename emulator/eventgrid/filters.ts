// Event subscription filters (event types, subject prefix/suffix, advanced filters), evaluated against
// an event in the delivery schema's JSON shape, as Event Grid documents them (event-filtering.md).

export interface AdvancedFilter {
  operatorType: string;
  key: string;
  value?: unknown;
  values?: unknown[];
}

export interface SubscriptionFilter {
  includedEventTypes?: string[] | null;
  subjectBeginsWith?: string | null;
  subjectEndsWith?: string | null;
  isSubjectCaseSensitive?: boolean | null;
  enableAdvancedFilteringOnArrays?: boolean | null;
  advancedFilters?: AdvancedFilter[] | null;
}

/** The operators ARM accepts (EventGrid.json `AdvancedFilter.operatorType`). */
export const ADVANCED_OPERATORS = [
  "NumberIn",
  "NumberNotIn",
  "NumberLessThan",
  "NumberGreaterThan",
  "NumberLessThanOrEquals",
  "NumberGreaterThanOrEquals",
  "NumberInRange",
  "NumberNotInRange",
  "BoolEquals",
  "StringIn",
  "StringNotIn",
  "StringBeginsWith",
  "StringNotBeginsWith",
  "StringEndsWith",
  "StringNotEndsWith",
  "StringContains",
  "StringNotContains",
  "IsNullOrUndefined",
  "IsNotNull",
] as const;

const NEGATIVE = new Set(["NumberNotIn", "NumberNotInRange", "StringNotIn", "StringNotBeginsWith", "StringNotEndsWith", "StringNotContains"]);

/** Every part of the filter must match (the parts are ANDed; values inside one advanced filter are ORed). */
export function matchesFilter(filter: SubscriptionFilter | undefined | null, event: Record<string, unknown>): boolean {
  if (!filter) return true;
  const eventType = String(event.eventType ?? event.type ?? "");
  const types = filter.includedEventTypes;
  if (types && types.length > 0 && !types.some((t) => t.toLowerCase() === eventType.toLowerCase())) return false;
  const subject = String(event.subject ?? "");
  const sensitive = filter.isSubjectCaseSensitive === true;
  const fold = (s: string): string => (sensitive ? s : s.toLowerCase());
  if (filter.subjectBeginsWith && !fold(subject).startsWith(fold(filter.subjectBeginsWith))) return false;
  if (filter.subjectEndsWith && !fold(subject).endsWith(fold(filter.subjectEndsWith))) return false;
  for (const advanced of filter.advancedFilters ?? []) {
    if (!matchesAdvanced(advanced, event, filter.enableAdvancedFilteringOnArrays === true)) return false;
  }
  return true;
}

/** Looks a dotted key up case-insensitively ("Data.OperationName" finds data.operationName). */
export function lookupKey(event: Record<string, unknown>, key: string): { found: boolean; value: unknown } {
  let current: unknown = event;
  for (const part of key.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return { found: false, value: undefined };
    const obj = current as Record<string, unknown>;
    const match = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    if (match === undefined) return { found: false, value: undefined };
    current = obj[match];
  }
  return { found: true, value: current };
}

export function matchesAdvanced(filter: AdvancedFilter, event: Record<string, unknown>, onArrays: boolean): boolean {
  const { found, value } = lookupKey(event, filter.key);
  const op = filter.operatorType;
  if (op === "IsNullOrUndefined") return !found || value === null;
  if (op === "IsNotNull") return found && value !== null;
  const negative = NEGATIVE.has(op);
  // INFERENCE: a missing key satisfies the NOT operators (nothing is "in" the set) and fails the others.
  if (!found || value === null || value === undefined) return negative;
  if (Array.isArray(value)) {
    // Without enableAdvancedFilteringOnArrays an array value never matches; with it, positive operators
    // need one element to match and NOT operators need every element to.
    if (!onArrays) return false;
    return negative ? value.every((v) => matchesScalar(op, filter, v)) : value.some((v) => matchesScalar(op, filter, v));
  }
  return matchesScalar(op, filter, value);
}

function matchesScalar(op: string, filter: AdvancedFilter, value: unknown): boolean {
  const values = filter.values ?? (filter.value !== undefined ? [filter.value] : []);
  switch (op) {
    case "StringIn":
    case "StringNotIn":
    case "StringBeginsWith":
    case "StringNotBeginsWith":
    case "StringEndsWith":
    case "StringNotEndsWith":
    case "StringContains":
    case "StringNotContains": {
      if (typeof value === "object") return NEGATIVE.has(op);
      const s = String(value).toLowerCase();
      const refs = values.map((v) => String(v).toLowerCase());
      const test = STRING_TESTS[op.replace("Not", "")] as (a: string, b: string) => boolean;
      const any = refs.some((r) => test(s, r));
      return op.includes("Not") ? !any : any;
    }
    case "NumberIn":
    case "NumberNotIn": {
      const n = toNumber(value);
      if (n === undefined) return op === "NumberNotIn";
      const any = values.some((v) => toNumber(v) === n);
      return op === "NumberIn" ? any : !any;
    }
    case "NumberLessThan":
    case "NumberGreaterThan":
    case "NumberLessThanOrEquals":
    case "NumberGreaterThanOrEquals": {
      const n = toNumber(value);
      const ref = toNumber(filter.value ?? values[0]);
      if (n === undefined || ref === undefined) return false;
      if (op === "NumberLessThan") return n < ref;
      if (op === "NumberGreaterThan") return n > ref;
      if (op === "NumberLessThanOrEquals") return n <= ref;
      return n >= ref;
    }
    case "NumberInRange":
    case "NumberNotInRange": {
      const n = toNumber(value);
      if (n === undefined) return op === "NumberNotInRange";
      const any = values.some((range) => {
        if (!Array.isArray(range)) return false;
        const lo = toNumber(range[0]);
        const hi = toNumber(range[1]);
        return lo !== undefined && hi !== undefined && n >= lo && n <= hi;
      });
      return op === "NumberInRange" ? any : !any;
    }
    case "BoolEquals": {
      const b = typeof value === "boolean" ? value : typeof value === "string" ? value.toLowerCase() === "true" ? true : value.toLowerCase() === "false" ? false : undefined : undefined;
      return b !== undefined && b === (filter.value === true || String(filter.value).toLowerCase() === "true");
    }
    default:
      return false;
  }
}

const STRING_TESTS: Record<string, (a: string, b: string) => boolean> = {
  StringIn: (a, b) => a === b,
  StringBeginsWith: (a, b) => a.startsWith(b),
  StringEndsWith: (a, b) => a.endsWith(b),
  StringContains: (a, b) => a.includes(b),
};

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return undefined;
}

/** Returns an error message when the filter is not one ARM would accept, else undefined. */
export function validateFilter(filter: unknown): string | undefined {
  if (filter === undefined || filter === null) return undefined;
  if (typeof filter !== "object" || Array.isArray(filter)) return "filter must be an object";
  const f = filter as SubscriptionFilter;
  if (f.includedEventTypes != null && (!Array.isArray(f.includedEventTypes) || f.includedEventTypes.some((t) => typeof t !== "string"))) {
    return "includedEventTypes must be an array of strings";
  }
  for (const a of f.advancedFilters ?? []) {
    if (!a || typeof a.key !== "string" || a.key === "") return "Each advanced filter needs a key";
    if (!(ADVANCED_OPERATORS as readonly string[]).includes(a.operatorType)) return `Unknown advanced filter operatorType '${String(a.operatorType)}'`;
  }
  return undefined;
}

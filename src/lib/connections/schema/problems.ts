// zod issues → the API's problems: stable codes clients can branch on, JSON pointers, readable messages.
import type * as z from "zod/mini";
import type { Problem } from "../../errors";
import { connectionKinds } from "../model";

export interface ProblemContext {
  /** Keys refused as read-only (ReadOnlyProperty) rather than unknown. */
  readOnly?: ReadonlySet<string>;
  /** A more precise problem for an unknown key at this pointer, given the body's kind. */
  special?(kind: unknown, pointer: string): Problem | undefined;
  /** Prefix for pointers (e.g. "/route"). */
  prefix?: string;
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. The whole document is "". */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path.map((key) => `/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

export function toProblems(issues: readonly z.core.$ZodIssue[], input: unknown, context: ProblemContext = {}): Problem[] {
  const prefix = context.prefix ?? "";
  const kind = isRecord(input) ? input.kind : undefined;
  const problems: Problem[] = [];
  for (const issue of issues) {
    const pointer = prefix + toJsonPointer(issue.path);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const keyPointer = `${pointer}${toJsonPointer([key])}`;
          const special = context.special?.(kind, keyPointer);
          if (special) problems.push(special);
          else if (context.readOnly?.has(key)) {
            problems.push({ code: "ReadOnlyProperty", message: `'${key}' is read-only: Kusto reports it, requests cannot set it`, path: keyPointer });
          } else problems.push({ code: "UnknownProperty", message: `'${key}' is not a known property here`, path: keyPointer });
        }
        break;
      case "invalid_union":
        if ("discriminator" in issue && issue.discriminator !== undefined) {
          const missing = valueAt(input, issue.path) === undefined;
          problems.push({
            code: missing ? "MissingProperty" : "UnsupportedKind",
            message: `${missing ? "is required" : "is not supported"}: one of ${connectionKinds.join(", ")}`,
            path: pointer,
          });
        } else problems.push({ code: "InvalidValue", message: "does not match any allowed form", path: pointer });
        break;
      case "invalid_type":
        if (valueAt(input, issue.path) === undefined) problems.push({ code: "MissingProperty", message: "is required", path: pointer });
        else problems.push({ code: "InvalidType", message: `must be ${article(issue.expected)}`, path: pointer });
        break;
      case "invalid_value":
        problems.push({
          code: /\/access\/mode$/.test(pointer) ? "UnsupportedAuthMode" : "InvalidEnumValue",
          message: customOr(issue.message, `must be one of: ${issue.values.map(String).join(", ")}`),
          path: pointer,
        });
        break;
      case "invalid_format":
        problems.push({ code: formatCode(issue.path), message: customOr(issue.message, "has an invalid format"), path: pointer });
        break;
      case "too_big":
      case "too_small":
        problems.push({
          code: issue.origin === "array" ? "InvalidItemCount" : "InvalidLength",
          message: customOr(issue.message, `is too ${issue.code === "too_big" ? "long" : "short"}`),
          path: pointer,
        });
        break;
      default:
        problems.push({ code: "InvalidValue", message: customOr(issue.message, "is invalid"), path: pointer });
    }
  }
  return problems;
}

function formatCode(path: readonly PropertyKey[]): string {
  const last = String(path.at(-1) ?? "");
  if (/ResourceId$/.test(last)) return "InvalidResourceId";
  if (/Date$/.test(last)) return "InvalidDateTime";
  if (last === "sourceTenantId" || last === "subscriptionId") return "InvalidGuid";
  if (["resourceGroup", "cluster", "database", "name"].includes(last)) return "InvalidName";
  return "InvalidFormat";
}

function customOr(message: string, fallback: string): string {
  return message && message !== "Invalid input" && !message.startsWith("Invalid input:") ? message : fallback;
}

function article(expected: string): string {
  if (expected === "array" || expected === "object") return `an ${expected}`;
  return `a ${expected}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

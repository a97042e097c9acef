// The per-kind, per-mode access requirements of a data connection, read from requirements.json (the one
// table). Pure: turns a spec's source resource IDs into the scopes and permissions the binding principal needs.
import { AppError } from "../errors";
import type { AuthMode, ConnectionKind, DataConnectionSpec, PermissionKind, Requirement } from "../connections/model";
import table from "./requirements.json";

/** One row of requirements.json. */
export interface RequirementRule {
  source: string;
  /** The spec property (under `properties`) that holds the source's resource ID. */
  property: string;
  /** How many child levels (type/name pairs) to climb from that ID: 1 turns an event hub into its namespace. */
  ancestorLevels: number;
  permission: string;
  permissionKind: PermissionKind;
}

export type RequirementTable = Record<ConnectionKind, Partial<Record<AuthMode, RequirementRule[]>>>;

export const requirementTable = table as RequirementTable;

/** The auth modes a kind supports (IotHub: key only; CosmosDb: managed identity only). */
export function supportedAuthModes(kind: ConnectionKind): AuthMode[] {
  const modes = requirementTable[kind];
  return (["key", "managedIdentity"] as const).filter((mode) => modes[mode] !== undefined);
}

/**
 * What the binding principal must hold for `spec` in `mode`. Throws AppError validation
 * "AuthModeNotSupported" for a mode the kind lacks and "InvalidSourceResourceId" when a source ID is
 * missing or too short to climb to its parent (schema validation normally catches both first).
 */
export function requirementsFor(spec: DataConnectionSpec, mode: AuthMode): Requirement[] {
  const rules = requirementTable[spec.kind]?.[mode];
  if (!rules) {
    throw new AppError("validation", "AuthModeNotSupported", `A ${spec.kind} data connection does not support auth mode '${mode}'.`, {
      problems: [{ code: "AuthModeNotSupported", message: `Supported: ${supportedAuthModes(spec.kind).join(", ")}.`, path: "/access/mode" }],
    });
  }
  return rules.map((rule) => ({
    source: rule.source,
    scope: ancestorOf(sourceId(spec, rule.property), rule.ancestorLevels, rule.property),
    permission: rule.permission,
    permissionKind: rule.permissionKind,
  }));
}

function sourceId(spec: DataConnectionSpec, property: string): string {
  const value = spec.properties[property];
  if (typeof value !== "string" || !value.startsWith("/")) throw invalidSource(property, "is missing or not a resource ID");
  return value.replace(/\/+$/, "");
}

/** Climbs `levels` type/name pairs: `.../namespaces/ns/eventhubs/hub` with 1 → `.../namespaces/ns`. */
function ancestorOf(id: string, levels: number, property: string): string {
  if (levels === 0) return id;
  const segments = id.split("/");
  // A child resource ID ends ".../providers/{ns}/{type}/{name}/{childType}/{childName}": at least 2 more segments.
  const providers = segments.findIndex((s) => s.toLowerCase() === "providers");
  if (providers < 0 || segments.length - 2 * levels < providers + 4) throw invalidSource(property, `has no parent ${levels} level(s) up`);
  return segments.slice(0, segments.length - 2 * levels).join("/");
}

function invalidSource(property: string, why: string): AppError {
  const path = `/properties/${property}`;
  return new AppError("validation", "InvalidSourceResourceId", `properties.${property} ${why}.`, {
    problems: [{ code: "InvalidSourceResourceId", message: `properties.${property} ${why}.`, path }],
  });
}

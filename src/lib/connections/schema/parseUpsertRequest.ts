// Turns a PUT/validate body into a DataConnectionSpec and an AccessRequest, or reports every problem at
// once with a stable code and the JSON pointer of the field. Never throws, whatever the input.
import type * as z from "zod/mini";
import { AppError, fail, ok, type Problem, type Result } from "../../errors";
import { connectionKinds, normalizeResourceId, type AccessRequest, type AuthMode, type DataConnectionSpec } from "../model";
import { anyAccessSchema, readOnlyProperties, upsertRequestSchema } from "./connectionSchemas";
import { toProblems } from "./problems";

export interface UpsertRequest {
  spec: DataConnectionSpec;
  /** `mode` is always resolved; `managedIdentityResourceId` is the one the spec carries (MI mode). */
  access: AccessRequest & { mode: AuthMode };
}

export function parseUpsertRequest(body: unknown): Result<UpsertRequest> {
  const parsed = upsertRequestSchema.safeParse(body);
  const problems = parsed.success ? [] : toProblems(parsed.error.issues, body, issueContext);
  if (!parsed.success && isRecord(body) && !isKnownKind(body.kind) && body.access !== undefined) {
    // The kind decides the schema; without one, still report what is wrong in the access block.
    const accessCheck = anyAccessSchema.safeParse(body.access);
    if (!accessCheck.success) problems.push(...toProblems(prefixed(accessCheck.error.issues, "access"), body, issueContext));
  }
  problems.push(...crossFieldProblems(body, problems));
  if (!parsed.success || problems.length > 0) return fail(invalidRequest(problems));

  const { kind, location, properties, access = {} } = parsed.data;
  const accessBlock = access as { mode?: AuthMode; managedIdentityResourceId?: string; sourceTenantId?: string };
  const props: Record<string, unknown> = { ...properties };
  const managedIdentityResourceId = (props.managedIdentityResourceId as string | undefined) ?? accessBlock.managedIdentityResourceId;
  // The spec is what Kusto receives: an MI named only in the access block goes into the properties.
  if (managedIdentityResourceId !== undefined) props.managedIdentityResourceId = managedIdentityResourceId;
  const mode: AuthMode = accessBlock.mode ?? (managedIdentityResourceId ? "managedIdentity" : "key");
  return ok({
    spec: { kind, ...(location === undefined ? {} : { location }), properties: props },
    access: {
      mode,
      ...(managedIdentityResourceId === undefined ? {} : { managedIdentityResourceId }),
      ...(accessBlock.sourceTenantId === undefined ? {} : { sourceTenantId: accessBlock.sourceTenantId }),
    },
  });
}

export function invalidRequest(problems: Problem[]): AppError {
  const count = problems.length;
  return new AppError("validation", "InvalidRequest", `The request has ${count} problem${count === 1 ? "" : "s"}.`, { problems });
}

const issueContext = {
  readOnly: new Set<string>(readOnlyProperties),
  /** Unknown keys that deserve a more precise answer than UnknownProperty. */
  special(kind: unknown, pointer: string): Problem | undefined {
    if (kind === "IotHub" && /^\/(properties|access)\/managedIdentityResourceId$/.test(pointer)) {
      return { code: "UnsupportedAuthMode", message: "IotHub connections are key-based only: no managed identity", path: pointer };
    }
    return undefined;
  },
};

function crossFieldProblems(body: unknown, found: Problem[]): Problem[] {
  if (!isRecord(body) || !isKnownKind(body.kind)) return [];
  const flagged = new Set(found.map((p) => p.path));
  const props = isRecord(body.properties) ? body.properties : {};
  const access = isRecord(body.access) ? body.access : {};
  const str = (v: unknown, pointer: string) => (typeof v === "string" && !flagged.has(pointer) ? v : undefined);
  const miInProps = str(props.managedIdentityResourceId, "/properties/managedIdentityResourceId");
  const miInAccess = str(access.managedIdentityResourceId, "/access/managedIdentityResourceId");
  const mode = access.mode === "key" || access.mode === "managedIdentity" ? access.mode : undefined;
  const problems: Problem[] = [];
  if (miInProps && miInAccess && normalizeResourceId(miInProps) !== normalizeResourceId(miInAccess)) {
    problems.push({
      code: "ManagedIdentityMismatch",
      message: "differs from properties.managedIdentityResourceId: name one identity (either place)",
      path: "/access/managedIdentityResourceId",
    });
  }
  const mi = miInProps ?? miInAccess;
  if (mode === "key" && mi && body.kind !== "CosmosDb") {
    problems.push({
      code: "AccessModeMismatch",
      message: "is key, but a managedIdentityResourceId is given: remove it, or use managedIdentity",
      path: "/access/mode",
    });
  }
  const miMissing = props.managedIdentityResourceId === undefined && access.managedIdentityResourceId === undefined;
  if (mode === "managedIdentity" && miMissing && body.kind !== "CosmosDb" && body.kind !== "IotHub") {
    problems.push({
      code: "MissingManagedIdentity",
      message: "is required in managedIdentity mode: the cluster's ID or a user-assigned identity attached to it",
      path: "/properties/managedIdentityResourceId",
    });
  }
  return problems;
}

function prefixed(issues: readonly z.core.$ZodIssue[], key: string): z.core.$ZodIssue[] {
  return issues.map((issue) => ({ ...issue, path: [key, ...issue.path] }));
}

function isKnownKind(kind: unknown): boolean {
  return typeof kind === "string" && (connectionKinds as readonly string[]).includes(kind);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The JSON shapes the API answers with (camelCase, stable, additive changes only). Documentation only:
// views.ts builds them with the inferred types, and handler tests check responses against the OpenAPI copy.
import * as z from "zod/mini";
import { apiSchemas } from "../connections/schema/connectionSchemas";

const str = () => z.string();
const dateTime = () => z.string().check(z.describe("RFC 3339 date-time"));

export const problemItemSchema = z
  .object({ code: str(), message: str(), path: z.optional(str().check(z.describe("JSON pointer of the field (/route/..., /query/... for the URL)"))) })
  .register(apiSchemas, { id: "ProblemItem", description: "One thing wrong, with a stable code." });

export const problemDetailsSchema = z
  .object({
    type: str().check(z.describe("urn:adx-connection-lifecycle:problem:{code}")),
    title: str(),
    status: z.int(),
    detail: str(),
    code: str(),
    errors: z.optional(z.array(problemItemSchema)),
    instance: z.optional(str()),
    correlationId: str(),
  })
  .register(apiSchemas, { id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });

export const callerViewSchema = z
  .object({ tenantId: str(), objectId: str(), appId: z.optional(str()), name: z.optional(str()) })
  .register(apiSchemas, { id: "Caller", description: "Who called (from the bearer token)." });

const grantViewSchema = z.object({ roleAssignmentId: str(), roleDefinitionId: str(), scope: str(), assigneeObjectId: str() });

const requirementViewSchema = z.object({
  source: str(),
  scope: str(),
  permission: str(),
  permissionKind: z.enum(["action", "dataAction"]),
  granted: z.boolean(),
  grants: z.array(grantViewSchema),
});

export const bindingViewSchema = z
  .object({
    principal: z.object({
      tenantId: str(),
      objectId: str(),
      kind: z.enum(["clusterIdentity", "userAssignedIdentity", "appIdentity", "crossTenantApp"]),
      resourceId: z.optional(str()),
    }),
    requirements: z.array(requirementViewSchema),
    verifiedAt: dateTime(),
  })
  .register(apiSchemas, {
    id: "Binding",
    description: "The principal whose access the connection depends on, what it needs, and the role assignments that grant it.",
  });

export const connectionViewSchema = z
  .object({
    id: str().check(z.describe("ARM ID of the data connection")),
    subscriptionId: str(),
    resourceGroup: str(),
    cluster: str(),
    database: str(),
    name: str(),
    kind: z.enum(["EventHub", "EventGrid", "IotHub", "CosmosDb"]),
    authMode: z.enum(["key", "managedIdentity"]),
    status: z.enum(["Provisioning", "Succeeded", "Failed", "Deleting", "Deleted"]),
    provisioningState: z.optional(str()),
    spec: z.object({ kind: str(), location: z.optional(str()), properties: z.record(z.string(), z.unknown()) }),
    binding: bindingViewSchema,
    sourceResourceIds: z.array(str()),
    operation: z.optional(z.object({ id: str(), kind: z.enum(["create", "update", "delete"]), startedAt: dateTime(), href: str() })),
    createdBy: callerViewSchema,
    createdAt: dateTime(),
    updatedBy: callerViewSchema,
    updatedAt: dateTime(),
    etag: z.optional(str()),
  })
  .register(apiSchemas, { id: "ManagedConnection", description: "A data connection this app manages." });

export const validationReportSchema = z
  .object({ valid: z.boolean(), problems: z.array(problemItemSchema), binding: z.optional(bindingViewSchema) })
  .register(apiSchemas, { id: "ValidationReport", description: "Every problem a PUT would meet; nothing is changed." });

export const operationViewSchema = z
  .object({
    id: str(),
    kind: z.enum(["create", "update", "delete"]),
    status: z.enum(["Running", "Succeeded", "Failed"]),
    connectionId: str(),
    startedAt: dateTime(),
    error: z.optional(z.object({ code: str(), message: str() })),
  })
  .register(apiSchemas, { id: "Operation", description: "A Kusto operation that outlived the request (202)." });

export const journalEntryViewSchema = z
  .object({
    id: str(),
    connectionId: str(),
    at: dateTime(),
    action: z.enum(["create", "update", "delete", "adopt", "revoke", "keep", "notify", "remediate"]),
    phase: z.enum(["intent", "completed", "failed", "skipped"]),
    intentId: z.optional(str()),
    actor: z.union([callerViewSchema, z.object({ system: str() })]),
    correlationId: str(),
    reason: z.optional(str()),
    before: z.optional(z.unknown()),
    after: z.optional(z.unknown()),
    error: z.optional(z.object({ code: str(), message: str() })),
  })
  .register(apiSchemas, { id: "JournalEntry", description: "An append-only record: intent before an ARM change, outcome after." });

const pageOf = <T extends z.ZodMiniType>(item: T, id: string) =>
  z
    .object({ value: z.array(item), nextLink: z.optional(str().check(z.describe("Absolute URL of the next page"))) })
    .register(apiSchemas, { id, description: "A page; follow nextLink while present." });

export const connectionPageSchema = pageOf(connectionViewSchema, "ManagedConnectionPage");
export const journalPageSchema = pageOf(journalEntryViewSchema, "JournalPage");

export type ConnectionView = z.infer<typeof connectionViewSchema>;
export type ValidationReportView = z.infer<typeof validationReportSchema>;
export type OperationViewBody = z.infer<typeof operationViewSchema>;
export type JournalEntryView = z.infer<typeof journalEntryViewSchema>;

// The PUT/validate body: the Kusto data connection resource as in ARM templates (kind, location,
// properties; kusto.json 2025-02-14) plus this API's `access` block. Validates requests and generates the
// OpenAPI document (z.toJSONSchema), so what is documented is what is enforced.
import * as z from "zod/mini";
import { fieldPatterns } from "./names";
import { guidPattern, resourceIdGrammars, type ResourceIdKind } from "./resourceIds";

/** Schemas named in the OpenAPI document (`components.schemas`). */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const pattern = (source: string, error: string) => z.string().check(z.regex(new RegExp(source), { error }));

const resourceId = (kind: ResourceIdKind) =>
  pattern(resourceIdGrammars[kind].pattern, `must be a resource ID of the form ${resourceIdGrammars[kind].shape}`);

const enumOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of: ${values.join(", ")}` });

const dataFormats = [
  "MULTIJSON", "JSON", "CSV", "TSV", "SCSV", "SOHSV", "PSV", "TXT", "RAW", "SINGLEJSON", "AVRO", "TSVE", "PARQUET", "ORC", "APACHEAVRO", "W3CLOGFILE",
] as const;
/** EventHubDataFormat and IotHubDataFormat (same list). */
export const eventHubDataFormats = dataFormats;
/** EventGridDataFormat: the Event Hub formats plus AZMONSTREAM. */
export const eventGridDataFormats = [...dataFormats, "AZMONSTREAM"] as const;

const tableName = pattern(fieldPatterns.kustoEntityName, "must be a Kusto table name: 1-1024 letters, digits, '_', '.', '-' or inner spaces");
const mappingRuleName = pattern(fieldPatterns.kustoEntityName, "must be a Kusto mapping name: 1-1024 letters, digits, '_', '.', '-' or inner spaces");
const consumerGroup = pattern(
  fieldPatterns.consumerGroup,
  "must be $Default or 1-50 letters, digits, '.', '-', '_', starting and ending with a letter or digit",
);
const eventSystemProperties = z
  .array(pattern(fieldPatterns.eventSystemProperty, "must be a system property name such as x-opt-enqueued-time"))
  .check(z.maxLength(32, { error: "must have at most 32 items" }));
const compression = enumOf(["None", "GZip"]);
const databaseRouting = enumOf(["Single", "Multi"]);
const retrievalStartDate = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone" });
const managedIdentityResourceId = resourceId("managedIdentity");
const tenantId = pattern(`^${guidPattern}$`, "must be a tenant ID (GUID)");
const location = pattern(fieldPatterns.location, "must be an Azure region name such as westeurope");
const cosmosDbName = pattern(
  fieldPatterns.cosmosDbName,
  "must be 1-255 characters without '/', '\\', '#', '?' or control characters, not ending in a space",
);

/** Properties Kusto reports but never accepts: refused with ReadOnlyProperty (not silently dropped). */
export const readOnlyProperties = ["provisioningState", "managedIdentityObjectId"] as const;

const accessMode = enumOf(["key", "managedIdentity"]);

/** EventHub and EventGrid: key (the default without a managed identity) or managedIdentity. */
const eitherAccess = z
  .strictObject({
    mode: z.optional(accessMode),
    managedIdentityResourceId: z.optional(managedIdentityResourceId),
    sourceTenantId: z.optional(tenantId),
  })
  .register(apiSchemas, { id: "AccessRequest", description: "How the connection reaches its source (defaults from properties.managedIdentityResourceId)." });

const keyOnlyAccess = z.strictObject({
  mode: z.optional(z.enum(["key"], { error: "must be key: IotHub connections are key-based only" })),
  sourceTenantId: z.optional(tenantId),
});

const managedIdentityOnlyAccess = z.strictObject({
  mode: z.optional(z.enum(["managedIdentity"], { error: "must be managedIdentity: CosmosDb connections use a managed identity only" })),
  managedIdentityResourceId: z.optional(managedIdentityResourceId),
  sourceTenantId: z.optional(tenantId),
});

export const eventHubConnectionSchema = z
  .strictObject({
    kind: z.literal("EventHub"),
    location: z.optional(location),
    properties: z.strictObject({
      eventHubResourceId: resourceId("eventHub"),
      consumerGroup,
      tableName: z.optional(tableName),
      mappingRuleName: z.optional(mappingRuleName),
      dataFormat: z.optional(enumOf(eventHubDataFormats)),
      eventSystemProperties: z.optional(eventSystemProperties),
      compression: z.optional(compression),
      managedIdentityResourceId: z.optional(managedIdentityResourceId),
      databaseRouting: z.optional(databaseRouting),
      retrievalStartDate: z.optional(retrievalStartDate),
    }),
    access: z.optional(eitherAccess),
  })
  .register(apiSchemas, { id: "EventHubDataConnection", description: "kind EventHub (EventHubConnectionProperties)" });

export const eventGridConnectionSchema = z
  .strictObject({
    kind: z.literal("EventGrid"),
    location: z.optional(location),
    properties: z.strictObject({
      storageAccountResourceId: resourceId("storageAccount"),
      eventGridResourceId: z.optional(resourceId("eventGridSubscription")),
      eventHubResourceId: resourceId("eventHub"),
      consumerGroup,
      tableName: z.optional(tableName),
      mappingRuleName: z.optional(mappingRuleName),
      dataFormat: z.optional(enumOf(eventGridDataFormats)),
      ignoreFirstRecord: z.optional(z.boolean({ error: "must be a boolean" })),
      blobStorageEventType: z.optional(enumOf(["Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobRenamed"])),
      managedIdentityResourceId: z.optional(managedIdentityResourceId),
      databaseRouting: z.optional(databaseRouting),
    }),
    access: z.optional(eitherAccess),
  })
  .register(apiSchemas, { id: "EventGridDataConnection", description: "kind EventGrid (EventGridConnectionProperties)" });

export const iotHubConnectionSchema = z
  .strictObject({
    kind: z.literal("IotHub"),
    location: z.optional(location),
    properties: z.strictObject({
      iotHubResourceId: resourceId("iotHub"),
      consumerGroup,
      sharedAccessPolicyName: pattern(fieldPatterns.sharedAccessPolicyName, "must be 1-64 letters, digits, '.', '-' or '_'"),
      tableName: z.optional(tableName),
      mappingRuleName: z.optional(mappingRuleName),
      dataFormat: z.optional(enumOf(eventHubDataFormats)),
      eventSystemProperties: z.optional(eventSystemProperties),
      databaseRouting: z.optional(databaseRouting),
      retrievalStartDate: z.optional(retrievalStartDate),
    }),
    access: z.optional(keyOnlyAccess),
  })
  .register(apiSchemas, { id: "IotHubDataConnection", description: "kind IotHub (IotHubConnectionProperties); key-based only" });

export const cosmosDbConnectionSchema = z
  .strictObject({
    kind: z.literal("CosmosDb"),
    location: z.optional(location),
    properties: z.strictObject({
      tableName,
      mappingRuleName: z.optional(mappingRuleName),
      managedIdentityResourceId,
      cosmosDbAccountResourceId: resourceId("cosmosDbAccount"),
      cosmosDbDatabase: cosmosDbName,
      cosmosDbContainer: cosmosDbName,
      retrievalStartDate: z.optional(retrievalStartDate),
    }),
    access: z.optional(managedIdentityOnlyAccess),
  })
  .register(apiSchemas, {
    id: "CosmosDbDataConnection",
    description: "kind CosmosDb (CosmosDbDataConnectionProperties); managed identity only",
  });

/** The body of PUT and POST .../validate. */
export const upsertRequestSchema = z
  .discriminatedUnion("kind", [eventHubConnectionSchema, eventGridConnectionSchema, iotHubConnectionSchema, cosmosDbConnectionSchema])
  .register(apiSchemas, {
    id: "DataConnectionRequest",
    description: "A Kusto data connection as in ARM templates (kind, location, properties) plus the optional access block.",
  });

export type UpsertRequestBody = z.infer<typeof upsertRequestSchema>;

/** Any kind's access block: used to report access problems even when `kind` itself is wrong. */
export const anyAccessSchema = eitherAccess;

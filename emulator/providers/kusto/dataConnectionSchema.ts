// The data-connection request model per kind (kusto.json 2025-02-14): required properties, enums, types
// and defaults. Pure: checks shape only; sources and access are checked in sourceAccess.ts.
import { ArmError } from "../../arm/contract";
import { parseResourceId } from "../../world/resourceId";
import { isRecord } from "../common/resourceRoutes";

export type SupportedKind = "EventHub" | "EventGrid" | "IotHub" | "CosmosDb";

const FORMATS = ["MULTIJSON", "JSON", "CSV", "TSV", "SCSV", "SOHSV", "PSV", "TXT", "RAW", "SINGLEJSON", "AVRO", "TSVE", "PARQUET", "ORC", "APACHEAVRO", "W3CLOGFILE"];
const ROUTING = ["Single", "Multi"];

type PropertyType = "string" | "boolean" | "string[]" | "date-time" | { enum: string[] } | { resourceId: string[] };

interface KindModel {
  required: string[];
  properties: Record<string, PropertyType>;
  /** Values Kusto fills in when the request leaves them out (as its GET responses show). */
  defaults: Record<string, unknown>;
}

const KIND_MODELS: Record<SupportedKind, KindModel> = {
  EventHub: {
    required: ["eventHubResourceId", "consumerGroup"],
    properties: {
      eventHubResourceId: { resourceId: ["Microsoft.EventHub/namespaces/eventhubs"] },
      consumerGroup: "string",
      tableName: "string",
      mappingRuleName: "string",
      dataFormat: { enum: FORMATS },
      eventSystemProperties: "string[]",
      compression: { enum: ["None", "GZip"] },
      managedIdentityResourceId: { resourceId: ["Microsoft.Kusto/clusters", "Microsoft.ManagedIdentity/userAssignedIdentities"] },
      databaseRouting: { enum: ROUTING },
      retrievalStartDate: "date-time",
    },
    defaults: { eventSystemProperties: [], compression: "None", databaseRouting: "Single" },
  },
  EventGrid: {
    required: ["storageAccountResourceId", "eventHubResourceId", "consumerGroup"],
    properties: {
      storageAccountResourceId: { resourceId: ["Microsoft.Storage/storageAccounts"] },
      eventGridResourceId: "string",
      eventHubResourceId: { resourceId: ["Microsoft.EventHub/namespaces/eventhubs"] },
      consumerGroup: "string",
      tableName: "string",
      mappingRuleName: "string",
      dataFormat: { enum: [...FORMATS, "AZMONSTREAM"] },
      ignoreFirstRecord: "boolean",
      blobStorageEventType: { enum: ["Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobRenamed"] },
      managedIdentityResourceId: { resourceId: ["Microsoft.Kusto/clusters", "Microsoft.ManagedIdentity/userAssignedIdentities"] },
      databaseRouting: { enum: ROUTING },
    },
    defaults: { databaseRouting: "Single" },
  },
  IotHub: {
    required: ["iotHubResourceId", "consumerGroup", "sharedAccessPolicyName"],
    properties: {
      iotHubResourceId: { resourceId: ["Microsoft.Devices/IotHubs"] },
      consumerGroup: "string",
      tableName: "string",
      mappingRuleName: "string",
      dataFormat: { enum: FORMATS },
      eventSystemProperties: "string[]",
      sharedAccessPolicyName: "string",
      databaseRouting: { enum: ROUTING },
      retrievalStartDate: "date-time",
    },
    defaults: { eventSystemProperties: [], databaseRouting: "Single" },
  },
  CosmosDb: {
    required: ["tableName", "managedIdentityResourceId", "cosmosDbAccountResourceId", "cosmosDbDatabase", "cosmosDbContainer"],
    properties: {
      tableName: "string",
      mappingRuleName: "string",
      managedIdentityResourceId: { resourceId: ["Microsoft.Kusto/clusters", "Microsoft.ManagedIdentity/userAssignedIdentities"] },
      cosmosDbAccountResourceId: { resourceId: ["Microsoft.DocumentDB/databaseAccounts"] },
      cosmosDbDatabase: "string",
      cosmosDbContainer: "string",
      retrievalStartDate: "date-time",
    },
    defaults: {},
  },
};

const ALL_KINDS = ["EventHub", "EventGrid", "IotHub", "CosmosDb", "EventHubWithManagedIdentity", "EventGridWithManagedIdentity"];

export interface DataConnectionRequest {
  kind: SupportedKind;
  location: string | undefined;
  /** Known, writable properties only, enums in canonical casing, defaults filled in. */
  properties: Record<string, unknown>;
}

/** Parses and checks a DataConnection body; returns the normalized request or every shape problem found. */
export function parseDataConnection(body: unknown): { ok: true; value: DataConnectionRequest } | { ok: false; problems: ArmError[] } {
  if (!isRecord(body)) return fail(new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: a JSON object is required."));
  const kindInput = body.kind;
  if (typeof kindInput !== "string" || kindInput === "") return fail(new ArmError(400, "MissingRequiredProperty", "The property 'kind' is required."));
  const kind = Object.keys(KIND_MODELS).find((k) => k.toLowerCase() === kindInput.toLowerCase()) as SupportedKind | undefined;
  if (!kind) {
    const known = ALL_KINDS.some((k) => k.toLowerCase() === kindInput.toLowerCase());
    return fail(
      known
        ? new ArmError(400, "UnsupportedDataConnectionKind", `Data connections of kind '${kindInput}' cannot be created here; use kind EventHub or EventGrid with 'managedIdentityResourceId'.`)
        : new ArmError(400, "InvalidDataConnectionKind", `The data connection kind '${kindInput}' is invalid. Allowed values: ${ALL_KINDS.join(", ")}.`),
    );
  }
  const model = KIND_MODELS[kind];
  const input = isRecord(body.properties) ? body.properties : {};
  const problems: ArmError[] = [];
  const properties: Record<string, unknown> = {};
  for (const name of model.required) {
    if (input[name] === undefined || input[name] === null || input[name] === "") {
      problems.push(new ArmError(400, "MissingRequiredProperty", `The property 'properties.${name}' is required for data connections of kind '${kind}'.`));
    }
  }
  for (const [name, type] of Object.entries(model.properties)) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    const checked = checkProperty(name, value, type);
    if (checked instanceof ArmError) problems.push(checked);
    else properties[name] = checked;
  }
  if (problems.length > 0) return { ok: false, problems };
  for (const [name, value] of Object.entries(model.defaults)) if (properties[name] === undefined) properties[name] = value;
  return { ok: true, value: { kind, location: typeof body.location === "string" ? body.location : undefined, properties } };
}

function checkProperty(name: string, value: unknown, type: PropertyType): unknown {
  const invalid = (expected: string) =>
    new ArmError(400, "InvalidPropertyValue", `The value '${typeof value === "string" ? value : JSON.stringify(value)}' of property 'properties.${name}' is invalid: ${expected}.`);
  if (type === "string") return typeof value === "string" ? value : invalid("a string is required");
  if (type === "boolean") return typeof value === "boolean" ? value : invalid("a boolean is required");
  if (type === "string[]") return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : invalid("an array of strings is required");
  if (type === "date-time") return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : invalid("an ISO 8601 date-time is required");
  if ("enum" in type) {
    const match = typeof value === "string" ? type.enum.find((e) => e.toLowerCase() === value.toLowerCase()) : undefined;
    return match ?? invalid(`allowed values are ${type.enum.join(", ")}`);
  }
  if (typeof value !== "string") return invalid("a resource ID is required");
  try {
    const parsed = parseResourceId(value);
    if (parsed.subscriptionId && parsed.resourceGroup && type.resourceId.some((t) => t.toLowerCase() === parsed.type.toLowerCase())) return value;
  } catch {
    // not a resource ID at all: reported below
  }
  return new ArmError(400, "InvalidResourceId", `The value '${value}' of property 'properties.${name}' is not a resource ID of type ${type.resourceId.join(" or ")}.`);
}

function fail(problem: ArmError): { ok: false; problems: ArmError[] } {
  return { ok: false, problems: [problem] };
}

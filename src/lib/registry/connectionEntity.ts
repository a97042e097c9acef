// A ManagedConnection as a row of the connections table: the record as JSON (split when large), plus
// lower-cased top-level columns that list filters use server-side.
import type { ManagedConnection } from "../connections/model";
import { fromJsonProperties, toJsonProperties } from "./jsonProperties";
import { connectionPartitionKey, connectionRowKey } from "./registryKeys";

/** Bumped when the stored shape changes, so readers can migrate old rows. */
export const CONNECTION_SCHEMA_VERSION = 1;

export type ConnectionEntity = {
  partitionKey: string;
  rowKey: string;
} & Record<string, string | number | boolean>;

export function toConnectionEntity(connection: ManagedConnection): ConnectionEntity {
  const { etag: _etag, ...record } = connection;
  const key = connection.key;
  return {
    partitionKey: connectionPartitionKey(key),
    rowKey: connectionRowKey(key),
    schemaVersion: CONNECTION_SCHEMA_VERSION,
    connectionId: connection.id,
    subscriptionId: key.subscriptionId.toLowerCase(),
    resourceGroup: key.resourceGroup.toLowerCase(),
    cluster: key.cluster.toLowerCase(),
    database: key.database.toLowerCase(),
    name: key.name.toLowerCase(),
    status: connection.status,
    kind: connection.kind,
    authMode: connection.authMode,
    principalObjectId: connection.binding.principal.objectId.toLowerCase(),
    updatedAt: connection.updatedAt,
    ...toJsonProperties("record", record),
  };
}

export function fromConnectionEntity(entity: Readonly<Record<string, unknown>>, etag: string | undefined): ManagedConnection {
  const record = fromJsonProperties("record", entity);
  if (!isRecord(record) || typeof record.id !== "string" || !isRecord(record.key)) {
    throw new Error(`connections row ${String(entity.partitionKey)}/${String(entity.rowKey)} holds no connection record`);
  }
  const connection = record as unknown as ManagedConnection;
  return etag === undefined ? connection : { ...connection, etag };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

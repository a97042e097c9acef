// TableClient by table name from the storage settings: a connection string locally (Azurite), the
// app's managed identity and the table service URI in Azure. What createTableRegistry, createTableJournal
// and createTableOutbox take as `tableClient`.
import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import type { Settings } from "../config/settings";

export function createTableClientFactory(
  storage: Settings["storage"],
  credential: TokenCredential,
  options: TableServiceClientOptions = {},
): ((tableName: string) => TableClient) | undefined {
  if (storage.kind === "connectionString") {
    const connectionString = storage.connectionString;
    return (tableName) => TableClient.fromConnectionString(connectionString, tableName, options);
  }
  if (storage.kind === "identity") {
    const uri = storage.tableServiceUri;
    return (tableName) => new TableClient(uri, tableName, credential, options);
  }
  return undefined;
}

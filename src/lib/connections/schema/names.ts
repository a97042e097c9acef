// Rules for the names in the API's routes (the connection's ARM coordinates) and for names inside the body.
// Patterns are JSON Schema compatible so the OpenAPI document states exactly what is enforced.
import { guidPattern, namePatterns, resourceGroupPattern } from "./resourceIds";

/** Longest data connection name accepted; Kusto's spec has no rule, checkNameAvailability has the last word. */
export const maxConnectionNameLength = 40;

// Forbidden in a connection name: control characters, `/` (a path separator in ARM IDs), and `\ ? # %`,
// which do not survive URL paths intact. Leading/trailing spaces are refused too.
const nameChar = "[^\\u0000-\\u001F\\u007F-\\u009F/\\\\?#%]";
const nameEdgeChar = "[^\\u0000-\\u0020\\u007F-\\u009F/\\\\?#%]";

export const routePatterns = {
  subscriptionId: `^${guidPattern}$`,
  resourceGroup: `^${resourceGroupPattern}$`,
  cluster: `^${namePatterns.kustoCluster}$`,
  /** Kusto database: 1-260 letters, digits, `_`, `.`, `-` and inner spaces. */
  database: "^[A-Za-z0-9_.-](?:[A-Za-z0-9_. -]{0,258}[A-Za-z0-9_.-])?$",
  name: `^${nameEdgeChar}(?:${nameChar}{0,${maxConnectionNameLength - 2}}${nameEdgeChar})?$`,
} as const;

export const routeRules: Readonly<Record<keyof typeof routePatterns, string>> = {
  subscriptionId: "must be a subscription ID (GUID)",
  resourceGroup: "must be a resource group name: 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
  cluster: "must be a Kusto cluster name: 4-22 letters and digits, starting with a letter",
  database: "must be a Kusto database name: 1-260 letters, digits, '_', '.', '-' or inner spaces",
  name:
    `must be 1-${maxConnectionNameLength} characters without control characters, '/', '\\', '?', '#', '%' ` +
    "or leading/trailing spaces",
};

/** Names inside the body (Kusto entity names, Event Hubs/IoT Hub consumer groups, Cosmos DB names). */
export const fieldPatterns = {
  /** Kusto table or mapping name: 1-1024 letters, digits, `_`, `.`, `-`, spaces. */
  kustoEntityName: "^[A-Za-z0-9_.-](?:[A-Za-z0-9_. -]{0,1022}[A-Za-z0-9_.-])?$",
  /** Consumer group: `$Default` or 1-50 letters, digits, `.`, `-`, `_`, starting and ending with a letter or digit. */
  consumerGroup: "^(?:\\$Default|[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?)$",
  /** IoT Hub shared access policy: 1-64 letters, digits, `.`, `-`, `_`. */
  sharedAccessPolicyName: "^[A-Za-z0-9._-]{1,64}$",
  /** Cosmos DB database or container: 1-255 characters, none of `/ \ # ?`, no control characters, not ending in a space. */
  cosmosDbName: "^[^\\u0000-\\u001F\\u007F/\\\\#?]{0,254}[^\\u0000-\\u0020\\u007F/\\\\#?]$",
  /** Azure region as ARM accepts it ("westeurope", "West Europe"). */
  location: "^[A-Za-z0-9][A-Za-z0-9 ()-]{0,63}$",
  /** An Event Hub / IoT Hub system property name (x-opt-enqueued-time, iothub-connection-device-id, ...). */
  eventSystemProperty: "^[A-Za-z0-9$][A-Za-z0-9._$-]{0,127}$",
} as const;

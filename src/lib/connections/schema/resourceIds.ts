// ARM resource-ID grammar per provider, as regular expressions that also work as JSON Schema `pattern`s
// (no flags there, so case-insensitive literals are spelled out as [Mm][Ii]...). One source for the
// request schemas, the OpenAPI document and parsing.

/** A GUID as ARM prints it (any version: the Kusto spec examples use 12345678-1234-1234-1234-123456789098). */
export const guidPattern = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}";
/** Resource group: 1-90 of letters, digits, `-`, `_`, `.`, `(`, `)`; not ending in `.` (ASCII only here). */
export const resourceGroupPattern = "[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]";

/** Resource-name rules of each provider (ARM naming rules; case-insensitive like ARM IDs). */
export const namePatterns = {
  /** Kusto cluster: 4-22 letters and digits, starting with a letter. */
  kustoCluster: "[A-Za-z][A-Za-z0-9]{3,21}",
  /** Event Hubs namespace: 6-50 letters, digits and `-`; starts with a letter, ends with a letter or digit. */
  eventHubNamespace: "[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]",
  /** Event hub: 1-256 letters, digits, `.`, `-`, `_`; starts and ends with a letter or digit. */
  eventHub: "[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254}[A-Za-z0-9])?",
  /** Storage account: 3-24 letters and digits. */
  storageAccount: "[A-Za-z0-9]{3,24}",
  /** IoT hub: 3-50 letters, digits and `-`; not starting or ending with `-`. */
  iotHub: "[A-Za-z0-9][A-Za-z0-9-]{1,48}[A-Za-z0-9]",
  /** Cosmos DB account: 3-44 letters, digits and `-`; not starting or ending with `-`. */
  cosmosDbAccount: "[A-Za-z0-9][A-Za-z0-9-]{1,42}[A-Za-z0-9]",
  /** User-assigned identity: 3-128 letters, digits, `-`, `_`; starts with a letter or digit. */
  userAssignedIdentity: "[A-Za-z0-9][A-Za-z0-9_-]{2,127}",
  /** Event Grid system topic or event subscription: 3-64 letters, digits and `-`. */
  eventGridName: "[A-Za-z0-9-]{3,64}",
} as const;

/** A literal matched case-insensitively, without regex flags (JSON Schema patterns have none). */
export function caseInsensitive(literal: string): string {
  return [...literal]
    .map((ch) => {
      const lower = ch.toLowerCase();
      const upper = ch.toUpperCase();
      if (lower !== upper) return `[${upper}${lower}]`;
      // Only syntax characters are escaped: other escapes are errors under the `u` flag JSON Schema validators use.
      return /[.*+?^${}()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
    })
    .join("");
}

const ci = caseInsensitive;
const rgPrefix = `/${ci("subscriptions")}/${guidPattern}/${ci("resourceGroups")}/${resourceGroupPattern}/${ci("providers")}/`;

const kustoCluster = `${rgPrefix}${ci("Microsoft.Kusto")}/${ci("clusters")}/${namePatterns.kustoCluster}`;
const storageAccount = `${rgPrefix}${ci("Microsoft.Storage")}/${ci("storageAccounts")}/${namePatterns.storageAccount}`;
const userAssignedIdentity = `${rgPrefix}${ci("Microsoft.ManagedIdentity")}/${ci("userAssignedIdentities")}/${namePatterns.userAssignedIdentity}`;

export type ResourceIdKind =
  | "eventHub"
  | "storageAccount"
  | "iotHub"
  | "cosmosDbAccount"
  | "eventGridSubscription"
  | "kustoCluster"
  | "userAssignedIdentity"
  | "managedIdentity";

interface ResourceIdGrammar {
  /** The regular expression's source, anchored. */
  pattern: string;
  /** What users see in a problem's message. */
  shape: string;
}

/** Every resource-ID shape the API accepts. */
export const resourceIdGrammars: Readonly<Record<ResourceIdKind, ResourceIdGrammar>> = {
  eventHub: {
    pattern: `^${rgPrefix}${ci("Microsoft.EventHub")}/${ci("namespaces")}/${namePatterns.eventHubNamespace}/${ci("eventhubs")}/${namePatterns.eventHub}$`,
    shape: "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.EventHub/namespaces/{namespace}/eventhubs/{eventHub}",
  },
  storageAccount: {
    pattern: `^${storageAccount}$`,
    shape: "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{account}",
  },
  iotHub: {
    pattern: `^${rgPrefix}${ci("Microsoft.Devices")}/${ci("IotHubs")}/${namePatterns.iotHub}$`,
    shape: "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Devices/IotHubs/{iotHub}",
  },
  cosmosDbAccount: {
    pattern: `^${rgPrefix}${ci("Microsoft.DocumentDB")}/${ci("databaseAccounts")}/${namePatterns.cosmosDbAccount}$`,
    shape: "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.DocumentDB/databaseAccounts/{account}",
  },
  eventGridSubscription: {
    // Kusto's spec example: an event subscription on the storage account; a system topic's subscription is also valid.
    pattern:
      `^(?:${storageAccount}/${ci("providers")}/${ci("Microsoft.EventGrid")}/${ci("eventSubscriptions")}/${namePatterns.eventGridName}` +
      `|${rgPrefix}${ci("Microsoft.EventGrid")}/${ci("systemTopics")}/${namePatterns.eventGridName}/${ci("eventSubscriptions")}/${namePatterns.eventGridName})$`,
    shape:
      "{storage account ID}/providers/Microsoft.EventGrid/eventSubscriptions/{name} or " +
      "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.EventGrid/systemTopics/{topic}/eventSubscriptions/{name}",
  },
  kustoCluster: {
    pattern: `^${kustoCluster}$`,
    shape: "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Kusto/clusters/{cluster}",
  },
  userAssignedIdentity: {
    pattern: `^${userAssignedIdentity}$`,
    shape: "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
  },
  managedIdentity: {
    // Kusto's managedIdentityResourceId: the cluster's ID (system-assigned identity) or a user-assigned identity.
    pattern: `^(?:${kustoCluster}|${userAssignedIdentity})$`,
    shape:
      "a Kusto cluster ID (its system-assigned identity) or " +
      "/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
  },
};

const compiled = new Map<ResourceIdKind, RegExp>(
  Object.entries(resourceIdGrammars).map(([kind, g]) => [kind as ResourceIdKind, new RegExp(g.pattern)]),
);

export function isResourceIdOf(kind: ResourceIdKind, id: string): boolean {
  return compiled.get(kind)?.test(id) ?? false;
}

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. "Microsoft.EventHub" (as written). */
  provider: string;
  /** Type segments after the provider, e.g. ["namespaces", "eventhubs"]. */
  types: string[];
  /** Names matching `types`, e.g. ["evhns-demo", "telemetry"]. */
  names: string[];
}

/**
 * Splits an ID of the given kind into its parts; undefined when it does not follow the grammar. Only the
 * first provider's segments are split (an event subscription on a storage account keeps `providers` in types).
 */
export function parseResourceId(kind: ResourceIdKind, id: string): ParsedResourceId | undefined {
  if (!isResourceIdOf(kind, id)) return undefined;
  // The grammar guarantees the layout: "", subscriptions, {s}, resourceGroups, {rg}, providers, {ns}, type, name, ...
  const segments = id.split("/");
  const rest = segments.slice(7);
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) {
    types.push(rest[i] as string);
    names.push(rest[i + 1] as string);
  }
  return {
    subscriptionId: segments[2] as string,
    resourceGroup: segments[4] as string,
    provider: segments[6] as string,
    types,
    names,
  };
}

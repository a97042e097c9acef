// Event subscription bodies: validation of what a PUT may carry (as the Microsoft.EventGrid RP checks
// it), the stored/returned representation, and the delivery view and target derived from it.
import { ArmError } from "../arm/contract";
import type { TokenService } from "../arm/contract";
import type { World } from "../world/world";
import type { DeliveryTarget, SubscriptionView } from "./deliveryEngine";
import type { DeliverySchema } from "./events";
import { validateFilter } from "./filters";
import type { SubscriptionFilter } from "./filters";
import { DEFAULT_EVENT_TTL_IN_MINUTES, DEFAULT_MAX_DELIVERY_ATTEMPTS } from "./retryPolicy";

/** App ID of Event Grid's first-party application (the identity of Entra-protected webhook deliveries). */
export const EVENT_GRID_APP_ID = "4962773b-9cdb-44cf-a8bf-237846a00ab7";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export interface ParsedSubscription {
  /** The properties ARM stores and returns (no endpointUrl: that is write-only, see getFullUrl). */
  properties: Record<string, unknown>;
  /** WebHook only: the full URL, query string (secrets) included. */
  endpointUrl: string | undefined;
}

function bad(message: string): ArmError {
  return new ArmError(400, "BadRequest", message);
}

function intIn(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${name} must be an integer between ${min} and ${max}.`);
  }
  return value;
}

/** Validates a PUT body's `properties` and returns what to store. */
export function parseSubscriptionBody(body: unknown, topicId: string, world: World): ParsedSubscription {
  const props = ((body as { properties?: unknown } | undefined)?.properties ?? {}) as Record<string, unknown>;
  if (typeof props !== "object" || props === null) throw bad("properties must be an object.");
  const destination = props.destination as { endpointType?: unknown; properties?: Record<string, unknown> } | undefined;
  if (!destination || typeof destination !== "object") throw bad("Destination is required for the event subscription.");
  const dprops = destination.properties ?? {};
  const maxEventsPerBatch = intIn(dprops.maxEventsPerBatch, "maxEventsPerBatch", 1, 5000, 1);
  const preferredBatchSizeInKilobytes = intIn(dprops.preferredBatchSizeInKilobytes, "preferredBatchSizeInKilobytes", 1, 1024, 64);
  let storedDestination: Record<string, unknown>;
  let endpointUrl: string | undefined;
  if (destination.endpointType === "WebHook") {
    const url = dprops.endpointUrl;
    if (typeof url !== "string" || url === "") throw bad("endpointUrl is required for a WebHook destination.");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad(`The value '${url}' of endpointUrl is not a valid URL.`);
    }
    // Deviation: real Event Grid requires https; the emulator also takes http to loopback (local hosts).
    if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname))) {
      throw bad(`The attempt to validate the provided endpoint ${url} failed. Endpoint URL must use https.`);
    }
    endpointUrl = url;
    const tenant = dprops.azureActiveDirectoryTenantId;
    const audience = dprops.azureActiveDirectoryApplicationIdOrUri;
    if ((tenant === undefined) !== (audience === undefined)) {
      throw bad("azureActiveDirectoryTenantId and azureActiveDirectoryApplicationIdOrUri must be given together.");
    }
    storedDestination = {
      endpointType: "WebHook",
      properties: {
        endpointBaseUrl: `${parsed.origin}${parsed.pathname}`,
        maxEventsPerBatch,
        preferredBatchSizeInKilobytes,
        ...(tenant !== undefined ? { azureActiveDirectoryTenantId: tenant, azureActiveDirectoryApplicationIdOrUri: audience } : {}),
      },
    };
  } else if (destination.endpointType === "AzureFunction") {
    const resourceId = dprops.resourceId;
    if (typeof resourceId !== "string" || !/\/providers\/Microsoft\.Web\/sites\/[^/]+\/functions\/[^/]+$/i.test(resourceId)) {
      throw bad("resourceId of an AzureFunction destination must be .../providers/Microsoft.Web/sites/{app}/functions/{function}.");
    }
    const siteId = resourceId.replace(/\/functions\/[^/]+$/i, "");
    if (!world.getResource(siteId)) throw bad(`The destination function app '${siteId}' was not found.`);
    storedDestination = { endpointType: "AzureFunction", properties: { resourceId, maxEventsPerBatch, preferredBatchSizeInKilobytes } };
  } else {
    throw bad(`Endpoint type '${String(destination.endpointType)}' is not supported by the emulator (WebHook, AzureFunction).`);
  }
  const schema = props.eventDeliverySchema ?? "EventGridSchema";
  if (schema !== "EventGridSchema" && schema !== "CloudEventSchemaV1_0") {
    throw bad(`eventDeliverySchema '${String(schema)}' is not supported (EventGridSchema, CloudEventSchemaV1_0).`);
  }
  const filterError = validateFilter(props.filter);
  if (filterError) throw bad(filterError);
  const filter = (props.filter ?? {}) as SubscriptionFilter;
  const retry = (props.retryPolicy ?? {}) as Record<string, unknown>;
  const retryPolicy = {
    maxDeliveryAttempts: intIn(retry.maxDeliveryAttempts, "maxDeliveryAttempts", 1, 30, DEFAULT_MAX_DELIVERY_ATTEMPTS),
    eventTimeToLiveInMinutes: intIn(retry.eventTimeToLiveInMinutes, "eventTimeToLiveInMinutes", 1, 1440, DEFAULT_EVENT_TTL_IN_MINUTES),
  };
  const deadLetter = props.deadLetterDestination as { endpointType?: unknown; properties?: Record<string, unknown> } | undefined;
  if (deadLetter !== undefined && deadLetter !== null) {
    if (deadLetter.endpointType !== "StorageBlob" || typeof deadLetter.properties?.resourceId !== "string" || typeof deadLetter.properties.blobContainerName !== "string") {
      throw bad("deadLetterDestination must be a StorageBlob with resourceId and blobContainerName.");
    }
  }
  return {
    endpointUrl,
    properties: {
      topic: topicId,
      provisioningState: "Creating",
      destination: storedDestination,
      filter: {
        subjectBeginsWith: filter.subjectBeginsWith ?? "",
        subjectEndsWith: filter.subjectEndsWith ?? "",
        ...(filter.includedEventTypes ? { includedEventTypes: filter.includedEventTypes } : {}),
        isSubjectCaseSensitive: filter.isSubjectCaseSensitive ?? false,
        enableAdvancedFilteringOnArrays: filter.enableAdvancedFilteringOnArrays ?? false,
        ...(filter.advancedFilters ? { advancedFilters: filter.advancedFilters } : {}),
      },
      labels: Array.isArray(props.labels) ? props.labels : [],
      eventDeliverySchema: schema,
      retryPolicy,
      ...(deadLetter ? { deadLetterDestination: deadLetter } : {}),
      ...(props.expirationTimeUtc ? { expirationTimeUtc: props.expirationTimeUtc } : {}),
    },
  };
}

export function toSubscriptionView(record: { id: string; body: Record<string, unknown> }): SubscriptionView {
  const props = record.body.properties as Record<string, unknown>;
  const d = ((props.destination as Record<string, unknown>).properties ?? {}) as Record<string, unknown>;
  const retry = (props.retryPolicy ?? {}) as Record<string, number>;
  const dl = props.deadLetterDestination as { properties?: { resourceId: string; blobContainerName: string } } | undefined;
  return {
    id: record.id,
    name: String(record.body.name),
    schema: (props.eventDeliverySchema as DeliverySchema | undefined) ?? "EventGridSchema",
    maxDeliveryAttempts: retry.maxDeliveryAttempts ?? DEFAULT_MAX_DELIVERY_ATTEMPTS,
    eventTimeToLiveInMinutes: retry.eventTimeToLiveInMinutes ?? DEFAULT_EVENT_TTL_IN_MINUTES,
    maxEventsPerBatch: typeof d.maxEventsPerBatch === "number" ? d.maxEventsPerBatch : 1,
    preferredBatchSizeInKilobytes: typeof d.preferredBatchSizeInKilobytes === "number" ? d.preferredBatchSizeInKilobytes : 64,
    deadLetter: dl?.properties ? { resourceId: dl.properties.resourceId, blobContainerName: dl.properties.blobContainerName } : undefined,
  };
}

export interface TargetResolverOptions {
  world: World;
  tokens: TokenService;
  /** Full webhook URLs by lower-cased subscription ID (the write-only endpointUrl). */
  endpointUrls: Map<string, string>;
}

/** Where an attempt goes and with which headers (a fresh Entra token when the webhook asks for one). */
export async function resolveTarget(options: TargetResolverOptions, subscriptionId: string): Promise<DeliveryTarget> {
  const record = options.world.getResource(subscriptionId);
  if (!record) throw new Error(`event subscription ${subscriptionId} not found`);
  const destination = (record.body.properties as Record<string, unknown>).destination as { endpointType: string; properties: Record<string, unknown> };
  const d = destination.properties;
  if (destination.endpointType === "AzureFunction") {
    const resourceId = String(d.resourceId);
    const fn = resourceId.split("/").pop() ?? "";
    const site = options.world.getResource(resourceId.replace(/\/functions\/[^/]+$/i, ""));
    const host = (site?.body.properties as Record<string, unknown> | undefined)?.defaultHostName;
    if (typeof host !== "string") throw new Error(`function app of ${resourceId} not found or has no defaultHostName`);
    // Deviation: the local Functions host speaks http; real Event Grid calls https://{defaultHostName} with the system key.
    return { url: `http://${host}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(fn)}`, headers: {} };
  }
  const url = options.endpointUrls.get(record.id.toLowerCase()) ?? (typeof d.endpointUrl === "string" ? d.endpointUrl : String(d.endpointBaseUrl));
  const headers: Record<string, string> = {};
  if (typeof d.azureActiveDirectoryTenantId === "string" && typeof d.azureActiveDirectoryApplicationIdOrUri === "string") {
    headers.authorization = `Bearer ${await mintDeliveryToken(options, d.azureActiveDirectoryTenantId, d.azureActiveDirectoryApplicationIdOrUri)}`;
  }
  return { url, headers };
}

/** A token for Event Grid's first-party app in the webhook's tenant, for the webhook's application. */
export async function mintDeliveryToken(options: TargetResolverOptions, tenantId: string, audience: string): Promise<string> {
  const sp = options.world.findServicePrincipal(tenantId, EVENT_GRID_APP_ID);
  return options.tokens.mint({
    tenantId,
    // When the world has no service principal for Event Grid in that tenant, the app ID stands in for its object ID.
    objectId: sp?.objectId ?? EVENT_GRID_APP_ID,
    appId: EVENT_GRID_APP_ID,
    audience,
    ...(sp?.appRoles ? { roles: sp.appRoles } : {}),
  });
}

// The only reader of process.env: validates app settings once and fails fast with a clear message.
// zod/mini: the tree-shakable build of zod; the classic one adds ~440 KB of locales to the bundle (cold start).
import * as z from "zod/mini";
import { clouds, type CloudName } from "./clouds";

const httpsUrl = z.pipe(
  z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
  z.transform((u: string) => u.replace(/\/+$/, "")),
);

// Read on their own at load (readTelemetrySettings), before anything else, so they are a schema apart.
const telemetrySchema = z.object({
  /** Application Insights' connection string (ingestion endpoint; with local auth disabled it grants nothing alone). */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.optional(z.string()),
  /** 'Authorization=AAD;ClientId={UAMI client ID}': telemetry is sent with the managed identity's Entra token. */
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.optional(z.string()),
  /**
   * auto: Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set, else none (nothing loaded);
   * console: spans and metrics to stdout (local runs); none: off.
   */
  TELEMETRY_EXPORTER: z._default(z.enum(["auto", "azureMonitor", "console", "none"]), "auto"),
});

const settingsSchema = z.object({
  ...telemetrySchema.shape,
  AZURE_CLOUD: z._default(z.enum(["AzurePublicCloud", "AzureUSGovernment", "AzureChinaCloud"]), "AzurePublicCloud"),
  /** Overrides the cloud's ARM endpoint (the local emulator, or a private ARM endpoint). */
  ARM_ENDPOINT: z.optional(httpsUrl),
  /** Overrides the cloud's Entra authority host (the local emulator's authority). */
  AZURE_AUTHORITY_HOST: z.optional(httpsUrl),
  /** Client ID of the app's user-assigned managed identity. */
  AZURE_CLIENT_ID: z.optional(z.uuid()),
  /** Local development only: an Azurite connection string. In Azure, the service URIs below with the identity. */
  AzureWebJobsStorage: z.optional(z.string().check(z.minLength(1))),
  AzureWebJobsStorage__tableServiceUri: z.optional(httpsUrl),
  AzureWebJobsStorage__queueServiceUri: z.optional(httpsUrl),
  AzureWebJobsStorage__blobServiceUri: z.optional(httpsUrl),
  APP_VERSION: z.optional(z.string()),

  // ---- the app's own identity and tenant
  /** Tenant of the app, its managed identity and the Kusto clusters it manages. */
  APP_TENANT_ID: z.optional(z.uuid()),
  /** Object (principal) ID of the app's user-assigned identity: the binding principal of same-tenant key-mode connections. */
  APP_PRINCIPAL_ID: z.optional(z.uuid()),

  // ---- callers of the HTTP API (Entra tokens)
  /** Accepted token audiences, comma-separated: the API's app ID URI and client ID. */
  API_AUDIENCES: z.optional(z.string().check(z.minLength(1))),
  /** Tenant whose tokens are accepted (issuer https://login.microsoftonline.com/{tenant}/v2.0 in the public cloud). */
  API_TENANT_ID: z.optional(z.uuid()),
  /** Overrides the JWKS URL (default: {authority host}/{API_TENANT_ID}/discovery/v2.0/keys). */
  API_JWKS_URI: z.optional(httpsUrl),
  /** The access policy (JSON): which callers may target which clusters, databases, sources and tenants. */
  ACCESS_POLICY: z.optional(z.string()),

  // ---- cross-tenant sources
  /** Client ID of the multi-tenant app whose federated credential trusts the app's managed identity. */
  CROSS_TENANT_APP_CLIENT_ID: z.optional(z.uuid()),
  /** JSON array of {"tenantId", "servicePrincipalObjectId"}: the source tenants allowed, and the app's SP in each. */
  SOURCE_TENANTS: z.optional(z.string()),

  // ---- notifications, registry, Kusto
  /** Event Grid custom topic endpoint for adx.connection.* CloudEvents (optional). */
  NOTIFICATIONS_TOPIC_ENDPOINT: z.optional(httpsUrl),
  /** Prefix of the registry's table names (letters and digits). */
  REGISTRY_TABLE_PREFIX: z._default(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9]{0,29}$/)), "adx"),
  /** How long a request waits for Kusto's operation before answering 202 with an operation to poll. */
  KUSTO_WAIT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(230_000)), 20_000),

  // ---- revocation (issue 5)
  /** enforce: delete connections whose access was revoked; report: journal and notify only. */
  REVOCATION_MODE: z._default(z.enum(["enforce", "report"]), "enforce"),
  /** JSON array of {"tenantId", "topic"}: event sources the webhook /api/events accepts (system topics of other tenants). */
  EVENTS_ALLOWED_SOURCES: z._default(z.string(), "[]"),

  // ---- audit (issue 6)
  /** NCRONTAB (6 fields) of the scheduled audit; the timer trigger reads it as %AUDIT_SCHEDULE%. */
  AUDIT_SCHEDULE: z._default(z.string().check(z.minLength(1)), "0 0 */6 * * *"),
  AUDIT_MODE: z._default(z.enum(["report", "enforce"]), "report"),
  /** In enforce mode, the finding types remediated (comma-separated). */
  AUDIT_ENFORCE_FINDINGS: z._default(z.string(), "accessRevoked,sourceMissing,connectionMissing,specDrift"),
  /** Subscriptions whose Kusto clusters are audited (comma-separated); the registry's clusters are always audited. */
  AUDIT_SUBSCRIPTIONS: z._default(z.string(), ""),
  /** Queue of per-cluster audit shards; the queue trigger reads it as %AUDIT_QUEUE%. */
  AUDIT_QUEUE: z._default(z.string().check(z.regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/)), "audit-shards"),
  /** Blob container of audit reports ({runId}.json). */
  AUDIT_REPORTS_CONTAINER: z._default(z.string().check(z.regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/)), "audit-reports"),
});

/** Every app setting the app reads (infra/ must set those the deployment needs: see test/unit/infra). */
export const settingNames: readonly string[] = Object.keys(settingsSchema.shape);

/** Where the app's OpenTelemetry spans and metrics go (src/lib/azure/telemetry.ts). */
export type TelemetrySettings =
  | { exporter: "none"; problem?: string }
  | { exporter: "console" }
  | {
      exporter: "azureMonitor";
      connectionString: string;
      /** Entra ingestion (APPLICATIONINSIGHTS_AUTHENTICATION_STRING); clientId absent: the system-assigned identity. */
      entra?: { clientId: string | undefined };
    };

export interface Settings {
  telemetry: TelemetrySettings;
  cloud: CloudName;
  armEndpoint: string;
  armAudience: string;
  authorityHost: string;
  tokenExchangeAudience: string;
  managedIdentityClientId: string | undefined;
  storage:
    | { kind: "connectionString"; connectionString: string }
    | { kind: "identity"; tableServiceUri: string; queueServiceUri: string | undefined; blobServiceUri: string | undefined }
    | { kind: "none" };
  version: string;
  app: { tenantId: string | undefined; principalId: string | undefined };
  api: { audiences: string[]; tenantId: string | undefined; issuer: string | undefined; jwksUri: string | undefined };
  /** Raw access policy JSON (parsed and validated by src/lib/auth/policy). */
  accessPolicy: string | undefined;
  crossTenant: { appClientId: string | undefined; sourceTenants: SourceTenant[] };
  notifications: { topicEndpoint: string | undefined };
  registry: { tablePrefix: string };
  kusto: { waitInMs: number };
  revocation: { mode: "enforce" | "report"; allowedEventSources: EventSource[] };
  audit: {
    schedule: string;
    mode: "report" | "enforce";
    enforceFindings: string[];
    subscriptions: string[];
    queueName: string;
    reportsContainer: string;
  };
}

/** A system topic (of another tenant) whose events the webhook accepts. */
export interface EventSource {
  tenantId: string;
  /** The topic as events name it, e.g. /subscriptions/{id} (compared case-insensitively). */
  topic: string;
}

const eventSourcesSchema = z.array(z.object({ tenantId: z.uuid(), topic: z.string().check(z.minLength(1)) }));

export interface SourceTenant {
  tenantId: string;
  /** The multi-tenant app's service principal in that tenant: the binding principal of its key-mode connections. */
  servicePrincipalObjectId: string;
}

const sourceTenantsSchema = z.array(z.object({ tenantId: z.uuid(), servicePrincipalObjectId: z.uuid() }));

export class SettingsError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid app settings:\n  - ${issues.join("\n  - ")}`);
    this.name = "SettingsError";
  }
}

export function readSettings(env: NodeJS.ProcessEnv, version: string): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const s = parsed.data;
  const cloud = clouds[s.AZURE_CLOUD];
  const storage: Settings["storage"] = s.AzureWebJobsStorage
    ? { kind: "connectionString", connectionString: s.AzureWebJobsStorage }
    : s.AzureWebJobsStorage__tableServiceUri
      ? {
          kind: "identity",
          tableServiceUri: s.AzureWebJobsStorage__tableServiceUri,
          queueServiceUri: s.AzureWebJobsStorage__queueServiceUri,
          blobServiceUri: s.AzureWebJobsStorage__blobServiceUri,
        }
      : { kind: "none" };
  const issues: string[] = [];
  let sourceTenants: SourceTenant[] = [];
  if (s.SOURCE_TENANTS) {
    const parsedTenants = z.safeParse(sourceTenantsSchema, safeJson(s.SOURCE_TENANTS));
    if (parsedTenants.success) sourceTenants = parsedTenants.data;
    else issues.push('SOURCE_TENANTS: must be a JSON array of {"tenantId", "servicePrincipalObjectId"} (GUIDs)');
  }
  const eventSources = z.safeParse(eventSourcesSchema, safeJson(s.EVENTS_ALLOWED_SOURCES));
  if (!eventSources.success) issues.push('EVENTS_ALLOWED_SOURCES: must be a JSON array of {"tenantId", "topic"}');
  if (issues.length > 0) throw new SettingsError(issues);
  const apiTenant = s.API_TENANT_ID;
  return {
    telemetry: toTelemetrySettings(s),
    cloud: s.AZURE_CLOUD,
    armEndpoint: s.ARM_ENDPOINT ?? cloud.armEndpoint,
    armAudience: cloud.armAudience,
    authorityHost: s.AZURE_AUTHORITY_HOST ?? cloud.authorityHost,
    tokenExchangeAudience: cloud.tokenExchangeAudience,
    managedIdentityClientId: s.AZURE_CLIENT_ID,
    storage,
    version: s.APP_VERSION ?? version,
    app: { tenantId: s.APP_TENANT_ID, principalId: s.APP_PRINCIPAL_ID },
    api: {
      audiences: (s.API_AUDIENCES ?? "").split(",").map((a) => a.trim()).filter((a) => a.length > 0),
      tenantId: apiTenant,
      // Entra v2 issuers always name the cloud's authority, even when the JWKS is fetched elsewhere.
      issuer: apiTenant ? `${cloud.authorityHost}/${apiTenant}/v2.0` : undefined,
      jwksUri: s.API_JWKS_URI ?? (apiTenant ? `${s.AZURE_AUTHORITY_HOST ?? cloud.authorityHost}/${apiTenant}/discovery/v2.0/keys` : undefined),
    },
    accessPolicy: s.ACCESS_POLICY,
    crossTenant: { appClientId: s.CROSS_TENANT_APP_CLIENT_ID, sourceTenants },
    notifications: { topicEndpoint: s.NOTIFICATIONS_TOPIC_ENDPOINT },
    registry: { tablePrefix: s.REGISTRY_TABLE_PREFIX },
    kusto: { waitInMs: s.KUSTO_WAIT_MS },
    revocation: { mode: s.REVOCATION_MODE, allowedEventSources: eventSources.success ? eventSources.data : [] },
    audit: {
      schedule: s.AUDIT_SCHEDULE,
      mode: s.AUDIT_MODE,
      enforceFindings: commaList(s.AUDIT_ENFORCE_FINDINGS),
      subscriptions: commaList(s.AUDIT_SUBSCRIPTIONS),
      queueName: s.AUDIT_QUEUE,
      reportsContainer: s.AUDIT_REPORTS_CONTAINER,
    },
  };
}

/**
 * The telemetry settings alone, read when the entry loads: never throws (a bad value turns telemetry off and
 * says why in `problem`), so telemetry can never keep the functions from registering.
 */
export function readTelemetrySettings(env: NodeJS.ProcessEnv): TelemetrySettings {
  const parsed = z.safeParse(telemetrySchema, env);
  if (!parsed.success) return { exporter: "none", problem: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  return toTelemetrySettings(parsed.data);
}

function toTelemetrySettings(s: z.infer<typeof telemetrySchema>): TelemetrySettings {
  const connectionString = s.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined;
  const exporter = s.TELEMETRY_EXPORTER === "auto" ? (connectionString ? "azureMonitor" : "none") : s.TELEMETRY_EXPORTER;
  if (exporter === "none" || exporter === "console") return { exporter };
  if (!connectionString) return { exporter: "none", problem: "TELEMETRY_EXPORTER: azureMonitor needs APPLICATIONINSIGHTS_CONNECTION_STRING" };
  const auth = keyValues(s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "");
  const entra = auth.get("authorization")?.toUpperCase() === "AAD" ? { clientId: auth.get("clientid") } : undefined;
  return { exporter, connectionString, ...(entra ? { entra } : {}) };
}

/** `Key=Value;Key=Value` (keys lower-cased), as Application Insights' connection and authentication strings are. */
function keyValues(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(";")) {
    const at = part.indexOf("=");
    if (at > 0) map.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return map;
}

function commaList(text: string): string[] {
  return text.split(",").map((v) => v.trim()).filter((v) => v.length > 0);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

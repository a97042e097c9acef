// The whole local Azure in one call: ARM emulator + identity, Azurite, and (optionally) the local
// Functions host running the app with the settings Azure would give it. Used by `npm start`, the
// end-to-end tests and the benchmarks; every port is free-chosen unless asked for.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startAzurite, type AzuriteHandle } from "./azurite";
import { startHost, type HostHandle } from "./host/index";
import { startEmulator, type EmulatorHandle } from "./index";
import type { WorldSeed } from "./world/types";

export interface StackOptions {
  /** Where Azurite's data, the CA and stack.json go (git-ignored `.local/` for `npm start`). */
  stateDir: string;
  /** World file or seed; default: emulator/worlds/demo.json. */
  world?: string | WorldSeed;
  /** Start the Functions host with the app (default true). */
  host?: boolean;
  /** The app's root (package.json "main", host.json); default: this repository. */
  appRoot?: string;
  /** Host port; 0 or undefined picks a free one. */
  hostPort?: number;
  armPort?: number;
  throttling?: boolean;
  timeScale?: number;
  /** Extra app settings for the host (override the computed ones). */
  appSettings?: Record<string, string>;
  /** Write `{stateDir}/stack.json` (default true). */
  writeStackFile?: boolean;
  /** Host log file; default `{stateDir}/host.log`. */
  hostLogFile?: string;
}

export interface StackDescription {
  hostUrl: string | undefined;
  armEndpoint: string;
  caFile: string;
  identityEndpoint: string;
  identityHeader: string;
  authorityHost: string;
  adminUrl: string;
  storage: { connectionString: string; blobEndpoint: string; queueEndpoint: string; tableEndpoint: string };
  /** The world's well-known IDs (tenants, subscriptions, identities): see WorldSeed.meta. */
  world: Record<string, string>;
  /** The settings the app runs with. */
  appSettings: Record<string, string>;
}

export interface Stack extends StackDescription {
  emulator: EmulatorHandle;
  azurite: AzuriteHandle;
  host: HostHandle | undefined;
  stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, "..");

export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.stateDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const seed = loadSeed(options.world ?? join(repoRoot, "emulator", "worlds", "demo.json"));
    const emulator = await startEmulator({
      stateDir: options.stateDir,
      world: seed,
      port: options.armPort,
      throttling: options.throttling,
      timeScale: options.timeScale,
    });
    cleanups.push(() => emulator.close());
    // HTTPS with the emulator's certificate: the Tables SDK refuses plain http for anything but the
    // literal UseDevelopmentStorage=true, and src/ must not carry an insecure-connection switch.
    const azurite = await startAzurite({ location: join(options.stateDir, "azurite"), silent: true, tls: emulator.tls });
    cleanups.push(() => azurite.stop());

    const meta: Record<string, string> = { ...seed.meta };
    const appSettings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: "node",
      AzureWebJobsStorage: azurite.connectionString,
      ARM_ENDPOINT: emulator.armEndpoint,
      IDENTITY_ENDPOINT: emulator.identityEndpoint,
      IDENTITY_HEADER: emulator.identityHeader,
      // Entra keeps its real name (login.microsoftonline.com), tunnelled to the local authority; the app
      // trusts the emulator's CA the way a machine trusts a corporate CA. No switch in src/.
      HTTPS_PROXY: emulator.proxyUrl,
      NO_PROXY: "127.0.0.1,localhost",
      NODE_EXTRA_CA_CERTS: emulator.caFile,
      ...(meta.appIdentityClientId ? { AZURE_CLIENT_ID: meta.appIdentityClientId } : {}),
      ...connectionsApiSettings(emulator, meta),
      ...auditSettings(),
      ...revocationSettings(meta),
      ...options.appSettings,
    };

    let host: HostHandle | undefined;
    if (options.host !== false) {
      host = await startHost({
        appRoot: options.appRoot ?? repoRoot,
        port: options.hostPort ?? 0,
        env: appSettings,
        logFile: options.hostLogFile ?? join(options.stateDir, "host.log"),
      });
      cleanups.push(() => host!.stop());
      pointFunctionAppAtHost(emulator, meta.functionAppResourceId, host.url);
    }

    const description: StackDescription = {
      hostUrl: host?.url,
      armEndpoint: emulator.armEndpoint,
      caFile: emulator.caFile,
      identityEndpoint: emulator.identityEndpoint,
      identityHeader: emulator.identityHeader,
      authorityHost: emulator.authorityHost,
      adminUrl: emulator.adminUrl,
      storage: {
        connectionString: azurite.connectionString,
        blobEndpoint: azurite.blobEndpoint,
        queueEndpoint: azurite.queueEndpoint,
        tableEndpoint: azurite.tableEndpoint,
      },
      world: meta,
      appSettings,
    };
    if (options.writeStackFile !== false) {
      writeFileSync(join(options.stateDir, "stack.json"), JSON.stringify(description, null, 2) + "\n");
    }
    return { ...description, emulator, azurite, host, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What the connections API needs, from the world's meta (any key missing leaves its settings out): the app's
 * tenant and identity, callers' tokens (audience, tenant, the local authority's JWKS: Node's fetch does not
 * go through HTTPS_PROXY), the demo access policy, the cross-tenant app and its source tenant, and the
 * notifications topic the world seeds (its data plane is served by the ARM emulator's origin).
 */
export function connectionsApiSettings(emulator: Pick<EmulatorHandle, "armEndpoint" | "authorityHost">, meta: Record<string, string>): Record<string, string> {
  const settings: Record<string, string> = {};
  if (meta.kustoTenantId) settings.APP_TENANT_ID = meta.kustoTenantId;
  if (meta.appIdentityObjectId) settings.APP_PRINCIPAL_ID = meta.appIdentityObjectId;
  if (meta.apiAudience && meta.kustoTenantId) {
    settings.API_AUDIENCES = [meta.apiAudience, meta.apiAppId].filter(Boolean).join(",");
    settings.API_TENANT_ID = meta.kustoTenantId;
    settings.API_JWKS_URI = `${emulator.authorityHost}/${meta.kustoTenantId}/discovery/v2.0/keys`;
  }
  const policy = demoAccessPolicy(meta);
  if (policy) settings.ACCESS_POLICY = JSON.stringify(policy);
  if (meta.multiTenantAppId) settings.CROSS_TENANT_APP_CLIENT_ID = meta.multiTenantAppId;
  if (meta.sourceTenantId && meta.multiTenantAppServicePrincipalIdSourceTenant) {
    settings.SOURCE_TENANTS = JSON.stringify([{ tenantId: meta.sourceTenantId, servicePrincipalObjectId: meta.multiTenantAppServicePrincipalIdSourceTenant }]);
  }
  if (meta.notificationsTopicName) settings.NOTIFICATIONS_TOPIC_ENDPOINT = `${emulator.armEndpoint}/eventgrid/topics/${meta.notificationsTopicName}/api/events`;
  return settings;
}

/**
 * Revocation: the source tenant's subscription topic is an allowed event source of the webhook /api/events
 * (its system topic delivers there with an Entra token of Event Grid's first-party app).
 */
export function revocationSettings(meta: Record<string, string>): Record<string, string> {
  if (!meta.sourceTenantId || !meta.sourceSubscriptionId) return {};
  return { EVENTS_ALLOWED_SOURCES: JSON.stringify([{ tenantId: meta.sourceTenantId, topic: `/subscriptions/${meta.sourceSubscriptionId}` }]) };
}

/**
 * The audit's trigger settings: the host resolves %AUDIT_SCHEDULE% and %AUDIT_QUEUE% before the app runs (and,
 * as Azure's, fails to start without them), so they are always set; the defaults of src/lib/config/settings.
 */
export function auditSettings(): Record<string, string> {
  return { AUDIT_SCHEDULE: "0 0 */6 * * *", AUDIT_QUEUE: "audit-shards", AUDIT_REPORTS_CONTAINER: "audit-reports" };
}

/**
 * The demo world's access policy: the pipeline and Alice may write connections on the demo cluster from the
 * demo sources (and the partner tenant's resource group); anyone with Connections.Read may read.
 */
export function demoAccessPolicy(meta: Record<string, string>): { rules: Record<string, unknown>[] } | undefined {
  if (!meta.kustoClusterResourceId || !meta.kustoSubscriptionId) return undefined;
  const writers = { appIds: [meta.pipelineAppId].filter(Boolean), objectIds: [meta.adminUserObjectId, meta.pipelineObjectId].filter(Boolean) };
  const sourceScopes = [
    meta.localSourcesResourceGroup ? `/subscriptions/${meta.kustoSubscriptionId}/resourceGroups/${meta.localSourcesResourceGroup}` : undefined,
    meta.sourceSubscriptionId && meta.sourceResourceGroup ? `/subscriptions/${meta.sourceSubscriptionId}/resourceGroups/${meta.sourceResourceGroup}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return {
    rules: [
      {
        name: "demo-writers",
        callers: writers,
        actions: ["read", "write"],
        clusters: [meta.kustoClusterResourceId],
        databases: ["*"],
        sourceScopes,
        ...(meta.sourceTenantId ? { sourceTenants: [meta.sourceTenantId] } : {}),
      },
      { name: "demo-readers", callers: { roles: ["Connections.Read"] }, actions: ["read"], clusters: [meta.kustoClusterResourceId], databases: ["*"] },
    ],
  };
}

function loadSeed(world: string | WorldSeed): WorldSeed {
  return typeof world === "string" ? (JSON.parse(readFileSync(world, "utf8")) as WorldSeed) : world;
}

/**
 * Event Grid's AzureFunction destinations resolve through the function app resource's host name; the
 * local host's port is only known now, so the world's site is pointed at it.
 */
function pointFunctionAppAtHost(emulator: EmulatorHandle, siteId: string | undefined, hostUrl: string): void {
  if (!siteId) return;
  const site = emulator.world.getResource(siteId);
  if (!site) return;
  const properties = { ...(site.body.properties as Record<string, unknown> | undefined), defaultHostName: new URL(hostUrl).host };
  emulator.world.putResource({ ...site.body, properties });
}

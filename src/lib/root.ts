// Composition root: reads settings once and wires ports to adapters, lazily, on first use.
import { readSettings, type Settings } from "./config/settings";
import { buildVersion } from "./buildVersion";
import { createClientFactory, type ClientFactory } from "./azure/clientFactory";
import { createArmProbe, createStorageProbe } from "./azure/probes";
import type { Probe } from "./health/checkHealth";
import { createAccessReader } from "./azure/accessReader";
import { createKustoGateway } from "./azure/kustoGateway";
import { createTableJournal } from "./azure/tableJournal";
import { createTableRegistry } from "./azure/tableRegistry";
import { createCoalescingAccessReader } from "./access/coalescingAccessReader";
import { createAccessVerifier } from "./access/verifyAccess";
import { requirementsFor } from "./access/requirementsFor";
import { parseAccessPolicy } from "./auth/policy";
import { createApiTokenValidator } from "./auth/apiTokenValidator";
import type { AccessPolicy, TokenValidator } from "./auth/caller";
import { createConnectionsService } from "./connections/createConnectionsService";
import { createEventGridNotifier, type EventGridNotifier } from "./azure/eventGridNotifier";
import { createTableOutbox } from "./azure/outbox";
import type { ConnectionsService } from "./connections/service";
import type { ConnectionsDeps } from "./connections/deps";
import { adoptConnection, type AdoptInput } from "./audit/adoptConnection";
import type { ManagedConnection } from "./connections/model";
import type { Result } from "./errors";
import { createRevocationHandler, type RevocationHandler } from "./revocation/handleResourceEvent";
import type { EventParser } from "./revocation/model";
import type { TrustOptions } from "./revocation/trust";
import { createEventGridParser } from "./azure/eventGridEvents";
import { createSourceReader } from "./azure/sourceReader";
import { createTableEventLedger } from "./azure/eventLedger";
import { createTableFailedEventStore } from "./azure/failedEvents";
import { noopMetrics, type AppMetrics } from "./telemetry/metrics";
import type { Logger } from "./logging/logger";
import { createAuditService, type AuditService } from "./audit/service";
import type { AuditDeps } from "./audit/deps";
import { toEnforceList } from "./audit/model";
import { createRunVerifiers } from "./audit/runVerifiers";
import { createAuditStorageClients } from "./azure/auditStorage";
import { createAuditQueue } from "./azure/auditQueue";
import { createAuditReportStore } from "./azure/auditReports";
import { createAuditRunStore } from "./azure/auditRuns";
import { createClusterLister } from "./azure/clusterLister";
import { createOtelMetrics } from "./azure/telemetryMetrics";


export interface Root {
  settings: Settings;
  clients: ClientFactory;
  healthProbes: readonly Probe[];
  /** The connection use cases over the real adapters, built on first use. */
  readonly connections: ConnectionsService;
  /** The notifications publisher; its outbox is drained by a timer. */
  readonly notifier: EventGridNotifier;
  /** Validates callers' Entra tokens (settings.api); fails closed when not configured. */
  readonly tokenValidator: TokenValidator;
  /** ACCESS_POLICY, parsed once; throws AppError InvalidAccessPolicy (500) when it is invalid. */
  readonly accessPolicy: AccessPolicy;
  /** Revocation (Event Grid trigger and /api/events) over the real adapters, built on first use. */
  readonly revocation: RevocationWiring;
  /** The audit (timer, queue shards, /api/audits) over the real adapters, built on first use. */
  readonly audit: AuditService;
  /** Adopts an unmanaged connection over the connections' ports (POST .../adopt). */
  adopt(input: AdoptInput): Promise<Result<ManagedConnection>>;
}

let root: Root | undefined;

export function getRoot(): Root {
  if (!root) {
    const settings = readSettings(process.env, buildVersion);
    const clients = createClientFactory(settings);
    // Over the global MeterProvider startAppTelemetry registered (OpenTelemetry's no-op one when telemetry is off).
    const metrics = createOtelMetrics({ version: settings.version });
    let wired: ConnectionsWiring | undefined;
    let tokenValidator: TokenValidator | undefined;
    let accessPolicy: AccessPolicy | undefined;
    let revocation: RevocationWiring | undefined;
    let audit: AuditService | undefined;
    const getAccessPolicy = () => {
      if (!accessPolicy) {
        const parsed = parseAccessPolicy(settings.accessPolicy);
        if (!parsed.ok) throw parsed.error;
        accessPolicy = parsed.value;
      }
      return accessPolicy;
    };
    const wire = () => (wired ??= wireConnections(settings, clients, getAccessPolicy(), { metrics }));
    root = {
      settings,
      clients,
      healthProbes: [createStorageProbe(clients), createArmProbe(clients)],
      get connections() {
        return wire().service;
      },
      get notifier() {
        return wire().notifier;
      },
      get tokenValidator() {
        return (tokenValidator ??= createApiTokenValidator(settings.api));
      },
      get accessPolicy() {
        return getAccessPolicy();
      },
      get revocation() {
        return (revocation ??= wireRevocation(settings, clients, { metrics }));
      },
      get audit() {
        return (audit ??= wireAudit(settings, clients, { metrics }).service);
      },
      adopt: (input) => adoptConnection(wire().deps, input),
    };
  }
  return root;
}

function registryTables(settings: Settings, clients: ClientFactory) {
  const tableClient = (name: string) => {
    const client = clients.tableClient(name);
    if (!client) throw new Error("No storage configured (AzureWebJobsStorage or AzureWebJobsStorage__tableServiceUri): the registry needs it.");
    return client;
  };
  return { tableClient, tablePrefix: settings.registry.tablePrefix };
}

export interface ConnectionsWiring {
  service: ConnectionsService;
  notifier: EventGridNotifier;
  /** The service's ports (the audit's adopt use case shares them). */
  deps: ConnectionsDeps;
}

/** The connections service over the real adapters (exported so integration tests and benchmarks use this very wiring). */
export function wireConnections(settings: Settings, clients: ClientFactory, policy: AccessPolicy, options: { metrics?: AppMetrics } = {}): ConnectionsWiring {
  const tables = registryTables(settings, clients);
  const notifier = createEventGridNotifier({ client: clients.eventGridPublisher(), outbox: createTableOutbox(tables) });
  const deps: ConnectionsDeps = {
    registry: createTableRegistry(tables),
    journal: createTableJournal(tables),
    kusto: createKustoGateway({ clientFor: (subscriptionId, auth) => clients.kusto(subscriptionId, auth) }),
    verifier: createAccessVerifier({ reader: createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) }) }),
    requirementsFor,
    policy,
    notifier,
    metrics: options.metrics ?? noopMetrics,
    settings: {
      appTenantId: settings.app.tenantId,
      appPrincipalId: settings.app.principalId,
      sourceTenants: settings.crossTenant.sourceTenants,
      kustoWaitInMs: settings.kusto.waitInMs,
    },
  };
  return { service: createConnectionsService(deps), notifier, deps };
}

export interface RevocationWiring {
  /** The use case over the real adapters, logging to the invocation's logger. */
  handlerFor(logger?: Logger): RevocationHandler;
  parser: EventParser;
  trust: TrustOptions;
}

/** Revocation over the real adapters (exported so integration tests and benchmarks use this very wiring). */
export function wireRevocation(settings: Settings, clients: ClientFactory, options: { metrics?: AppMetrics; leaseInMs?: number } = {}): RevocationWiring {
  const tables = registryTables(settings, clients);
  const notifier = createEventGridNotifier({ client: clients.eventGridPublisher(), outbox: createTableOutbox(tables) });
  // Concurrent events share assignment reads of one principal (a storm would otherwise spend ARM's read bucket).
  const reader = createCoalescingAccessReader(createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) }));
  const deps = {
    registry: createTableRegistry(tables),
    journal: createTableJournal(tables),
    kusto: createKustoGateway({ clientFor: (subscriptionId, auth) => clients.kusto(subscriptionId, auth) }),
    assignments: reader,
    // Assignments are read live on every verify (TTL 0); role definitions are cached.
    verifier: createAccessVerifier({ reader }),
    sources: createSourceReader({ armEndpoint: settings.armEndpoint, clientFor: (tenantId) => clients.authorization(tenantId) }),
    ledger: createTableEventLedger(tables),
    failures: createTableFailedEventStore(tables),
    notifier,
    metrics: options.metrics ?? noopMetrics,
    settings: {
      mode: settings.revocation.mode,
      appTenantId: settings.app.tenantId,
      appPrincipalId: settings.app.principalId,
      // Event Grid gives a delivery 30 s: a longer delete fails the event, and its redelivery resumes the poller.
      kustoWaitInMs: Math.min(settings.kusto.waitInMs, 20_000),
      leaseInMs: options.leaseInMs ?? 120_000,
    },
  };
  return {
    handlerFor: (logger) => createRevocationHandler(logger ? { ...deps, logger } : deps),
    parser: createEventGridParser(),
    trust: { appTenantId: settings.app.tenantId, allowedSources: settings.revocation.allowedEventSources },
  };
}

export interface AuditWiringOptions {
  /** Tests trust the emulator's CA for the queue and blob clients (the host has NODE_EXTRA_CA_CERTS). */
  storageClientOptions?: { tlsOptions?: { ca?: string } };
  metrics?: AppMetrics;
  /** Default 60 min: a run whose shards have not all reported by then is closed as incomplete. */
  runTimeoutInMs?: number;
  now?: () => Date;
}

/** host.json extensions.queues.maxDequeueCount: the attempt on which a failing shard records itself as failed. */
export const AUDIT_MAX_SHARD_ATTEMPTS = 5;

/** The audit over the real adapters (exported so integration tests and benchmarks use this very wiring). */
export function wireAudit(settings: Settings, clients: ClientFactory, options: AuditWiringOptions = {}): { service: AuditService; deps: AuditDeps } {
  const tables = registryTables(settings, clients);
  const storage = createAuditStorageClients({ storage: settings.storage, credential: clients.credential, ...(options.storageClientOptions ? { clientOptions: options.storageClientOptions } : {}) });
  const queue = storage.queue(settings.audit.queueName);
  const container = storage.container(settings.audit.reportsContainer);
  if (!queue || !container) throw new Error("No queue or blob storage configured (AzureWebJobsStorage or its __queueServiceUri/__blobServiceUri): the audit needs both.");
  const reader = createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) });
  const deps: AuditDeps = {
    registry: createTableRegistry(tables),
    journal: createTableJournal(tables),
    kusto: createKustoGateway({ clientFor: (subscriptionId, auth) => clients.kusto(subscriptionId, auth) }),
    inventory: createClusterLister({ clientFor: (subscriptionId) => clients.kusto(subscriptionId) }),
    verifierForRun: createRunVerifiers({ reader }),
    liveVerifier: createAccessVerifier({ reader }),
    requirementsFor,
    runs: createAuditRunStore(tables),
    reports: createAuditReportStore({ container }),
    queue: createAuditQueue({ queue }),
    notifier: createEventGridNotifier({ client: clients.eventGridPublisher(), outbox: createTableOutbox(tables) }),
    failedEvents: createTableFailedEventStore(tables),
    sources: createSourceReader({ armEndpoint: settings.armEndpoint, clientFor: (tenantId) => clients.authorization(tenantId) }),
    metrics: options.metrics ?? noopMetrics,
    settings: {
      mode: settings.audit.mode,
      enforce: toEnforceList(settings.audit.enforceFindings),
      subscriptions: settings.audit.subscriptions,
      kustoWaitInMs: Math.min(settings.kusto.waitInMs, 20_000),
      maxShardAttempts: AUDIT_MAX_SHARD_ATTEMPTS,
      runTimeoutInMs: options.runTimeoutInMs ?? 60 * 60_000,
    },
    ...(options.now ? { now: options.now } : {}),
  };
  return { service: createAuditService(deps), deps };
}

// The connections API in-process over the whole local Azure, for the reliability campaign: the stack's
// emulator and Azurite, the real adapters wired as src/lib/root.ts wires them (plus the instrumented ports of
// instrumentedPorts.ts), the real HTTP handlers with the real JWT validator, the emulator's faults, and the audit
// over the same stores (auditHarness.ts: the consistency check of consistency.ts, the audit rows).
import { ManagedIdentityCredential } from "@azure/identity";
import type { HttpHandler } from "@azure/functions";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { startStack, type Stack } from "../../../emulator/stack";
import { createConnectionsHandlers } from "../../../src/functions/connections";
import { requirementsFor } from "../../../src/lib/access/requirementsFor";
import { createAccessVerifier } from "../../../src/lib/access/verifyAccess";
import { parseAccessPolicy } from "../../../src/lib/auth/policy";
import { createAccessReader } from "../../../src/lib/azure/accessReader";
import { createClientFactory, type ClientFactory, type ClientFactoryOptions } from "../../../src/lib/azure/clientFactory";
import { createEventGridNotifier } from "../../../src/lib/azure/eventGridNotifier";
import { createKustoGateway } from "../../../src/lib/azure/kustoGateway";
import { createTableOutbox } from "../../../src/lib/azure/outbox";
import { createTableJournal } from "../../../src/lib/azure/tableJournal";
import { createTableRegistry } from "../../../src/lib/azure/tableRegistry";
import { createTableEventLedger } from "../../../src/lib/azure/eventLedger";
import { createTableFailedEventStore } from "../../../src/lib/azure/failedEvents";
import { createSourceReader } from "../../../src/lib/azure/sourceReader";
import { createRevocationHandler, type RevocationHandler } from "../../../src/lib/revocation/handleResourceEvent";
import { noopMetrics } from "../../../src/lib/telemetry/metrics";
import { readSettings, type Settings } from "../../../src/lib/config/settings";
import { createConnectionsService } from "../../../src/lib/connections/createConnectionsService";
import type { ConnectionKey } from "../../../src/lib/connections/model";
import { httpsJson } from "../httpsJson";
import { createApiTokens, type ApiTokens } from "./apiTokens";
import { createAuditHarness, type AuditHarness, type AuditHarnessOptions } from "./auditHarness";
import type { ConsistencyPorts } from "./consistency";
import { instrumentPorts, type PortControls, type RealPorts } from "./instrumentedPorts";
import { instrumentRevocation, type RevocationControls, type RevocationRealPorts } from "./revocationPorts";

export interface FaultRuleInput {
  pattern: string;
  latency?: { minInMs: number; maxInMs: number };
  throttleRate?: number;
  retryAfterSeconds?: number;
  errorRate?: number;
  errorStatus?: number;
  resetRate?: number;
  failLro?: boolean;
  remaining?: number;
}

export interface ReliabilityApp {
  stack: Stack;
  meta: Record<string, string>;
  settings: Settings;
  handlers: ReturnType<typeof createConnectionsHandlers>;
  /** The uninstrumented adapters (checks read through these). */
  real: RealPorts;
  controls: PortControls;
  tokens: ApiTokens;
  /** The pipeline's token (Connections.Write, allowed by the demo policy). */
  writerToken: string;
  key(name: string, database?: string): ConnectionKey;
  /** The uninstrumented adapters of revocation (wireRevocation's), over the same stores. */
  revocationReal: RevocationRealPorts;
  /** One host running revocation over its own instrumented ports (crash and outage controls per host). */
  revocationHost(options?: RevocationHostOptions): RevocationHost;
  /** The app's client factory (SDK back-off shortened) and one whose Table endpoint is a dead port (queues and blobs live). */
  clients: ClientFactory;
  deadTables: { settings: Settings; clients: ClientFactory };
  /** An audit over the same stores and clients, on a queue of its own (auditHarness.ts); report mode by default. */
  audit(options?: AppAuditOptions): AuditHarness;
  /** What consistency.ts needs: a report-mode audit (one per app) and the uninstrumented registry and journal. */
  consistency(): ConsistencyPorts;
  addFault(rule: FaultRuleInput): Promise<void>;
  clearFaults(): Promise<void>;
  stop(): Promise<void>;
}

export type AppAuditOptions = Omit<AuditHarnessOptions, "settings" | "clients" | "storage" | "caPem" | "queueName"> & { queueName?: string };

/** A port nothing listens on (taken from the OS, then released). */
export async function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RevocationHostOptions {
  /** Lease of the ledger's and the registry's claims; default 120 s as wired. */
  leaseInMs?: number;
  mode?: "enforce" | "report";
}

export interface RevocationHost {
  handler: RevocationHandler;
  controls: RevocationControls;
}

export interface ReliabilityAppOptions {
  /** Kusto's bounded wait before 202 (KUSTO_WAIT_MS); default 3000. */
  kustoWaitInMs?: number;
  timeScale?: number;
  /** How long a request's claim on a record holds (connections' claimLeaseInMs); default the app's. */
  claimLeaseInMs?: number;
}

export async function startReliabilityApp(options: ReliabilityAppOptions = {}): Promise<ReliabilityApp> {
  mkdirSync(".local", { recursive: true });
  const stateDir = mkdtempSync(join(".local", "reliability-"));
  const stack = await startStack({ stateDir, host: false, timeScale: options.timeScale ?? 0.05, throttling: false, writeStackFile: false });
  const meta = stack.world;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  process.env.IDENTITY_ENDPOINT = stack.identityEndpoint;
  process.env.IDENTITY_HEADER = stack.identityHeader;

  const env = {
    ...stack.appSettings,
    AZURE_AUTHORITY_HOST: stack.authorityHost,
    REGISTRY_TABLE_PREFIX: `rel${process.pid}`,
    KUSTO_WAIT_MS: String(options.kustoWaitInMs ?? 3000),
  };
  const settings = readSettings(env, "test");
  // The SDKs' own retries keep their count (3) but not their 1 s base delay: the faults cost milliseconds here.
  const fastRetries = { tlsOptions: { ca: stack.emulator.caPem }, retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 } };
  const factoryOptions: ClientFactoryOptions = {
    credential: new ManagedIdentityCredential({ clientId: meta.appIdentityClientId as string }),
    clientOptions: fastRetries,
    crossTenantCredentialOptions: { tlsOptions: { ca: stack.emulator.caPem }, disableInstanceDiscovery: true },
  };
  const clients = createClientFactory(settings, factoryOptions);
  const tables = (factory: typeof clients) => ({
    tableClient: (name: string) => {
      const client = factory.tableClient(name);
      if (!client) throw new Error("no storage configured");
      return client;
    },
    tablePrefix: settings.registry.tablePrefix,
  });
  const live = tables(clients);
  const port = await deadPort();
  const deadSettings = readSettings({ ...env, AzureWebJobsStorage: stack.storage.connectionString.replace(/TableEndpoint=https:\/\/127\.0\.0\.1:\d+/, `TableEndpoint=https://127.0.0.1:${port}`) }, "test");
  const deadClients = createClientFactory(deadSettings, factoryOptions);
  const dead = tables(deadClients);

  const real: RealPorts = {
    registry: createTableRegistry(live),
    journal: createTableJournal(live),
    kusto: createKustoGateway({ clientFor: (subscriptionId, auth) => clients.kusto(subscriptionId, auth) }),
    verifier: createAccessVerifier({ reader: createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) }) }),
    notifier: createEventGridNotifier({ client: clients.eventGridPublisher(), outbox: createTableOutbox(live) }),
    deadStorage: { registry: createTableRegistry(dead), journal: createTableJournal(dead) },
  };
  const { ports, controls } = instrumentPorts(real);
  const reader = createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) });
  const revocationReal: RevocationRealPorts = {
    registry: real.registry,
    journal: real.journal,
    kusto: real.kusto,
    assignments: reader,
    verifier: createAccessVerifier({ reader }),
    sources: createSourceReader({ armEndpoint: settings.armEndpoint, clientFor: (tenantId) => clients.authorization(tenantId) }),
    ledger: createTableEventLedger(live),
    failures: createTableFailedEventStore(live),
    notifier: real.notifier,
    deadStorage: real.deadStorage,
  };
  const revocationHost = (hostOptions: RevocationHostOptions = {}): RevocationHost => {
    const instrumented = instrumentRevocation(revocationReal);
    const handler = createRevocationHandler({
      ...instrumented.ports,
      metrics: noopMetrics,
      settings: {
        mode: hostOptions.mode ?? "enforce",
        appTenantId: settings.app.tenantId,
        appPrincipalId: settings.app.principalId,
        kustoWaitInMs: Math.min(settings.kusto.waitInMs, 20_000),
        leaseInMs: hostOptions.leaseInMs ?? 120_000,
      },
    });
    return { handler, controls: instrumented.controls };
  };
  const policy = parseAccessPolicy(settings.accessPolicy);
  if (!policy.ok) throw policy.error;
  const service = createConnectionsService({
    ...ports,
    requirementsFor,
    policy: policy.value,
    settings: {
      appTenantId: settings.app.tenantId,
      appPrincipalId: settings.app.principalId,
      sourceTenants: settings.crossTenant.sourceTenants,
      kustoWaitInMs: settings.kusto.waitInMs,
      ...(options.claimLeaseInMs !== undefined ? { claimLeaseInMs: options.claimLeaseInMs } : {}),
    },
  });
  const tokens = await createApiTokens({ tenantId: meta.kustoTenantId!, audience: meta.apiAudience! });
  const handlers = createConnectionsHandlers({ getService: () => service, getTokenValidator: () => tokens.validator, pollAfterInSeconds: 1 });
  const writerToken = await tokens.tokenFor({ objectId: meta.pipelineObjectId!, appId: meta.pipelineAppId!, roles: ["Connections.Read", "Connections.Write"] });
  let audits = 0;
  const audit = (auditOptions: AppAuditOptions = {}): AuditHarness =>
    createAuditHarness({
      // As deployed (infra/main.bicep): the Kusto subscription's clusters are in scope, records or not.
      subscriptions: [meta.kustoSubscriptionId!],
      ...auditOptions,
      settings,
      clients,
      storage: stack.storage,
      caPem: stack.emulator.caPem,
      queueName: auditOptions.queueName ?? `rel-audit-${++audits}`,
    });
  let consistency: ConsistencyPorts | undefined;
  const admin = (path: string, method: string, body?: unknown) => httpsJson(`${stack.adminUrl}${path}`, { ca: stack.emulator.caPem, method, ...(body === undefined ? {} : { body }) });

  return {
    stack,
    meta,
    settings,
    handlers,
    real,
    controls,
    tokens,
    writerToken,
    revocationReal,
    revocationHost,
    clients,
    deadTables: { settings: deadSettings, clients: deadClients },
    audit,
    consistency: () => (consistency ??= { audit: audit({ queueName: "rel-audit-consistency" }), registry: real.registry, journal: real.journal }),
    key: (name, database = "telemetry") => ({ subscriptionId: meta.kustoSubscriptionId!, resourceGroup: meta.kustoResourceGroup!, cluster: meta.kustoClusterName!, database, name }),
    async addFault(rule) {
      const res = await admin("/faults", "POST", rule);
      if (res.status >= 300) throw new Error(`adding fault failed: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async clearFaults() {
      await admin("/faults", "DELETE");
    },
    async stop() {
      if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
      else process.env.IDENTITY_ENDPOINT = saved.endpoint;
      if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
      else process.env.IDENTITY_HEADER = saved.header;
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export type { HttpHandler };

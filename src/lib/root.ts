// Composition root: reads settings once and wires ports to adapters, lazily, on first use.
import { readSettings, type Settings } from "./config/settings";
import { createClientFactory, type ClientFactory } from "./azure/clientFactory";
import { createArmProbe, createStorageProbe } from "./azure/probes";
import type { Probe } from "./health/checkHealth";
import { createAccessReader } from "./azure/accessReader";
import { createKustoGateway } from "./azure/kustoGateway";
import { createTableJournal } from "./azure/tableJournal";
import { createTableRegistry } from "./azure/tableRegistry";
import { createAccessVerifier } from "./access/verifyAccess";
import { requirementsFor } from "./access/requirementsFor";
import { parseAccessPolicy } from "./auth/policy";
import { createApiTokenValidator } from "./auth/apiTokenValidator";
import type { AccessPolicy, TokenValidator } from "./auth/caller";
import { createConnectionsService } from "./connections/createConnectionsService";
import { createEventGridNotifier, type EventGridNotifier } from "./azure/eventGridNotifier";
import { createTableOutbox } from "./azure/outbox";
import type { ConnectionsService } from "./connections/service";

declare const __APP_VERSION__: string | undefined;
const buildVersion = typeof __APP_VERSION__ === "string" ? __APP_VERSION__ : "0.0.0-dev";

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
}

let root: Root | undefined;

export function getRoot(): Root {
  if (!root) {
    const settings = readSettings(process.env, buildVersion);
    const clients = createClientFactory(settings);
    let wired: ConnectionsWiring | undefined;
    let tokenValidator: TokenValidator | undefined;
    let accessPolicy: AccessPolicy | undefined;
    const getAccessPolicy = () => {
      if (!accessPolicy) {
        const parsed = parseAccessPolicy(settings.accessPolicy);
        if (!parsed.ok) throw parsed.error;
        accessPolicy = parsed.value;
      }
      return accessPolicy;
    };
    const wire = () => (wired ??= wireConnections(settings, clients, getAccessPolicy()));
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
}

/** The connections service over the real adapters (exported so integration tests and benchmarks use this very wiring). */
export function wireConnections(settings: Settings, clients: ClientFactory, policy: AccessPolicy): ConnectionsWiring {
  const tables = registryTables(settings, clients);
  const notifier = createEventGridNotifier({ client: clients.eventGridPublisher(), outbox: createTableOutbox(tables) });
  const service = createConnectionsService({
    registry: createTableRegistry(tables),
    journal: createTableJournal(tables),
    kusto: createKustoGateway({ clientFor: (subscriptionId, auth) => clients.kusto(subscriptionId, auth) }),
    verifier: createAccessVerifier({ reader: createAccessReader({ clientFor: (tenantId) => clients.authorization(tenantId) }) }),
    requirementsFor,
    policy,
    notifier,
    settings: {
      appTenantId: settings.app.tenantId,
      appPrincipalId: settings.app.principalId,
      sourceTenants: settings.crossTenant.sourceTenants,
      kustoWaitInMs: settings.kusto.waitInMs,
    },
  });
  return { service, notifier };
}

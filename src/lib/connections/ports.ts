// Ports of the connection use cases: tiny interfaces the adapters in src/lib/azure (and test fakes) implement.
import type { Page } from "../paging";
import type {
  ConnectionKey,
  ConnectionStatus,
  DataConnectionSpec,
  JournalEntry,
  ManagedConnection,
} from "./model";

// ---- registry (Table Storage) -------------------------------------------------------------------

export interface ListConnectionsFilter {
  subscriptionId?: string;
  resourceGroup?: string;
  cluster?: string;
  database?: string;
  status?: ConnectionStatus;
}

export interface ConnectionRegistry {
  get(key: ConnectionKey): Promise<ManagedConnection | undefined>;
  /**
   * Inserts when `connection.etag` is undefined (AppError conflict "ConnectionExists" if one exists), else
   * replaces only if the stored ETag still matches (AppError preconditionFailed "ConcurrentUpdate" otherwise).
   * Keeps the grant and source indexes in step. Returns the connection with its new ETag.
   */
  save(connection: ManagedConnection): Promise<ManagedConnection>;
  list(filter: ListConnectionsFilter, page: { pageSize: number; continuationToken?: string }): Promise<Page<ManagedConnection>>;
  /** O(1): connections whose binding holds this role assignment (full ARM ID, any casing). */
  findByRoleAssignment(roleAssignmentId: string): Promise<ConnectionKey[]>;
  /** Connections with a source at or under `scope` (a subscription, resource group or resource ID). */
  findBySourceScope(scope: string): Promise<ConnectionKey[]>;
}

export interface JournalStore {
  append(entry: Omit<JournalEntry, "id" | "at">): Promise<JournalEntry>;
  /** Newest first. */
  list(connectionId: string, page: { pageSize: number; continuationToken?: string }): Promise<Page<JournalEntry>>;
}

// ---- Kusto (ARM) ----------------------------------------------------------------------------------

export interface KustoClusterInfo {
  id: string;
  location: string;
  /** The system-assigned identity, when the cluster has one. */
  systemIdentity?: { principalId: string; tenantId: string };
  /** User-assigned identities attached to the cluster, by lower-cased resource ID. */
  userAssignedIdentities: Record<string, { principalId: string; clientId: string }>;
}

/** A data connection as Kusto returns it. */
export interface KustoDataConnection {
  id: string;
  name: string;
  kind: string;
  location?: string;
  provisioningState?: string;
  properties: Record<string, unknown>;
}

export interface KustoOperationState {
  done: boolean;
  /** Set when done: did it succeed? */
  succeeded?: boolean;
  error?: { code: string; message: string };
  /** The resource after a successful create/update. */
  result?: KustoDataConnection;
  /** While not done: the poller's state, to resume from any instance. */
  resumeToken?: string;
}

/** How the request reaches the source: across tenants, an auxiliary token for the source's tenant. */
export interface SourceAuthorization {
  /** Tenant of the source when it is not the cluster's: the gateway adds `x-ms-authorization-auxiliary`. */
  auxiliaryTenantId?: string;
}

export interface KustoWaitOptions {
  /** How long to wait for the LRO before returning a resumable, not-done state. */
  waitInMs: number;
  abortSignal?: AbortSignal;
}

export interface KustoGateway {
  getCluster(key: Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster">): Promise<KustoClusterInfo | undefined>;
  databaseExists(key: Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster" | "database">): Promise<boolean>;
  checkNameAvailability(key: ConnectionKey): Promise<{ nameAvailable: boolean; reason?: string; message?: string }>;
  /** Kusto's dataConnectionValidation: the error messages it returns (empty when valid). */
  validate(key: ConnectionKey, spec: DataConnectionSpec, auth: SourceAuthorization): Promise<string[]>;
  get(key: ConnectionKey): Promise<KustoDataConnection | undefined>;
  /** Every data connection of a database (paged through). */
  listByDatabase(key: Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster" | "database">): AsyncIterable<KustoDataConnection>;
  createOrUpdate(key: ConnectionKey, spec: DataConnectionSpec, auth: SourceAuthorization, options: KustoWaitOptions): Promise<KustoOperationState>;
  /** 404 counts as done. */
  delete(key: ConnectionKey, options: KustoWaitOptions): Promise<KustoOperationState>;
  resume(resumeToken: string, options: KustoWaitOptions): Promise<KustoOperationState>;
}

// ---- notifications (Event Grid custom topic) -------------------------------------------------------

export type ConnectionEventType =
  | "adx.connection.created"
  | "adx.connection.updated"
  | "adx.connection.deleted"
  | "adx.connection.revoked"
  | "adx.audit.completed";

/** A CloudEvent the app publishes (source: the app; subject: the connection's ARM ID). */
export interface ConnectionEvent {
  id: string;
  type: ConnectionEventType;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

export interface Notifier {
  /**
   * Never throws: an event that cannot be published now is kept (outbox) and retried later, and the result
   * says so, so the caller can journal it. A failed publish never fails the operation.
   */
  publish(event: ConnectionEvent): Promise<{ delivered: boolean; error?: string }>;
}

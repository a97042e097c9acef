// What the connection use cases need, injected by the composition root (or by tests as fakes).
import type { AccessPolicy } from "../auth/caller";
import type { SourceTenant } from "../config/settings";
import type { Logger } from "../logging/logger";
import type { AppMetrics } from "../telemetry/metrics";
import type { AuthMode, DataConnectionSpec, PrincipalRef, Requirement, RequirementStatus } from "./model";
import type { ConnectionRegistry, JournalStore, KustoGateway, Notifier } from "./ports";

/** Verifies that a principal holds each requirement now (src/lib/access `createAccessVerifier`). */
export interface AccessVerifier {
  verify(principal: PrincipalRef, requirements: Requirement[]): Promise<RequirementStatus[]>;
}

export interface ConnectionsSettings {
  /** Tenant of the app, its managed identity and the clusters (APP_TENANT_ID). */
  appTenantId: string | undefined;
  /** Object ID of the app's managed identity: the binding principal of same-tenant key-mode connections. */
  appPrincipalId: string | undefined;
  /** Allowed source tenants and the multi-tenant app's service principal in each. */
  sourceTenants: readonly SourceTenant[];
  /** Bounded wait for Kusto's operations before answering 202. */
  kustoWaitInMs: number;
  /** How long a request's claim on a record (before its ARM write) holds; default kustoWaitInMs + 2 minutes. */
  claimLeaseInMs?: number;
}

export interface ConnectionsDeps {
  registry: ConnectionRegistry;
  journal: JournalStore;
  kusto: KustoGateway;
  verifier: AccessVerifier;
  /** src/lib/access `requirementsFor`: the per-kind, per-mode requirement table. */
  requirementsFor(spec: DataConnectionSpec, mode: AuthMode): Requirement[];
  policy: AccessPolicy;
  notifier: Notifier;
  settings: ConnectionsSettings;
  logger?: Logger;
  /** Counters of connections created and deleted; default noopMetrics. */
  metrics?: AppMetrics;
  /** Injected for tests; default `() => new Date()`. */
  now?: () => Date;
  /** Injected for tests; default crypto.randomUUID. */
  newId?: () => string;
}

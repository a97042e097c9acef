// What the audit's use cases need, injected by the composition root (or by tests as fakes).
import type { AccessVerifier } from "../connections/deps";
import type { AuthMode, DataConnectionSpec, Requirement } from "../connections/model";
import type { ConnectionRegistry, JournalStore, KustoGateway, Notifier } from "../connections/ports";
import type { Logger } from "../logging/logger";
import type { FailedEventStore } from "../revocation/ports";
import type { AppMetrics } from "../telemetry/metrics";
import type { AuditMode, FindingType } from "./model";
import type { AuditQueue, AuditReportStore, AuditRunStore, KustoInventory, SourceProbe } from "./ports";

export interface AuditSettings {
  mode: AuditMode;
  /** Enforce mode: the finding types remediated. */
  enforce: FindingType[];
  /** Subscriptions whose clusters are audited besides the registry's. */
  subscriptions: string[];
  /** Bounded wait for Kusto's operations (remediation). */
  kustoWaitInMs: number;
  /** The host's maxDequeueCount (host.json): the attempt at which a failing shard records itself as failed. */
  maxShardAttempts: number;
  /** A run whose shards have not all reported after this long is closed as incomplete. */
  runTimeoutInMs: number;
  /** Concurrent database listings per shard; default 4. */
  databaseConcurrency?: number;
  /** Concurrent access evaluations per shard; default 16. */
  accessConcurrency?: number;
}

export interface AuditDeps {
  registry: ConnectionRegistry;
  journal: JournalStore;
  kusto: KustoGateway;
  inventory: KustoInventory;
  /**
   * The verifier of a run: assignments cached for the run's duration, role definitions shared, so each
   * distinct (principal, scope) is read once across the shards this instance runs.
   */
  verifierForRun(runId: string): AccessVerifier;
  /** Live (uncached) checks, as revocation makes them: re-run before anything is deleted. */
  liveVerifier: AccessVerifier;
  requirementsFor(spec: DataConnectionSpec, mode: AuthMode): Requirement[];
  runs: AuditRunStore;
  reports: AuditReportStore;
  queue: AuditQueue;
  notifier: Notifier;
  /** Dead-lettered revocation events (issue 5); absent: not reported. */
  failedEvents?: FailedEventStore;
  /** Source existence; absent: a missing source shows as revoked access. */
  sources?: SourceProbe;
  metrics?: AppMetrics;
  settings: AuditSettings;
  logger?: Logger;
  now?: () => Date;
  newId?: () => string;
}

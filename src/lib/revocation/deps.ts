// What the revocation use case needs, injected by the composition root (or by tests as fakes).
import type { AccessReader } from "../access/ports";
import type { AccessVerifier } from "../connections/deps";
import type { ConnectionRegistry, JournalStore, KustoGateway, Notifier } from "../connections/ports";
import type { Logger } from "../logging/logger";
import type { AppMetrics } from "../telemetry/metrics";
import type { EventLedger, FailedEventStore, SourceReader } from "./ports";

export interface RevocationSettings {
  /** enforce: delete connections whose access is gone; report: journal and notify only. */
  mode: "enforce" | "report";
  /** Tenant of the app and its clusters (APP_TENANT_ID): where Kusto-side events come from. */
  appTenantId: string | undefined;
  /** The app's identity (APP_PRINCIPAL_ID): it sends the DELETEs, so records name it as their updater. */
  appPrincipalId: string | undefined;
  /** How long a Kusto delete is waited for before the event is failed (and redelivered to resume it). */
  kustoWaitInMs: number;
  /** How long a claim on an event (and on a connection being deleted) keeps other invocations off it. */
  leaseInMs: number;
}

export interface RevocationDeps {
  registry: ConnectionRegistry;
  journal: JournalStore;
  kusto: KustoGateway;
  /** Confirms that a deleted role assignment is really gone (undefined = 404). */
  assignments: Pick<AccessReader, "getRoleAssignment">;
  /** Re-evaluates a principal's effective access live (assignments never cached across calls). */
  verifier: AccessVerifier;
  sources: SourceReader;
  ledger: EventLedger;
  failures: FailedEventStore;
  notifier: Notifier;
  metrics: AppMetrics;
  settings: RevocationSettings;
  logger?: Logger;
  /** Injected for tests; default `() => new Date()`. */
  now?: () => Date;
  /** Injected for tests; default crypto.randomUUID. */
  newId?: () => string;
}

// A real audit run in the test process: the audit as src/lib/root.ts wires it (wireAudit: the Kusto gateway,
// the cluster lister, the access reader with the run's verifier, the Table/Blob/queue stores), started as the
// timer starts it, its shards run from the real queue by the host's queue-trigger rules (shardQueueHost.ts),
// its run and report read back through the service (which closes a run that outlived its timeout). Faults
// (`wrap`) apply to the shard invocations only: the timer and the reads are other invocations.
import { wireAudit } from "../../../src/lib/root";
import type { ClientFactory } from "../../../src/lib/azure/clientFactory";
import type { Settings } from "../../../src/lib/config/settings";
import type { AuditDeps } from "../../../src/lib/audit/deps";
import type { AuditMode, AuditReport, AuditRun, FindingType } from "../../../src/lib/audit/model";
import { parseShardMessage } from "../../../src/lib/audit/runShard";
import { AUDIT_ROLE, createAuditService, type AuditRunView, type AuditService } from "../../../src/lib/audit/service";
import type { Caller } from "../../../src/lib/auth/caller";
import { createShardQueueHost, type ShardInvocation, type ShardQueueHost } from "./shardQueueHost";

export interface AuditHarnessOptions {
  settings: Settings;
  /** The app's client factory (the reliability app's has the SDK back-off shortened). */
  clients: ClientFactory;
  storage: { connectionString: string };
  caPem: string;
  /** Its own queue, so no other consumer (a host, another harness) takes its shards. */
  queueName: string;
  mode?: AuditMode;
  /**
   * AUDIT_SUBSCRIPTIONS: subscriptions whose clusters are audited besides the registry's. Deployed, it is the
   * Kusto subscription (infra/main.bicep); without it a cluster with no live record is not audited at all.
   */
  subscriptions?: string[];
  /** Enforce mode: the finding types remediated (default: the app's default list). */
  enforce?: FindingType[];
  /** A run whose shards have not all reported after this long is closed as incomplete (default 60 min). */
  runTimeoutInMs?: number;
  /** The audit's clock (a later scheduled run, e.g. once a claim's lease has run out); default the real one. */
  now?: () => Date;
  /** Fault injection: the wired ports in, the ports the shard invocations use out. */
  wrap?: (deps: AuditDeps) => AuditDeps;
  /** Before each shard invocation (a crashed worker comes back as a fresh one). */
  beforeInvocation?: () => void;
}

export interface AuditOutcome {
  run: AuditRun;
  /** Shards by status as the run's view counts them. */
  shards: AuditRunView["shards"];
  /** Undefined while the run has not closed. */
  report: AuditReport | undefined;
  /** Every shard invocation (queue deliveries), in order. */
  invocations: ShardInvocation[];
  /** Wall time from the timer's start to the closed run (ms). */
  timeInMs: number;
}

export interface AuditHarness {
  /** The ports the shards run with (after `wrap`). */
  deps: AuditDeps;
  /** The service over the wired ports: the timer's start and the auditor's reads. */
  service: AuditService;
  queueHost: ShardQueueHost;
  /** One run: started as the timer starts it, every shard run from the queue, the run and report read back. */
  run(): Promise<AuditOutcome>;
  /** Reads a run (and its report) again, as an auditor's GET does: a run past its timeout is closed then. */
  read(runId: string): Promise<Pick<AuditOutcome, "run" | "shards" | "report">>;
}

/** The auditor reading runs and reports (the service's reads need the app role). */
const auditor: Caller = { tenantId: "reliability", objectId: "reliability-auditor", name: "reliability", roles: [AUDIT_ROLE] };

export function createAuditHarness(options: AuditHarnessOptions): AuditHarness {
  const settings: Settings = {
    ...options.settings,
    audit: {
      ...options.settings.audit,
      mode: options.mode ?? "report",
      queueName: options.queueName,
      ...(options.subscriptions ? { subscriptions: [...options.subscriptions] } : {}),
      ...(options.enforce ? { enforceFindings: [...options.enforce] } : {}),
    },
  };
  const wired = wireAudit(settings, options.clients, {
    storageClientOptions: { tlsOptions: { ca: options.caPem } },
    ...(options.runTimeoutInMs !== undefined ? { runTimeoutInMs: options.runTimeoutInMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const deps = options.wrap ? options.wrap(wired.deps) : wired.deps;
  const service = wired.service;
  const shards = options.wrap ? createAuditService(deps) : service;
  // What src/functions/auditShard.ts does with a message: parse it, run the shard with the dequeue count.
  const queueHost = createShardQueueHost({
    connectionString: options.storage.connectionString,
    caPem: options.caPem,
    queueName: options.queueName,
    handler: async (text, dequeueCount) => void (await shards.runShard(parseShardMessage(text), dequeueCount)),
    ...(options.beforeInvocation ? { beforeInvocation: options.beforeInvocation } : {}),
  });

  async function read(runId: string) {
    const view = await service.getRun(auditor, runId);
    if (!view.ok) throw view.error;
    const report = view.value.run.status === "running" ? undefined : await service.getReport(auditor, runId);
    if (report && !report.ok) throw report.error;
    return { run: view.value.run, shards: view.value.shards, report: report?.value };
  }

  return {
    deps,
    service,
    queueHost,
    async run() {
      const started = performance.now();
      const run = await service.startScheduled();
      const invocations = await queueHost.drain();
      const read_ = await read(run.runId);
      return { ...read_, invocations, timeInMs: Math.round(performance.now() - started) };
    },
    read,
  };
}

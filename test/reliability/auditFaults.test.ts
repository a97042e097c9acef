// Audit rows of the fault matrix: an enforce-mode audit run (wireAudit's adapters, its shard run from the real
// queue by the host's queue-trigger rules) under one injected fault — latency, 429 with Retry-After, 500/503,
// connection resets on ARM, role-assignment reads failing, a remediation's LRO ending Failed, Table Storage
// going away mid-run, one database's listing failing, a shard that fails or crashes on every delivery. The
// world: a managed connection in database `audit` deleted in Kusto behind the app's back (connectionMissing:
// enforce restores it), one unmanaged connection per database (reported, never touched), a healthy managed one.
// Each run either completes with exactly the true findings or ends incomplete with its reason, never with a
// finding the data does not support nor a remediation from partial data; the next run converges; an audit in
// report mode then finds nothing amiss with the restored connection and its journal is complete.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditDeps } from "../../src/lib/audit/deps";
import type { AuditFinding, AuditReport, FindingType, ShardResult } from "../../src/lib/audit/model";
import type { ConnectionKey } from "../../src/lib/connections/model";
import { wireAudit } from "../../src/lib/root";
import { httpsJson } from "../support/httpsJson";
import type { AuditHarness, AuditOutcome } from "../support/reliability/auditHarness";
import { auditConsistency, inconsistencyCount } from "../support/reliability/consistency";
import { InjectedCrash } from "../support/reliability/faultSwitchboard";
import { settle } from "../support/reliability/pipeline";
import { startReliabilityApp, type FaultRuleInput, type ReliabilityApp } from "../support/reliability/reliabilityApp";
import { createResults } from "../support/reliability/results";

const enforce: FindingType[] = ["accessRevoked", "sourceMissing", "connectionMissing", "specDrift"];
/** The kinds concluded from a database's listing: never raised for a database whose listing failed. */
const listingKinds: FindingType[] = ["connectionMissing", "unmanagedConnection", "specDrift", "provisioningFailed"];
/** A run closed by its timeout: short here, so the crashed shard's run closes within the test. */
const crashRunTimeoutInMs = 500;

interface AuditFault {
  label: string;
  /** Emulator rules; `gone` is the connection the run should restore. */
  rules?: (gone: string) => FaultRuleInput[];
  storage?: "afterListing" | "afterRestoreWrite";
  /** The shard's worker dies on every delivery (nothing of it runs after the crash, not even its catch). */
  crashEveryDelivery?: boolean;
  /** What the faulted run must end with. */
  expected: {
    status: "completed" | "incomplete";
    /** The restore's remediation as the run's report shows it ("none": no connectionMissing finding for it). */
    restore: "done" | "skipped" | "failed" | "none";
    deliveries: number;
    unlisted?: string[];
    /** Accepted ARM PUTs of the restore during the run (default: 1 when done or failed, else 0). */
    restoreWrites?: number;
    /** A delivery restored the connection before a later one audited it (the truth changed within the run). */
    restoredWithinRun?: true;
  };
  /**
   * How the world converges when the next run alone does not:
   * - pipelinePut: a failed restore leaves Kusto's connection Failed, which the next runs report
   *   (provisioningFailed) but enforce does not remediate; the pipeline's PUT of the desired spec repairs it;
   * - runAfterLease: the restore's record write failed after ARM's, leaving the record claimed; the first run
   *   after the claim's lease (kustoWaitInMs + 120 s) ends the claim from Kusto's view.
   */
  convergeBy?: "pipelinePut" | "runAfterLease";
}

const listOf = (database: string) => `^GET .*/databases/${database}/dataConnections$`;
const databasesList = "^GET .*/clusters/adxdemo/databases$";
const faults: AuditFault[] = [
  {
    label: "latency 50–250 ms on every Kusto and Authorization call",
    rules: () => [{ pattern: "Microsoft\\.(Kusto|Authorization)/", latency: { minInMs: 50, maxInMs: 250 } }],
    expected: { status: "completed", restore: "done", deliveries: 1 },
  },
  {
    label: "429, Retry-After 1 s, once on a database's connection list (the SDK waits and retries)",
    rules: () => [{ pattern: listOf("audit"), throttleRate: 1, retryAfterSeconds: 1, remaining: 1 }],
    expected: { status: "completed", restore: "done", deliveries: 1 },
  },
  {
    label: "429, Retry-After 0, past the SDK's 3 retries (the audit's own Retry-After handling retries)",
    rules: () => [{ pattern: listOf("audit"), throttleRate: 1, retryAfterSeconds: 0, remaining: 6 }],
    expected: { status: "completed", restore: "done", deliveries: 1 },
  },
  {
    label: "429, Retry-After 0, on every try of a database's connection list (outlasts every retry)",
    rules: () => [{ pattern: listOf("audit"), throttleRate: 1, retryAfterSeconds: 0 }],
    expected: { status: "incomplete", restore: "none", deliveries: 1, unlisted: ["audit"] },
  },
  {
    label: "500 on a database's connection list, past the SDK's retries",
    rules: () => [{ pattern: listOf("audit"), errorRate: 1, errorStatus: 500, remaining: 6 }],
    expected: { status: "incomplete", restore: "none", deliveries: 1, unlisted: ["audit"] },
  },
  {
    label: "503 on a database's connection list, past the SDK's retries",
    rules: () => [{ pattern: listOf("audit"), errorRate: 1, errorStatus: 503, remaining: 6 }],
    expected: { status: "incomplete", restore: "none", deliveries: 1, unlisted: ["audit"] },
  },
  {
    label: "connection reset on a database's connection list, past the SDK's retries",
    rules: () => [{ pattern: listOf("audit"), resetRate: 1, remaining: 6 }],
    expected: { status: "incomplete", restore: "none", deliveries: 1, unlisted: ["audit"] },
  },
  {
    label: "a database's listing fails on every try (403; only that database)",
    rules: () => [{ pattern: listOf("audit"), errorRate: 1, errorStatus: 403 }],
    expected: { status: "incomplete", restore: "none", deliveries: 1, unlisted: ["audit"] },
  },
  {
    label: "500 on the cluster's database list, past the SDK's retries (the queue redelivers the shard)",
    rules: () => [{ pattern: databasesList, errorRate: 1, errorStatus: 500, remaining: 6 }],
    expected: { status: "completed", restore: "done", deliveries: 2 },
  },
  {
    label: "500 on every role-assignment read (access unreadable)",
    rules: () => [{ pattern: "Microsoft\\.Authorization/roleAssignments", errorRate: 1, errorStatus: 500 }],
    expected: { status: "incomplete", restore: "skipped", deliveries: 1 },
  },
  {
    label: "the restore's LRO ends Failed, once",
    rules: (gone) => [{ pattern: `^PUT .*/databases/audit/dataConnections/${gone}$`, failLro: true, remaining: 1 }],
    expected: { status: "completed", restore: "failed", deliveries: 1 },
    convergeBy: "pipelinePut",
  },
  {
    label: "Table Storage unreachable mid-run, right after the shard listed the cluster's databases (back for the redelivery)",
    storage: "afterListing",
    expected: { status: "completed", restore: "done", deliveries: 2 },
  },
  {
    label: "Table Storage unreachable right after the restore's ARM write (back for the redelivery)",
    storage: "afterRestoreWrite",
    expected: { status: "completed", restore: "none", deliveries: 2, restoreWrites: 1, restoredWithinRun: true },
    convergeBy: "runAfterLease",
  },
  {
    label: "a shard that fails on every delivery (403 on the cluster's database list)",
    rules: () => [{ pattern: databasesList, errorRate: 1, errorStatus: 403 }],
    expected: { status: "incomplete", restore: "none", deliveries: 5 },
  },
  {
    label: "a shard whose worker crashes on every delivery (nothing of it runs after the crash)",
    crashEveryDelivery: true,
    expected: { status: "incomplete", restore: "none", deliveries: 5 },
  },
];

interface LogEntry {
  sequence: number;
  method: string;
  path: string;
  status: number;
  fault?: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const describeFinding = (f: Pick<AuditFinding, "database" | "type" | "connectionName">) => `${f.database ?? ""}/${f.type}/${f.connectionName ?? ""}`;

describe("fault matrix: the audit under injected faults", () => {
  let app: ReliabilityApp;
  let audit: AuditHarness;
  const results = createResults("auditFaults");
  const strays = { telemetry: "af-stray-t", audit: "af-stray-a" };
  const healthy = "af-ok";
  const gones: string[] = [];
  let counter = 0;

  const m = () => app.meta;
  const properties = () => ({ eventHubResourceId: m().eventHubResourceId, consumerGroup: m().eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" });
  const putOf = (name: string, database: string) => {
    const params = { subscriptionId: m().kustoSubscriptionId!, resourceGroup: m().kustoResourceGroup!, cluster: m().kustoClusterName!, database, name };
    const path = `/api/connections/${params.subscriptionId}/${params.resourceGroup}/${params.cluster}/${database}/${name}`;
    return { method: "PUT", path, params, token: app.writerToken, json: { kind: "EventHub", location: m().location, properties: properties() } };
  };
  const createManaged = async (name: string, database: string) => {
    const created = await settle(app.handlers.upsert, putOf(name, database), { getOperation: app.handlers.getOperation, token: app.writerToken });
    if (created.final.status !== 201) throw new Error(`creating ${name}: ${created.trail.join(", ")} ${created.final.text}`);
  };
  /** Behind the app's back: ARM directly, no journal, no record change. */
  const inKusto = {
    create: async (key: ConnectionKey) => {
      const state = await app.real.kusto.createOrUpdate(key, { kind: "EventHub", location: m().location, properties: { ...properties(), tableName: "Stray" } }, {}, { waitInMs: 10_000 });
      if (!state.succeeded) throw new Error(`creating ${key.name} in Kusto failed`);
    },
    delete: async (key: ConnectionKey) => {
      const state = await app.real.kusto.delete(key, { waitInMs: 10_000 });
      if (!state.succeeded) throw new Error(`deleting ${key.name} in Kusto failed`);
    },
  };

  async function requestLog(since: number): Promise<LogEntry[]> {
    const res = await httpsJson(`${app.stack.adminUrl}/requests?since=${since}`, { ca: app.stack.emulator.caPem });
    const body = res.body as LogEntry[] | { value: LogEntry[] };
    return (Array.isArray(body) ? body : body.value).filter((r) => r.sequence > since);
  }
  const lastSequence = async () => Math.max(0, ...(await requestLog(0)).map((r) => r.sequence));

  beforeAll(async () => {
    app = await startReliabilityApp();
    audit = app.audit({ mode: "enforce", enforce });
    await createManaged(healthy, "telemetry");
    await inKusto.create(app.key(strays.telemetry, "telemetry"));
    await inKusto.create(app.key(strays.audit, "audit"));
  });
  afterAll(async () => {
    results.write();
    await app?.stop();
  });

  /** The findings this suite's world supports when every database is listed (other suites' names aside). */
  const trueFindings = (gone: string | undefined) => [
    `telemetry/unmanagedConnection/${strays.telemetry}`,
    `audit/unmanagedConnection/${strays.audit}`,
    ...(gone ? [`audit/connectionMissing/${gone}`] : []),
  ];
  const ours = (f: AuditFinding) => [healthy, strays.telemetry, strays.audit, ...gones].includes(f.connectionName ?? "");
  const shardOf = (report: AuditReport | undefined): ShardResult | undefined => report?.clusters.find((c) => c.cluster.cluster.toLowerCase() === m().kustoClusterName!.toLowerCase());

  /**
   * What a run's report says about this world, checked against the data it had: every finding true, every true
   * finding present for the databases listed, none of the listing's kinds for a database not listed; the restore
   * done only from a listed database with access read as held. Returns the spurious and missed findings.
   */
  function judge(outcome: AuditOutcome, gone: string, goneMissing = true) {
    const report = outcome.report;
    const shard = shardOf(report);
    const unlisted = new Set((shard?.databases ?? []).filter((d) => !d.listed).map((d) => d.name.toLowerCase()));
    const audited = shard !== undefined && shard.status !== "failed";
    const found = (shard?.findings ?? []).filter(ours);
    const supported = audited ? trueFindings(goneMissing ? gone : undefined).filter((f) => !(unlisted.has(f.split("/")[0]!) && listingKinds.includes(f.split("/")[1] as FindingType))) : [];
    const seen = found.map(describeFinding);
    const spurious = seen.filter((f) => !supported.includes(f));
    const missed = supported.filter((f) => !seen.includes(f));
    const restore = found.find((f) => f.type === "connectionMissing" && f.connectionName === gone)?.remediation;
    return { report, shard, unlisted: [...unlisted].sort(), spurious, missed, restore, findings: found };
  }

  /** One run as the report row tells it: status (with the first reason when incomplete), what it did about `gone`. */
  function step(n: number, outcome: AuditOutcome, gone: string, note?: string): string {
    const v = judge(outcome, gone, false);
    const reason = [...(v.shard?.problems ?? []), ...(outcome.report?.findings ?? []).filter((f) => f.type === "shardFailed").map((f) => f.message)][0] ?? "?";
    const why = outcome.run.status === "incomplete" ? ` (${reason.length > 100 ? `${reason.slice(0, 99)}…` : reason})` : "";
    const about = v.findings.filter((f) => f.connectionName === gone).map((f) => (f.remediation ? `${f.type}: ${f.remediation.action} ${f.remediation.status}` : `${f.type} reported`));
    const nothing = v.unlisted.includes("audit") ? "its database unlisted: no finding, no restore" : "no finding about it";
    return `run ${n}: ${outcome.run.status}${why}; ${note ?? (about.join(", ") || nothing)}`;
  }

  function storageOutage(live: AuditDeps, dead: AuditDeps) {
    let down = false;
    let downAfter: "afterListing" | "afterRestoreWrite" | undefined;
    const route = <K extends "registry" | "journal" | "runs">(k: K): AuditDeps[K] =>
      new Proxy(live[k], {
        get(_target, p) {
          const port = (down ? dead[k] : live[k]) as unknown as Record<string | symbol, unknown>;
          const value = port[p];
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(port) : value;
        },
      });
    const deps: AuditDeps = {
      ...live,
      registry: route("registry"),
      journal: route("journal"),
      runs: route("runs"),
      inventory: {
        listClusters: (s) => live.inventory.listClusters(s),
        async listDatabases(cluster) {
          const databases = await live.inventory.listDatabases(cluster);
          if (downAfter === "afterListing") [down, downAfter] = [true, undefined];
          return databases;
        },
      },
      kusto: {
        ...live.kusto,
        listByDatabase: (key) => live.kusto.listByDatabase(key),
        async createOrUpdate(key, spec, auth, options) {
          const state = await live.kusto.createOrUpdate(key, spec, auth, options);
          if (downAfter === "afterRestoreWrite") [down, downAfter] = [true, undefined];
          return state;
        },
      },
    };
    return { deps, arm: (when: "afterListing" | "afterRestoreWrite") => void (downAfter = when), up: () => void (down = false) };
  }

  /** Every port of the shard fails once its worker has crashed, until the next delivery starts a fresh one. */
  function crashingWorker(live: AuditDeps) {
    let dead = false;
    const guard = <T extends object>(port: T): T =>
      new Proxy(port, {
        get(target, p, receiver) {
          const value: unknown = Reflect.get(target, p, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (dead) throw new InjectedCrash("dead");
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const deps: AuditDeps = {
      ...live,
      registry: guard(live.registry),
      journal: guard(live.journal),
      kusto: guard(live.kusto),
      runs: guard(live.runs),
      reports: guard(live.reports),
      notifier: guard(live.notifier),
      ...(live.failedEvents ? { failedEvents: guard(live.failedEvents) } : {}),
      inventory: {
        listClusters: (s) => live.inventory.listClusters(s),
        listDatabases: async () => {
          dead = true;
          throw new InjectedCrash("listDatabases");
        },
      },
    };
    return { deps, revive: () => void (dead = false) };
  }

  for (const fault of faults) {
    it(`audit × ${fault.label}: completes or ends incomplete with its reason; nothing spurious; the next run converges`, async () => {
      const gone = `af-gone-${++counter}`;
      await createManaged(gone, "audit");
      await inKusto.delete(app.key(gone, "audit"));
      gones.push(gone);

      let harness = audit;
      let outage: ReturnType<typeof storageOutage> | undefined;
      if (fault.storage) {
        const dead = wireAudit(app.deadTables.settings, app.deadTables.clients, { storageClientOptions: { tlsOptions: { ca: app.stack.emulator.caPem } } }).deps;
        harness = app.audit({ mode: "enforce", enforce, wrap: (live) => (outage = storageOutage(live, dead)).deps, beforeInvocation: () => outage?.up() });
        outage!.arm(fault.storage);
      }
      if (fault.crashEveryDelivery) {
        let worker: ReturnType<typeof crashingWorker> | undefined;
        harness = app.audit({ mode: "enforce", enforce, runTimeoutInMs: crashRunTimeoutInMs, wrap: (live) => (worker = crashingWorker(live)).deps, beforeInvocation: () => worker?.revive() });
      }

      const since = await lastSequence();
      for (const rule of fault.rules?.(gone) ?? []) await app.addFault(rule);
      let first: AuditOutcome;
      try {
        first = await harness.run();
      } finally {
        await app.clearFaults();
        outage?.up();
      }
      const injected = (await requestLog(since)).filter((r) => r.fault).length;
      if (fault.crashEveryDelivery) {
        // Nothing recorded the shard: the run stays open until its timeout, then the next read closes it.
        expect(first.run.status).toBe("running");
        await sleep(Math.max(0, Date.parse(first.run.startedAt) + crashRunTimeoutInMs + 50 - Date.now()));
        first = { ...first, ...(await harness.read(first.run.runId)) };
      }
      const verdict = judge(first, gone, !fault.expected.restoredWithinRun);
      const writes = (await requestLog(since)).filter((r) => /\/dataConnections\//i.test(r.path) && (r.method === "PUT" || r.method === "DELETE"));
      const restoreWrites = writes.filter((r) => r.method === "PUT" && r.path.endsWith(`/dataConnections/${gone}`) && r.status < 300 && !r.fault);
      const otherWrites = writes.filter((r) => !(r.method === "PUT" && r.path.endsWith(`/dataConnections/${gone}`)));
      const poisoned = (await harness.queueHost.poisoned()).filter((t) => t.includes(first.run.runId));

      // The faulted run: its status and reason, its findings against the data it had, its remediation.
      expect(first.run.status, JSON.stringify({ problems: verdict.shard?.problems, findings: first.report?.findings })).toBe(fault.expected.status);
      expect(first.invocations.map((i) => `${i.dequeueCount}:${i.ok ? "ok" : i.error}`)).toHaveLength(fault.expected.deliveries);
      expect({ spurious: verdict.spurious, missed: verdict.missed }).toEqual({ spurious: [], missed: [] });
      expect(verdict.unlisted).toEqual(fault.expected.unlisted ?? []);
      expect(otherWrites, "no DELETE anywhere, no PUT but the restore").toEqual([]);
      const reasons = [...(verdict.shard?.problems ?? []), ...(first.report?.findings ?? []).filter((f) => f.type === "shardFailed").map((f) => f.message)];
      if (fault.expected.status === "incomplete") expect(reasons.length, "an incomplete run says why").toBeGreaterThan(0);
      else expect(reasons).toEqual([]);
      if (fault.expected.deliveries >= 5) {
        expect(poisoned, "the message went to the poison queue after maxDequeueCount deliveries").toHaveLength(1);
        expect(first.invocations.at(-1)).toMatchObject({ dequeueCount: harness.queueHost.config.maxDequeueCount, poisoned: true });
        expect(first.report?.summary).toMatchObject({ clustersFailed: fault.crashEveryDelivery ? 0 : 1, clustersMissing: fault.crashEveryDelivery ? 1 : 0, incomplete: true });
        // The 5th delivery records the failed shard; a crashed one records nothing, and the timeout closes the run.
        expect([...(first.report?.findings ?? []), ...(first.report?.clusters ?? []).flatMap((c) => c.findings)].map((f) => f.type)).toEqual(["shardFailed"]);
      } else {
        expect(poisoned).toEqual([]);
      }
      const restore = verdict.restore?.status ?? "none";
      expect(restore, JSON.stringify(verdict.restore)).toBe(fault.expected.restore);
      // A restore only from a listed database whose access was read as held; its ARM write exactly once.
      expect(restoreWrites).toHaveLength(fault.expected.restoreWrites ?? (restore === "done" || restore === "failed" ? 1 : 0));
      if (fault.expected.restore === "skipped") expect(verdict.restore?.reason).toMatch(/could not be read|does not hold/);

      // Converges: the next (clean) run restores what the faulted one could not, and ends complete.
      const runs = [first];
      const steps = [step(1, first, gone, fault.expected.restoredWithinRun ? "restored in ARM by delivery 1, whose record write failed; the report shows no restore" : undefined)];
      const next = async (harness: AuditHarness, note?: string) => {
        const outcome = await harness.run();
        runs.push(outcome);
        steps.push(step(runs.length, outcome, gone, note));
        return outcome;
      };
      const state = async () => (await app.real.kusto.get(app.key(gone, "audit")))?.provisioningState;
      const recorded = async () => (await app.real.registry.get(app.key(gone, "audit")))?.status;
      if (fault.convergeBy === "runAfterLease") {
        // Within the lease the record belongs to the dead remediation: the next run leaves it (and finds nothing).
        expect({ kusto: await state(), record: await recorded() }).toEqual({ kusto: "Succeeded", record: "Provisioning" });
        await next(audit, "the record still claimed: left alone");
        expect(await recorded()).toBe("Provisioning");
        await next(app.audit({ mode: "enforce", enforce, now: () => new Date(Date.now() + 10 * 60_000) }), "10 min later, the claim's lease over: the claim ended from Kusto's view");
      } else if ((await state()) !== "Succeeded") {
        await next(audit);
      }
      if (fault.convergeBy === "pipelinePut") {
        // The next run reports Kusto's Failed connection and leaves it: provisioningFailed is report-only.
        const second = judge(runs[1]!, gone, false);
        expect(second.findings.filter((f) => f.connectionName === gone).map((f) => [f.type, f.remediation?.status ?? "none"])).toEqual([["provisioningFailed", "none"]]);
        expect(await state()).toBe("Failed");
        const put = await settle(app.handlers.upsert, putOf(gone, "audit"), { getOperation: app.handlers.getOperation, token: app.writerToken });
        steps.push(`the pipeline's PUT: ${put.trail.join(" → ")}`);
        await next(audit);
      }
      expect(runs.slice(1).map((r) => r.run.status)).toEqual(runs.slice(1).map(() => "completed"));
      expect({ kusto: await state(), record: await recorded() }).toEqual({ kusto: "Succeeded", record: "Succeeded" });

      // Afterwards: a report-mode audit finds nothing amiss with the restored connection; its journal is complete.
      const check = await auditConsistency(app.consistency(), app.key(gone, "audit"), { owns: (n) => n === gone, names: [gone] });
      expect({ inconsistencies: check.inconsistencies, inFlight: check.inFlight, openIntents: check.openIntents }).toEqual({ inconsistencies: [], inFlight: [], openIntents: [] });

      results.add({
        table: "fault matrix",
        operation: "audit",
        condition: fault.label,
        outcome: steps.join(" → "),
        attempts: runs.length,
        timeInMs: runs.reduce((n, r) => n + r.timeInMs, 0),
        inconsistencies: verdict.spurious.length + verdict.missed.length + otherWrites.length + inconsistencyCount(check),
        notes: [
          `shard deliveries ${runs.map((r) => r.invocations.map((i) => (i.ok ? "ok" : i.poisoned ? `${i.error}→poison` : i.error)).join("+")).join(" | ")}`,
          injected > 0 ? `${injected} fault(s) injected by the emulator` : "",
          `restore PUTs accepted ${restoreWrites.length}; other ARM writes ${otherWrites.length}`,
          verdict.unlisted.length > 0 ? `unlisted: ${verdict.unlisted.join(", ")} (no finding concluded for it)` : "",
        ]
          .filter(Boolean)
          .join("; "),
      });
    });
  }
  // Last: its seeds would be remediated by the enforce runs above.
  it("the consistency check (a report-mode audit) reports each kind of disagreement, changing nothing", async () => {
    const t = (name: string) => app.key(name, "telemetry");
    await inKusto.create(t("cc-orphan-kusto"));
    await createManaged("cc-orphan-registry", "telemetry");
    await inKusto.delete(t("cc-orphan-registry"));
    await createManaged("cc-tombstone", "telemetry");
    const deleted = await settle(app.handlers.delete, { ...putOf("cc-tombstone", "telemetry"), method: "DELETE", json: undefined }, { getOperation: app.handlers.getOperation, token: app.writerToken });
    expect(deleted.final.status).toBe(204);
    await inKusto.create(t("cc-tombstone"));
    await createManaged("cc-drift", "telemetry");
    const drifted = await app.real.kusto.createOrUpdate(t("cc-drift"), { kind: "EventHub", location: m().location, properties: { ...properties(), tableName: "Elsewhere" } }, {}, { waitInMs: 10_000 });
    expect(drifted.succeeded).toBe(true);
    await createManaged("cc-in-flight", "telemetry");
    const record = (await app.real.registry.get(t("cc-in-flight")))!;
    await app.real.registry.save({ ...record, status: "Provisioning", operation: { id: "op-cc", kind: "update", startedAt: new Date().toISOString(), claimedUntil: new Date(Date.now() + 600_000).toISOString() } });
    await app.real.journal.append({ connectionId: record.id, action: "update", phase: "intent", actor: { system: "reliability" }, correlationId: "cc-open", reason: "an intent whose outcome was never written" });

    const since = await lastSequence();
    const check = await auditConsistency(app.consistency(), t("cc-any"), { owns: (n) => n.startsWith("cc-") });
    expect(check.inconsistencies.map((f) => `${f.type}/${f.connectionName}${f.tombstoned ? " (tombstoned)" : ""}`).sort()).toEqual([
      "connectionMissing/cc-orphan-registry",
      "specDrift/cc-drift",
      "unmanagedConnection/cc-orphan-kusto",
      "unmanagedConnection/cc-tombstone (tombstoned)",
    ]);
    expect(check.inFlight).toEqual(["cc-in-flight (Provisioning)"]);
    expect(check.openIntents.map((i) => i.correlationId)).toEqual(["cc-open"]);
    expect(inconsistencyCount(check)).toBe(6);
    // Report mode: no ARM write.
    expect((await requestLog(since)).filter((r) => r.method !== "GET")).toEqual([]);
  });
});

// Fault matrix: create, validate and delete through the real HTTP handlers over the emulator and Azurite, each
// under one injected fault (latency, 429 + Retry-After, 500/503, connection reset, an LRO ending Failed, Table
// Storage unreachable), retried as a pipeline would until it settles. Afterwards: every refusal was a clean
// problem+json, an audit run finds registry and Kusto in agreement, nothing was deleted that was not asked, and
// no outcome was lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminOf, loggedRequests } from "../support/emulatorAdmin";
import { auditConsistency, inconsistencyCount } from "../support/reliability/consistency";
import { httpsJson } from "../support/httpsJson";
import { settle, uncleanAnswers, type Answer, type Settled } from "../support/reliability/pipeline";
import { startReliabilityApp, type FaultRuleInput, type ReliabilityApp } from "../support/reliability/reliabilityApp";
import { createResults } from "../support/reliability/results";

type Operation = "create" | "validate" | "delete";

interface Fault {
  label: string;
  /** Emulator fault rules for the operation's target requests (`target` is the path regex of its ARM write/check). */
  rules?: (target: string, times: number) => FaultRuleInput[];
  storage?: "downAtStart" | "downAfterArmWrite";
  /** Operations it does not apply to. */
  skip?: Operation[];
}

const kustoCalls = "Microsoft\\.Kusto/";
const faults: Fault[] = [
  { label: "latency 50–250 ms on every Kusto call", rules: () => [{ pattern: kustoCalls, latency: { minInMs: 50, maxInMs: 250 } }] },
  { label: "429, Retry-After 1 s, once (the SDK waits and retries)", rules: (t) => [{ pattern: t, throttleRate: 1, retryAfterSeconds: 1, remaining: 1 }] },
  { label: "429, Retry-After 0, past the SDK's 3 retries", rules: (t, n) => [{ pattern: t, throttleRate: 1, retryAfterSeconds: 0, remaining: n }] },
  { label: "500, past the SDK's retries", rules: (t, n) => [{ pattern: t, errorRate: 1, errorStatus: 500, remaining: n }] },
  { label: "503, past the SDK's retries", rules: (t, n) => [{ pattern: t, errorRate: 1, errorStatus: 503, remaining: n }] },
  { label: "connection reset, past the SDK's retries", rules: (t, n) => [{ pattern: t, resetRate: 1, remaining: n }] },
  // The emulator answers dataConnectionValidation at once (200), as Kusto mostly does: no LRO to fail.
  { label: "LRO ends Failed, once", rules: (t) => [{ pattern: t, failLro: true, remaining: 1 }], skip: ["validate"] },
  { label: "Table Storage unreachable when the request starts", storage: "downAtStart" },
  { label: "Table Storage unreachable right after the ARM write", storage: "downAfterArmWrite", skip: ["validate"] },
];
const operations: Operation[] = ["create", "validate", "delete"];
const rounds = Math.max(1, Number(process.env.RELIABILITY_ROUNDS ?? "1"));

describe("fault matrix: create, validate and delete under injected faults", () => {
  let app: ReliabilityApp;
  const results = createResults("faultMatrix");
  let counter = 0;

  beforeAll(async () => {
    app = await startReliabilityApp();
  });
  afterAll(async () => {
    results.write();
    await app?.stop();
  });

  const m = () => app.meta;
  const body = () => ({
    kind: "EventHub",
    location: m().location,
    properties: { eventHubResourceId: m().eventHubResourceId, consumerGroup: m().eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" },
  });
  const pathOf = (name: string) => `/api/connections/${m().kustoSubscriptionId}/${m().kustoResourceGroup}/${m().kustoClusterName}/telemetry/${name}`;
  const paramsOf = (name: string) => ({ subscriptionId: m().kustoSubscriptionId!, resourceGroup: m().kustoResourceGroup!, cluster: m().kustoClusterName!, database: "telemetry", name });
  const pipeline = { getOperation: () => app.handlers.getOperation, token: () => app.writerToken };

  function request(operation: Operation, name: string, afterFirstAnswer?: () => void): Promise<Settled> {
    const options = { getOperation: pipeline.getOperation(), token: pipeline.token(), ...(afterFirstAnswer ? { onAnswer: afterFirstAnswer } : {}) };
    const base = { path: pathOf(name), params: paramsOf(name), token: app.writerToken };
    if (operation === "create") return settle(app.handlers.upsert, { ...base, method: "PUT", json: body() }, options);
    if (operation === "delete") return settle(app.handlers.delete, { ...base, method: "DELETE" }, options);
    return settle(app.handlers.validate, { ...base, method: "POST", path: `${base.path}/validate`, json: body() }, options);
  }

  /**
   * Faults enough to get past the SDK's own retries (1 + 3 tries per request) once: 6 for one targeted request;
   * validation sends its two checks at once, each retried, so 9 reach the app at least once.
   */
  const timesFor = (operation: Operation) => (operation === "validate" ? 9 : 6);

  const target = (operation: Operation, name: string) =>
    operation === "create" ? `^PUT .*/dataConnections/${name}$` : operation === "delete" ? `^DELETE .*/dataConnections/${name}$` : `^POST .*/(dataConnectionValidation|checkNameAvailability)$`;

  const expectedFinal = (operation: Operation, final: Answer) =>
    operation === "create" ? [200, 201].includes(final.status) : operation === "delete" ? final.status === 204 : final.status === 200 && final.body?.valid === true;

  async function runCell(operation: Operation, fault: Fault) {
    const name = `fm-${operation.slice(0, 3)}-${++counter}`;
    if (operation === "delete") {
      const created = await request("create", name);
      expect(created.final.status, created.trail.join(", ")).toBe(201);
    }
    const since = await lastSequence();
    for (const rule of fault.rules?.(target(operation, name), timesFor(operation)) ?? []) await app.addFault(rule);
    if (fault.storage === "downAtStart") app.controls.storageDown();
    if (fault.storage === "downAfterArmWrite") app.controls.storageDownAfterArmWrite();
    try {
      // Storage comes back after the first answer (an outage the pipeline sees once, not a permanent loss).
      const settled = await request(operation, name, () => app.controls.storageUp());
      return { name, settled, injected: await injectedSince(since) };
    } finally {
      await app.clearFaults();
      app.controls.storageUp();
    }
  }

  async function requestLog(since?: number): Promise<{ sequence: number; fault?: unknown }[]> {
    const res = await httpsJson(`${app.stack.adminUrl}/requests${since === undefined ? "" : `?since=${since}`}`, { ca: app.stack.emulator.caPem });
    const body = res.body as { sequence: number; fault?: unknown }[] | { value: { sequence: number; fault?: unknown }[] };
    return Array.isArray(body) ? body : body.value;
  }
  const lastSequence = async () => Math.max(0, ...(await requestLog()).map((r) => r.sequence));
  /** Faults the emulator injected (429/5xx/resets; latency is not counted by the emulator). */
  const injectedSince = async (since: number) => (await requestLog(since)).filter((r) => r.sequence > since && r.fault).length;

  for (const operation of operations) {
    for (const fault of faults) {
      if (fault.skip?.includes(operation)) continue;
      it(`${operation} × ${fault.label}: settles cleanly and leaves registry and Kusto in agreement`, async () => {
        let attempts = 0;
        let timeInMs = 0;
        let inconsistencies = 0;
        let abandoned = 0;
        let injected = 0;
        const trails: string[] = [];
        for (let round = 0; round < rounds; round++) {
          const { name, settled, injected: injectedNow } = await runCell(operation, fault);
          injected += injectedNow;
          expect(expectedFinal(operation, settled.final), `${settled.trail.join(", ")}: ${settled.final.text?.slice(0, 500)}`).toBe(true);
          expect(uncleanAnswers(settled.answers)).toEqual([]);
          expect(settled.trail.filter((t) => t.includes("InternalError"))).toEqual([]);

          const report = await auditConsistency(app.consistency(), app.key(name), { owns: (n) => n === name, names: [name] });
          const armWrites = (await loggedRequests(adminOf(app.stack), { path: `/dataConnections/${name}` })).filter((r) => r.method === "PUT" || r.method === "DELETE");
          const spuriousDeletes = operation === "delete" ? 0 : armWrites.filter((r) => r.method === "DELETE").length;
          // Intents left open by attempts the caller saw fail are abandoned, not lost: the state converged.
          const succeeded = new Set(settled.answers.filter((a) => a.status < 300).map((a) => a.headers["x-correlation-id"]));
          const lost = report.openIntents.filter((i) => succeeded.has(i.correlationId));
          abandoned += report.openIntents.length - lost.length;
          const found = inconsistencyCount(report, true) + spuriousDeletes + lost.length;
          expect({ inconsistencies: report.inconsistencies, inFlight: report.inFlight, lost, spuriousDeletes }).toEqual({ inconsistencies: [], inFlight: [], lost: [], spuriousDeletes: 0 });
          if (operation === "validate") expect(armWrites).toEqual([]);
          inconsistencies += found;
          attempts = Math.max(attempts, settled.attempts);
          timeInMs = Math.max(timeInMs, settled.timeInMs);
          trails.push(settled.trail.join(" → "));
        }
        results.add({
          table: "fault matrix",
          operation,
          condition: fault.label,
          outcome: trails[0] ?? "",
          attempts,
          timeInMs,
          inconsistencies,
          notes: [rounds > 1 ? `worst of ${rounds} rounds` : "", injected > 0 ? `${injected} fault(s) injected by the emulator` : "", abandoned > 0 ? `${abandoned} intent(s) of failed attempts left open (state converged)` : ""].filter(Boolean).join("; ") || undefined,
        });
      });
    }
  }
});

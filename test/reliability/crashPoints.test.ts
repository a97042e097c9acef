// Crash points: the "process" dies between every two steps of create and of delete (after the journal intent,
// after ARM accepted the write, after ARM finished but before the record, after the record but before the
// journal's completion, after the completion but before the notification). Then the same request is sent again
// and must converge: an audit run then finds nothing amiss with the connection (Kusto and the registry agree),
// and no intent is left open but the crashed attempt's own, which the audit does not close (it does not read
// the journal).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditConsistency, inconsistencyCount } from "../support/reliability/consistency";
import { crashPoints, type CrashedOperation, type CrashPoint } from "../support/reliability/instrumentedPorts";
import { send, settle, uncleanAnswers, type RequestInit } from "../support/reliability/pipeline";
import { startReliabilityApp, type ReliabilityApp } from "../support/reliability/reliabilityApp";
import { createResults } from "../support/reliability/results";

describe("crash points of create and delete", () => {
  let app: ReliabilityApp;
  const results = createResults("crashPoints");
  let counter = 0;

  beforeAll(async () => {
    // A short lease: a crashed request's claim holds off the retry only briefly (the pipeline here waits 20 ms
    // per Retry-After second), so the retry exercises both following the claim and taking it over.
    app = await startReliabilityApp({ claimLeaseInMs: 400 });
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
  const init = (operation: CrashedOperation, name: string, correlationId: string): RequestInit => ({
    method: operation === "create" ? "PUT" : "DELETE",
    path: `/api/connections/${m().kustoSubscriptionId}/${m().kustoResourceGroup}/${m().kustoClusterName}/telemetry/${name}`,
    params: { subscriptionId: m().kustoSubscriptionId!, resourceGroup: m().kustoResourceGroup!, cluster: m().kustoClusterName!, database: "telemetry", name },
    token: app.writerToken,
    headers: { "x-correlation-id": correlationId },
    ...(operation === "create" ? { json: body() } : {}),
  });
  const handler = (operation: CrashedOperation) => (operation === "create" ? app.handlers.upsert : app.handlers.delete);
  const pipelineOptions = () => ({ getOperation: app.handlers.getOperation, token: app.writerToken });

  const cases = (["create", "delete"] as const).flatMap((operation) => crashPoints.map((point) => [operation, point] as [CrashedOperation, CrashPoint]));

  it("enumerates every step boundary of both operations", () => {
    expect(cases.map(([o, p]) => `${o}:${p}`)).toEqual([
      "create:afterIntent", "create:afterArmAccepted", "create:afterArmFinished", "create:afterRecord", "create:afterCompletion",
      "delete:afterIntent", "delete:afterArmAccepted", "delete:afterArmFinished", "delete:afterRecord", "delete:afterCompletion",
    ]);
  });

  it.each(cases)("%s dies %s; the same request sent again converges", async (operation, point) => {
    const name = `crash-${operation.slice(0, 3)}-${++counter}`;
    if (operation === "delete") {
      const created = await settle(app.handlers.upsert, init("create", name, `setup-${name}`), pipelineOptions());
      expect(created.final.status, created.trail.join(", ")).toBe(201);
    }
    const crashedId = `crashed-${name}`;
    app.controls.crashAt(point, operation);
    const crashed = await send(handler(operation), init(operation, name, crashedId));
    // The process died: the caller got no answer (here: the handler's generic 500, never a partial success).
    expect(app.controls.fired.at(-1)).toBe(`${operation}:${point}`);
    expect(crashed.status).toBe(500);
    expect(crashed.body?.code).toBe("InternalError");
    app.controls.revive();

    const retried = await settle(handler(operation), init(operation, name, `retry-${name}`), pipelineOptions());
    // The record is claimed before the ARM write, so the first save ("afterRecord") is now the claim, before
    // ARM: the retry takes the expired claim over and creates (201). After ARM accepted the PUT, the claim's
    // operation is followed and ended from Kusto's view; the retry then finds the connection there: 200.
    // Dying right after the intent leaves no claim: 201.
    const beforeArm = point === "afterIntent" || point === "afterRecord";
    expect(retried.final.status, retried.trail.join(", ")).toBe(operation === "delete" ? 204 : beforeArm ? 201 : 200);
    expect(uncleanAnswers(retried.answers)).toEqual([]);

    const report = await auditConsistency(app.consistency(), app.key(name), { owns: (n) => n === name, names: [name] });
    expect({ inconsistencies: report.inconsistencies, inFlight: report.inFlight }).toEqual({ inconsistencies: [], inFlight: [] });
    // Only the crashed attempt may leave its intent open; every retry completes its own.
    expect(report.openIntents.filter((i) => i.correlationId !== crashedId)).toEqual([]);
    const record = await app.real.registry.get(app.key(name));
    const inKusto = await app.real.kusto.get(app.key(name));
    if (operation === "create") {
      expect(record?.status).toBe("Succeeded");
      expect(inKusto?.provisioningState).toBe("Succeeded");
    } else {
      expect(record?.status).toBe("Deleted");
      expect(inKusto).toBeUndefined();
    }
    results.add({
      table: "crash points",
      operation,
      condition: point,
      outcome: [`crash (500)`, ...retried.trail].join(" → "),
      attempts: 1 + retried.attempts,
      timeInMs: retried.timeInMs,
      inconsistencies: inconsistencyCount(report, true),
      notes:
        report.openIntents.length > 0
          ? "the crashed attempt's intent stays open: no outcome was written, and the audit run afterwards does not close it (the audit does not read the journal)"
          : "journal complete",
    });
  });
});

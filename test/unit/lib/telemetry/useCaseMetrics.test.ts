// The connection use cases count what they do through AppMetrics (over OpenTelemetry, read back with an
// in-memory metric reader): a create once it has really happened, a delete by request, nothing for
// refusals, failures, updates or repeats.
import { describe, expect, it } from "vitest";
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import type { UpsertInput } from "../../../../src/lib/connections/service";
import { createOtelMetrics, metricNames } from "../../../../src/lib/azure/telemetryMetrics";
import { createConnectionsWorld, ids, keyOf, specs, writer } from "../../../support/fakes/connectionsWorld";
import { createMetricsReader } from "./metricsReader";

function setup() {
  const reader = createMetricsReader();
  const world = createConnectionsWorld();
  const service = createConnectionsService({ ...world.deps, metrics: createOtelMetrics({ meterProvider: reader.meterProvider }) });
  const counted = async (name: string) => (await reader.points()).filter((p) => p.name === name).map((p) => ({ ...p.attributes, value: p.value }));
  return { ...world, service, counted };
}

const put = (name: string, spec = specs.eventHub(), access: UpsertInput["access"] = {}): UpsertInput => ({ caller: writer(), key: keyOf(name), spec, access, correlationId: `corr-${name}` });

describe("metrics of the connection use cases", () => {
  it("counts a create once, by kind, auth mode and tenancy; a repeated PUT and an update are not creates", async () => {
    const w = setup();
    expect((await w.service.upsert(put("events"))).ok).toBe(true);
    expect((await w.service.upsert(put("events"))).ok).toBe(true);
    const changed = specs.eventHub();
    changed.properties.tableName = "Other";
    const update = await w.service.upsert(put("events", changed));
    expect(update.ok && update.value.status).toBe("updated");
    expect((await w.service.upsert(put("partner", specs.partnerEventHub(), { sourceTenantId: ids.tenantB }))).ok).toBe(true);
    expect(await w.counted(metricNames.connectionsCreated)).toEqual([
      { kind: "EventHub", auth_mode: "key", cross_tenant: false, value: 1 },
      { kind: "EventHub", auth_mode: "key", cross_tenant: true, value: 1 },
    ]);
  });

  it("counts nothing for a refused request or a Kusto operation that fails", async () => {
    const w = setup();
    const refused = await w.service.upsert({ ...put("events"), caller: { ...writer(), roles: [] } });
    expect(refused.ok).toBe(false);
    w.kusto.failOperations = true;
    expect((await w.service.upsert(put("doomed"))).ok).toBe(false);
    expect(await w.counted(metricNames.connectionsCreated)).toEqual([]);
  });

  it("counts a create that outlived the request when its operation is seen to succeed, once", async () => {
    const w = setup();
    w.kusto.pollsToFinish = 2;
    const accepted = await w.service.upsert(put("slow"));
    if (!accepted.ok || accepted.value.status !== "accepted") throw new Error("expected accepted");
    expect(await w.counted(metricNames.connectionsCreated)).toEqual([]);
    for (let i = 0; i < 3; i++) await w.service.getOperation(writer(), accepted.value.operationId);
    expect(await w.counted(metricNames.connectionsCreated)).toEqual([{ kind: "EventHub", auth_mode: "key", cross_tenant: false, value: 1 }]);
  });

  it("counts a delete by request once (deleting again is a no-op), and a slow delete when it ends", async () => {
    const w = setup();
    await w.service.upsert(put("events"));
    await w.service.upsert(put("slow"));
    expect(await w.service.delete(writer(), keyOf("events"), "d1")).toEqual({ ok: true, value: { status: "deleted" } });
    await w.service.delete(writer(), keyOf("events"), "d2");
    expect(await w.counted(metricNames.connectionsDeleted)).toEqual([{ kind: "EventHub", reason: "request", value: 1 }]);

    w.kusto.pollsToFinish = 1;
    const slow = await w.service.delete(writer(), keyOf("slow"), "d3");
    if (!slow.ok || slow.value.status !== "accepted") throw new Error("expected accepted");
    expect(await w.counted(metricNames.connectionsDeleted)).toEqual([{ kind: "EventHub", reason: "request", value: 1 }]);
    await w.service.getOperation(writer(), slow.value.operationId);
    await w.service.getOperation(writer(), slow.value.operationId);
    expect(await w.counted(metricNames.connectionsDeleted)).toEqual([{ kind: "EventHub", reason: "request", value: 2 }]);
  });
});

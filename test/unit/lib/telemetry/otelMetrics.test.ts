// AppMetrics over OpenTelemetry: each call lands on its instrument with its attributes, read back through an
// in-memory metric reader; with no MeterProvider registered the calls are no-ops.
import { createNoopMeter, type MeterProvider } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createOtelMetrics, metricNames } from "../../../../src/lib/azure/telemetryMetrics";
import { createMetricsReader } from "./metricsReader";

describe("AppMetrics over OpenTelemetry meters", () => {
  it("counts connections created by kind, auth mode and tenancy, and deleted by reason", async () => {
    const { meterProvider, points } = createMetricsReader();
    const metrics = createOtelMetrics({ meterProvider });
    metrics.connectionCreated({ kind: "EventHub", authMode: "key", crossTenant: false });
    metrics.connectionCreated({ kind: "EventHub", authMode: "key", crossTenant: false });
    metrics.connectionCreated({ kind: "EventHub", authMode: "key", crossTenant: true });
    metrics.connectionDeleted({ kind: "IotHub", reason: "revoked" });
    metrics.connectionDeleted({ kind: "IotHub", reason: "request" });
    metrics.connectionKept({ kind: "CosmosDb" });
    const all = await points();
    expect(all.filter((p) => p.name === metricNames.connectionsCreated)).toEqual([
      { name: "adx.connections.created", unit: "{connection}", attributes: { kind: "EventHub", auth_mode: "key", cross_tenant: false }, value: 2 },
      { name: "adx.connections.created", unit: "{connection}", attributes: { kind: "EventHub", auth_mode: "key", cross_tenant: true }, value: 1 },
    ]);
    expect(all.filter((p) => p.name === metricNames.connectionsDeleted).map((p) => [p.attributes, p.value])).toEqual([
      [{ kind: "IotHub", reason: "revoked" }, 1],
      [{ kind: "IotHub", reason: "request" }, 1],
    ]);
    expect(all.find((p) => p.name === metricNames.connectionsKept)).toMatchObject({ attributes: { kind: "CosmosDb" }, value: 1 });
  });

  it("records event lag in milliseconds per event type, a negative lag (clock skew) as zero", async () => {
    const { meterProvider, points } = createMetricsReader();
    const metrics = createOtelMetrics({ meterProvider });
    metrics.eventLag(1200, { eventType: "Microsoft.Resources.ResourceDeleteSuccess" });
    metrics.eventLag(800, { eventType: "Microsoft.Resources.ResourceDeleteSuccess" });
    metrics.eventLag(-50, { eventType: "Microsoft.Resources.ResourceWriteSuccess" });
    const lag = (await points()).filter((p) => p.name === metricNames.eventLag);
    expect(lag).toEqual([
      { name: "adx.events.lag", unit: "ms", attributes: { event_type: "Microsoft.Resources.ResourceDeleteSuccess" }, count: 2, sum: 2000 },
      { name: "adx.events.lag", unit: "ms", attributes: { event_type: "Microsoft.Resources.ResourceWriteSuccess" }, count: 1, sum: 0 },
    ]);
  });

  it("counts audit findings by type and severity", async () => {
    const { meterProvider, points } = createMetricsReader();
    const metrics = createOtelMetrics({ meterProvider });
    metrics.auditFinding({ type: "accessRevoked", severity: "high" });
    metrics.auditFinding({ type: "accessRevoked", severity: "high" });
    metrics.auditFinding({ type: "unmanaged", severity: "info" });
    expect((await points()).filter((p) => p.name === metricNames.auditFindings).map((p) => [p.attributes, p.value])).toEqual([
      [{ type: "accessRevoked", severity: "high" }, 2],
      [{ type: "unmanaged", severity: "info" }, 1],
    ]);
  });

  it("makes its instruments on first use, so a provider registered after wiring still gets them", async () => {
    const { meterProvider, points } = createMetricsReader();
    // As the global provider behaves: a no-op one until the SDK registers the real one.
    let current: MeterProvider = { getMeter: () => createNoopMeter() };
    const metrics = createOtelMetrics({ meterProvider: { getMeter: (name, version) => current.getMeter(name, version) } });
    current = meterProvider;
    metrics.connectionKept({ kind: "EventGrid" });
    expect(await points()).toHaveLength(1);
  });

  it("does nothing (and does not throw) without a registered MeterProvider", () => {
    const metrics = createOtelMetrics();
    expect(() => {
      metrics.connectionCreated({ kind: "EventHub", authMode: "managedIdentity", crossTenant: false });
      metrics.eventLag(5, { eventType: "x" });
    }).not.toThrow();
  });
});

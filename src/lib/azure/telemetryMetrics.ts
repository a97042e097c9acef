// AppMetrics over OpenTelemetry meters: counters for connections created, deleted (by reason) and kept, audit
// findings by type and severity, and a histogram of event lag. Without a registered MeterProvider every call is
// a no-op; instruments are made on first use, so a provider registered after wiring still receives them.
import { metrics as otelMetrics, type Counter, type Histogram, type MeterProvider } from "@opentelemetry/api";
import type { AppMetrics } from "../telemetry/metrics";

export const meterName = "adx-connection-lifecycle";

/** The instruments' names and units, as they appear in Application Insights' customMetrics. */
export const metricNames = {
  connectionsCreated: "adx.connections.created",
  connectionsDeleted: "adx.connections.deleted",
  connectionsKept: "adx.connections.kept",
  eventLag: "adx.events.lag",
  auditFindings: "adx.audit.findings",
} as const;

export interface OtelMetricsOptions {
  /** Default: the global provider (set by startTelemetry), looked up on first use. */
  meterProvider?: MeterProvider;
  version?: string;
}

interface Instruments {
  created: Counter;
  deleted: Counter;
  kept: Counter;
  lag: Histogram;
  findings: Counter;
}

export function createOtelMetrics(options: OtelMetricsOptions = {}): AppMetrics {
  let instruments: Instruments | undefined;
  const get = (): Instruments => {
    if (instruments) return instruments;
    const meter = (options.meterProvider ?? otelMetrics.getMeterProvider()).getMeter(meterName, options.version);
    instruments = {
      created: meter.createCounter(metricNames.connectionsCreated, { description: "Data connections created", unit: "{connection}" }),
      deleted: meter.createCounter(metricNames.connectionsDeleted, { description: "Data connections deleted, by reason", unit: "{connection}" }),
      kept: meter.createCounter(metricNames.connectionsKept, {
        description: "Revocations that left a connection in place (access still held through another grant)",
        unit: "{connection}",
      }),
      lag: meter.createHistogram(metricNames.eventLag, { description: "Time from an event's eventTime to its processing", unit: "ms" }),
      findings: meter.createCounter(metricNames.auditFindings, { description: "Audit findings, by type and severity", unit: "{finding}" }),
    };
    return instruments;
  };
  return {
    connectionCreated({ kind, authMode, crossTenant }) {
      get().created.add(1, { kind, auth_mode: authMode, cross_tenant: crossTenant });
    },
    connectionDeleted({ kind, reason }) {
      get().deleted.add(1, { kind, reason });
    },
    connectionKept({ kind }) {
      get().kept.add(1, { kind });
    },
    eventLag(milliseconds, { eventType }) {
      // A clock skewed ahead of the event's source gives a negative lag: count it as none.
      get().lag.record(Math.max(0, milliseconds), { event_type: eventType });
    },
    auditFinding({ type, severity }) {
      get().findings.add(1, { type, severity });
    },
  };
}

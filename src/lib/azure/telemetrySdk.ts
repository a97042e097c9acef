// The heavy half of telemetry, loaded only when telemetry is configured (telemetry.ts): the Azure Monitor
// OpenTelemetry distro (traces, metrics and logs to Application Insights) or, locally, console exporters, plus
// the Functions and Azure SDK instrumentations. scripts/build.mjs bundles it apart as dist/telemetry.js.
import { useAzureMonitor, shutdownAzureMonitor } from "@azure/monitor-opentelemetry";
import { AzureFunctionsInstrumentationESM } from "@azure/functions-opentelemetry-instrumentation";
import { createOpenTelemetryInstrumenter } from "@azure/opentelemetry-instrumentation-azure-sdk";
import type { TokenCredential } from "@azure/core-auth";
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** The modules of the app's own bundle the instrumentations patch (a bundle's copies are never `require`d by name). */
export interface BundledModules {
  /** `@azure/core-tracing`: its instrumenter is set to OpenTelemetry's, so every Azure SDK call makes spans. */
  coreTracing: { useInstrumenter(instrumenter: unknown): void };
  /** `@azure/functions`: the worker sends logs itself, and each invocation runs in the host's trace context. */
  functions: unknown;
}

export interface TelemetrySdkOptions {
  exporter: "azureMonitor" | "console";
  /** azureMonitor: Application Insights' connection string. */
  connectionString?: string;
  /** azureMonitor with Entra ingestion (local auth disabled): the managed identity. */
  credential?: TokenCredential;
  serviceName: string;
  serviceVersion: string;
  modules: BundledModules;
  /** console: how often metrics are printed (default 60 s). */
  exportIntervalInMs?: number;
}

export interface TelemetryHandle {
  /** Flushes and stops the exporters. */
  shutdown(): Promise<void>;
}

export function start(options: TelemetrySdkOptions): TelemetryHandle {
  const resource = resourceFromAttributes({ "service.name": options.serviceName, "service.version": options.serviceVersion });
  const stop = options.exporter === "azureMonitor" ? startAzureMonitor(options, resource) : startConsole(options, resource);
  const functions = new AzureFunctionsInstrumentationESM();
  registerInstrumentations({ instrumentations: [functions], tracerProvider: trace.getTracerProvider(), meterProvider: metrics.getMeterProvider() });
  // Instrumentations patch a module when it is `require`d by name; the bundle's copies never are, so they are
  // handed over: registerAzFunc is the Functions instrumentation's way (made for ESM), and core-tracing gets
  // OpenTelemetry's instrumenter as the distro's own bridge does for an already-loaded core-tracing.
  functions.registerAzFunc(options.modules.functions as Parameters<AzureFunctionsInstrumentationESM["registerAzFunc"]>[0]);
  options.modules.coreTracing.useInstrumenter(createOpenTelemetryInstrumenter());
  return { shutdown: stop };
}

function startAzureMonitor(options: TelemetrySdkOptions, resource: ReturnType<typeof resourceFromAttributes>): () => Promise<void> {
  useAzureMonitor({
    azureMonitorExporterOptions: {
      ...(options.connectionString ? { connectionString: options.connectionString } : {}),
      ...(options.credential ? { credential: options.credential } : {}),
    },
    resource,
    instrumentationOptions: {
      // ARM, Tables, Event Grid: spans from core-tracing (patched above), with the correlation ID (telemetryPolicy.ts).
      azureSdk: { enabled: true },
      // Outbound HTTP all goes through the Azure SDK pipelines; node's http spans would only duplicate them.
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
    },
  });
  return () => shutdownAzureMonitor();
}

function startConsole(options: TelemetrySdkOptions, resource: ReturnType<typeof resourceFromAttributes>): () => Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // The host hands each invocation its traceparent: W3C, as the distro sets up for Azure Monitor.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
  trace.setGlobalTracerProvider(tracerProvider);
  const reader = new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: options.exportIntervalInMs ?? 60_000 });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return async () => {
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
  };
}

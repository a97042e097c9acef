// The SDK half, in its console mode (the Azure Monitor mode differs only in the distro's exporters): it tells
// the host the worker sends its own telemetry, runs each invocation in the host's trace context, and gives the
// bundle's core-tracing OpenTelemetry's instrumenter.
import { trace } from "@opentelemetry/api";
import { afterAll, describe, expect, it, vi } from "vitest";
import { start, type TelemetryHandle } from "../../../../src/lib/azure/telemetrySdk";

type Hook = (context: { invocationContext: { traceContext?: { traceParent?: string; traceState?: string } }; functionHandler: () => unknown }) => void;

describe("the telemetry SDK", () => {
  const hooks: { log: unknown[]; preInvocation: Hook[] } = { log: [], preInvocation: [] };
  const functions = {
    app: {
      setup: vi.fn(),
      hook: {
        log: vi.fn((cb: unknown) => (hooks.log.push(cb), { dispose() {} })),
        preInvocation: vi.fn((cb: Hook) => (hooks.preInvocation.push(cb), { dispose() {} })),
      },
    },
    Disposable: { from: () => ({ dispose() {} }) },
  };
  const coreTracing = { useInstrumenter: vi.fn() };
  let handle: TelemetryHandle;

  afterAll(async () => {
    await handle?.shutdown();
  });

  it("enables the worker's own OpenTelemetry, registers the log and invocation hooks, and instruments the Azure SDK", () => {
    handle = start({ exporter: "console", serviceName: "test", serviceVersion: "1", modules: { functions, coreTracing }, exportIntervalInMs: 3_600_000 });
    expect(functions.app.setup).toHaveBeenCalledWith({ capabilities: { WorkerOpenTelemetryEnabled: true } });
    expect(hooks.log).toHaveLength(1);
    expect(hooks.preInvocation).toHaveLength(1);
    expect(coreTracing.useInstrumenter).toHaveBeenCalledTimes(1);
    const instrumenter = coreTracing.useInstrumenter.mock.calls[0]![0] as { startSpan: unknown; withContext: unknown };
    expect(typeof instrumenter.startSpan).toBe("function");
    expect(typeof instrumenter.withContext).toBe("function");
    expect(trace.getTracer("t").startSpan("s").isRecording()).toBe(true);
  });

  it("runs an invocation inside the trace the host started for it", () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    let seen: string | undefined;
    const invocation = {
      invocationContext: { traceContext: { traceParent: `00-${traceId}-00f067aa0ba902b7-01` } },
      functionHandler: () => {
        const span = trace.getTracer("t").startSpan("inside");
        seen = span.spanContext().traceId;
        span.end();
      },
    };
    hooks.preInvocation[0]!(invocation);
    invocation.functionHandler();
    expect(seen).toBe(traceId);
  });
});

// An in-memory OpenTelemetry metric reader for tests: collect() on demand, points flattened as
// { name, attributes, value } (sums) or { name, attributes, count, sum } (histograms).
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type SumMetricData } from "@opentelemetry/sdk-metrics";
import type { Attributes } from "@opentelemetry/api";

class InMemoryReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface Point {
  name: string;
  unit: string;
  attributes: Attributes;
  value?: number;
  count?: number;
  sum?: number;
}

export function createMetricsReader() {
  const reader = new InMemoryReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    meterProvider,
    async points(): Promise<Point[]> {
      const { resourceMetrics } = await reader.collect();
      const out: Point[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          const base = { name: metric.descriptor.name, unit: metric.descriptor.unit };
          if (metric.dataPointType === DataPointType.HISTOGRAM) {
            for (const p of (metric as HistogramMetricData).dataPoints) out.push({ ...base, attributes: p.attributes, count: p.value.count, sum: p.value.sum ?? 0 });
          } else {
            for (const p of (metric as SumMetricData).dataPoints) out.push({ ...base, attributes: p.attributes, value: p.value });
          }
        }
      }
      return out;
    },
  };
}

// Clock, IDs and logger of the use cases, with the defaults filled in once.
import { randomUUID } from "node:crypto";
import { silentLogger, type Logger } from "../logging/logger";
import { noopMetrics, type AppMetrics } from "../telemetry/metrics";
import type { ConnectionsDeps } from "./deps";

export interface Runtime {
  now(): string;
  newId(): string;
  logger: Logger;
  metrics: AppMetrics;
}

export function runtimeOf(deps: ConnectionsDeps): Runtime {
  const now = deps.now ?? (() => new Date());
  return { now: () => now().toISOString(), newId: deps.newId ?? randomUUID, logger: deps.logger ?? silentLogger, metrics: deps.metrics ?? noopMetrics };
}

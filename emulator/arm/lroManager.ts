// Generic long-running operations: Azure-AsyncOperation / Location / Retry-After headers, a timer per
// operation scaled by the clock, and the operationResults documents ARM serves while and after it runs.
import { randomUUID } from "node:crypto";
import type { ArmResponse, LroHandle, LroManager, LroStartOptions, LroStatus } from "./contract";

export interface LroRecord {
  operationId: string;
  options: LroStartOptions;
  status: LroStatus;
  startTime: Date;
  endTime: Date | undefined;
  error: { code: string; message: string } | undefined;
  /** Completes with the operation (both outcomes). */
  settled: Promise<void>;
}

export interface LroManagerOptions {
  clock: { now(): number; timeScale(): number };
  /** Asked when an operation starts: true makes it end Failed (admin API fault). */
  shouldFail(options: LroStartOptions & { path?: string }): boolean;
  /** Told when an operation ends (the front door defers Resource*Success events of async requests to it). */
  onSettled?(record: LroRecord): void;
}

export interface EmulatorLroManager extends LroManager {
  get(operationId: string): LroRecord | undefined;
  /** The operationResults document: `{id,name,status,startTime,endTime,percentComplete,error?}`. */
  toOperationResult(record: LroRecord, path: string): Record<string, unknown>;
  /** What GET on the Location URL returns: 202 while running, then the final result. */
  locationResponse(record: LroRecord): ArmResponse;
  reset(): void;
}

const INJECTED_FAILURE = { code: "InternalServerError", message: "The operation failed (injected by the emulator's fault settings)." };

export function createLroManager(options: LroManagerOptions): EmulatorLroManager {
  const operations = new Map<string, LroRecord>();
  const timers = new Set<NodeJS.Timeout>();

  /**
   * Retry-After in whole seconds (all the header can say) for the scaled time left; none when under a
   * second is left, so a scaled-down operation does not make clients wait a full second: they then poll
   * at their own interval (the SDK's default, or updateIntervalInMs), as with ARM responses that omit it.
   */
  function retryAfter(record: LroRecord): Record<string, string> {
    const scaled = record.options.durationInMs * options.clock.timeScale();
    const remaining = record.startTime.getTime() + scaled - options.clock.now();
    const seconds = Math.floor(remaining / 1000);
    return seconds >= 1 ? { "Retry-After": String(seconds) } : {};
  }

  function urls(record: LroRecord): { asyncOperation: string; location: string } {
    const o = record.options;
    const base = `${o.origin}/subscriptions/${o.subscriptionId}/providers/${o.namespace}/locations/${o.location}/operationResults/${record.operationId}?api-version=${encodeURIComponent(o.apiVersion)}`;
    return { asyncOperation: base, location: `${base}&operationResultResponseType=Location` };
  }

  return {
    start(start: LroStartOptions & { path?: string }): LroHandle {
      const operationId = randomUUID();
      let resolveSettled: () => void = () => {};
      const record: LroRecord = {
        operationId,
        options: start,
        status: "Running",
        startTime: new Date(options.clock.now()),
        endTime: undefined,
        error: undefined,
        settled: new Promise<void>((resolve) => (resolveSettled = resolve)),
      };
      operations.set(operationId, record);
      const injectedFailure = options.shouldFail(start);
      const finish = async () => {
        try {
          if (injectedFailure) throw Object.assign(new Error(INJECTED_FAILURE.message), { code: INJECTED_FAILURE.code });
          await start.complete();
          record.status = "Succeeded";
        } catch (err) {
          const e = err as { code?: unknown; message?: unknown };
          record.error = {
            code: typeof e.code === "string" ? e.code : "InternalServerError",
            message: typeof e.message === "string" ? e.message : String(err),
          };
          record.status = "Failed";
          try {
            await start.fail?.(record.error);
          } catch {
            // The failure callback only adjusts the resource's state; its own error changes nothing.
          }
        }
        record.endTime = new Date(options.clock.now());
        options.onSettled?.(record);
        resolveSettled();
      };
      const delay = Math.max(0, start.durationInMs * options.clock.timeScale());
      const timer = setTimeout(() => {
        timers.delete(timer);
        void finish();
      }, delay);
      timers.add(timer);
      const { asyncOperation, location } = urls(record);
      return {
        operationId,
        headers: {
          "Azure-AsyncOperation": asyncOperation,
          Location: location,
          ...retryAfter(record),
        },
      };
    },
    status: (id) => operations.get(id.toLowerCase())?.status ?? operations.get(id)?.status,
    get: (id) => operations.get(id) ?? [...operations.values()].find((r) => r.operationId.toLowerCase() === id.toLowerCase()),
    async drain() {
      await Promise.all([...operations.values()].map((r) => r.settled));
    },
    reset() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      operations.clear();
    },
    toOperationResult(record, path) {
      const done = record.status !== "Running";
      const elapsed = options.clock.now() - record.startTime.getTime();
      const total = Math.max(1, record.options.durationInMs * options.clock.timeScale());
      return {
        id: path,
        name: record.operationId,
        status: record.status,
        startTime: record.startTime.toISOString(),
        ...(done && record.endTime ? { endTime: record.endTime.toISOString() } : {}),
        percentComplete: done ? 100 : Math.min(99, Math.floor((elapsed / total) * 100)),
        properties: { operationKind: record.options.operationKind, operationState: record.status },
        ...(record.error ? { error: record.error } : {}),
      };
    },
    locationResponse(record) {
      if (record.status === "Running") {
        const { location } = urls(record);
        return { status: 202, headers: { Location: location, ...retryAfter(record) }, event: false };
      }
      if (record.status === "Failed" && record.error) {
        return { status: 400, body: { error: record.error }, event: false };
      }
      const final = record.options.finalResult?.() ?? { status: 204 };
      return { ...final, event: false };
    },
  };
}

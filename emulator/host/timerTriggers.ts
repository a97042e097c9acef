// Runs timer-triggered functions on their schedules (and on startup when asked), with the host's timer payload
// and retry policy; the admin endpoint uses the same payload.
import type { AppSettings } from "./appSettings";
import type { RpcTypedData } from "./coreTypes";
import { getTriggerBinding, type FunctionRegistry, type RegisteredFunction } from "./functionRegistry";
import type { HostLogger } from "./hostLogger";
import type { Invoker } from "./invoker";
import { retryDelayInMs } from "./retryPolicy";
import { createTimerSchedule, type TimerSchedule } from "./timerSchedule";

const neverRun = "0001-01-01T00:00:00";
const maxTimeoutInMs = 2 ** 31 - 1;

export interface TimerPayloadOptions {
  last?: Date;
  next: Date;
  isPastDue: boolean;
  adjustForDST: boolean;
  now?: Date;
}

/** TimerInfo as the host serialises it over RPC (PascalCase; the library camel-cases it for the handler). */
export function toTimerPayload(options: TimerPayloadOptions): RpcTypedData {
  return {
    json: JSON.stringify({
      Schedule: { AdjustForDST: options.adjustForDST },
      ScheduleStatus: {
        Last: options.last?.toISOString() ?? neverRun,
        Next: options.next.toISOString(),
        LastUpdated: (options.now ?? new Date()).toISOString(),
      },
      IsPastDue: options.isPastDue,
    }),
  };
}

export interface TimerTriggersOptions {
  registry: FunctionRegistry;
  invoker: Invoker;
  settings: AppSettings;
  logger: HostLogger;
}

export interface TimerTriggers {
  /** Runs a timer function now (admin endpoint), without touching its schedule. */
  runNow(fn: RegisteredFunction, reason: string): Promise<boolean>;
  stop(): Promise<void>;
}

export function startTimerTriggers({ registry, invoker, settings, logger }: TimerTriggersOptions): TimerTriggers {
  let stopped = false;
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  const running = new Set<Promise<unknown>>();
  const lastRun = new Map<string, Date>();
  const schedules = new Map<string, TimerSchedule>();

  // Sleeps end early on stop, so a retry delay or a far schedule never holds the shutdown.
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        sleepers.delete(t);
        resolve();
      }, Math.min(ms, maxTimeoutInMs));
      sleepers.set(t, resolve);
    });

  async function fire(fn: RegisteredFunction, schedule: TimerSchedule, scheduledFor: Date, reason: string): Promise<boolean> {
    const { name: bindingName } = getTriggerBinding(fn);
    const now = new Date();
    const payload = toTimerPayload({
      last: lastRun.get(fn.metadata.name),
      next: schedule.next(now),
      isPastDue: now.getTime() - scheduledFor.getTime() > 1000,
      adjustForDST: schedule.adjustForDST,
      now,
    });
    lastRun.set(fn.metadata.name, now);
    let retryCount = 0;
    let lastError: Error | undefined;
    for (;;) {
      const retry = fn.metadata.retryOptions;
      const outcome = await invoker.invoke(
        fn,
        {
          inputData: [{ name: bindingName, data: payload }],
          triggerMetadata: {},
          ...(retry?.retryStrategy
            ? { retryContext: { retryCount, maxRetryCount: retry.maxRetryCount ?? 0, ...(lastError ? { exception: { message: lastError.message } } : {}) } }
            : {}),
        },
        reason,
      );
      if (outcome.ok) return true;
      lastError = outcome.error;
      const delay = retryDelayInMs(retry, retryCount + 1);
      if (delay === undefined || stopped) return false;
      retryCount++;
      logger.system("warning", `Retrying 'Functions.${fn.metadata.name}' (retry ${retryCount}) in ${delay}ms.`, { functionName: fn.metadata.name });
      await sleep(delay);
    }
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    running.add(promise);
    void promise.finally(() => running.delete(promise));
    return promise;
  }

  async function loop(fn: RegisteredFunction, schedule: TimerSchedule, runOnStartup: boolean): Promise<void> {
    if (runOnStartup) await track(fire(fn, schedule, new Date(), "IsPastDue=False, RunOnStartup"));
    while (!stopped) {
      const next = schedule.next(new Date());
      // Long waits are chunked: setTimeout cannot wait more than ~24.8 days.
      while (!stopped && next.getTime() - Date.now() > 0) await sleep(next.getTime() - Date.now());
      if (stopped) return;
      await track(fire(fn, schedule, next, "Timer fired at " + new Date().toISOString()));
    }
  }

  for (const fn of registry.functions.values()) {
    const trigger = getTriggerBinding(fn);
    if (trigger.type.toLowerCase() !== "timertrigger") continue;
    const schedule = createTimerSchedule(String(trigger.binding.schedule ?? ""), settings);
    schedules.set(fn.metadata.name, schedule);
    logger.system("information", `Timer '${fn.metadata.name}' schedule '${schedule.expression}': next ${schedule.next(new Date()).toISOString()}`, {
      functionName: fn.metadata.name,
    });
    void loop(fn, schedule, trigger.binding.runOnStartup === true).catch((err: unknown) =>
      logger.system("error", `Timer '${fn.metadata.name}' stopped: ${String(err)}`, { functionName: fn.metadata.name }),
    );
  }

  return {
    runNow(fn, reason) {
      const schedule = schedules.get(fn.metadata.name) ?? createTimerSchedule(String(getTriggerBinding(fn).binding.schedule ?? ""), settings);
      return track(fire(fn, schedule, new Date(), reason));
    },
    async stop() {
      stopped = true;
      for (const [t, resolve] of sleepers) {
        clearTimeout(t);
        resolve();
      }
      sleepers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

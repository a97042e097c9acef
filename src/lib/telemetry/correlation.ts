// The correlation ID of the work in progress, carried across awaits (AsyncLocalStorage) so the ARM adapters can
// send it as `x-ms-correlation-request-id` and tag their spans without every port taking it as an argument.
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<string>();

/** Runs `work` with `correlationId` as the current one (nested scopes win until they end). */
export function withCorrelation<T>(correlationId: string, work: () => T): T {
  return scope.run(correlationId, work);
}

/** The current correlation ID; undefined outside any `withCorrelation`. */
export function currentCorrelationId(): string | undefined {
  return scope.getStore();
}

// Translates Table Storage RestErrors into AppErrors: the registry's callers see stable codes, never the
// service's bodies (which may echo keys of the request).
import { isRestError } from "@azure/core-rest-pipeline";
import { AppError } from "../errors";

export function tableStatus(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/**
 * 429/503 (server busy) → throttled "RegistryThrottled"; anything else → upstream "RegistryUnavailable".
 * `what` names the operation for the message ("saving connection ...").
 */
export function toRegistryError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const status = tableStatus(error);
  const code = isRestError(error) && error.code ? ` (${error.code})` : "";
  if (status === 429 || status === 503) {
    return new AppError("throttled", "RegistryThrottled", `Table Storage is busy ${what}${code}.`, { retryAfterInSeconds: 1, cause: error });
  }
  return new AppError("upstream", "RegistryUnavailable", `Table Storage failed ${what}: HTTP ${status ?? "error"}${code}.`, { cause: error });
}

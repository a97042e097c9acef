// Translates the Authorization SDK's RestErrors into AppErrors (stable codes; ARM's bodies are never passed on).
import { isRestError } from "@azure/core-rest-pipeline";
import { AppError } from "../errors";

export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

/**
 * 403 → forbidden "AccessReadForbidden" (the reading identity may not read role assignments at `scope`:
 * without it the app cannot prove a binding, so it must not create); 429 → throttled "AccessReadThrottled"
 * with ARM's Retry-After; anything else → upstream "AccessReadFailed".
 */
export function toAccessReadError(error: unknown, scope: string): AppError {
  if (!isRestError(error)) {
    return new AppError("upstream", "AccessReadFailed", `Reading role assignments at '${scope}' failed.`, { cause: error });
  }
  const status = error.statusCode;
  const armCode = error.code ? ` (${error.code})` : "";
  if (status === 403) {
    return new AppError(
      "forbidden",
      "AccessReadForbidden",
      `The app may not read role assignments or definitions at '${scope}'${armCode}: it needs Microsoft.Authorization/roleAssignments/read there (e.g. Reader).`,
      { cause: error },
    );
  }
  if (status === 429) {
    return new AppError("throttled", "AccessReadThrottled", `ARM throttled reading role assignments at '${scope}'.`, {
      retryAfterInSeconds: retryAfterInSeconds(error.response?.headers.get("retry-after")),
      cause: error,
    });
  }
  return new AppError("upstream", "AccessReadFailed", `Reading role assignments at '${scope}' failed with HTTP ${status ?? "error"}${armCode}.`, {
    cause: error,
    ...(status !== undefined && status >= 500 ? { retryAfterInSeconds: retryAfterInSeconds(error.response?.headers.get("retry-after")) } : {}),
  });
}

/** Retry-After is delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterInSeconds(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

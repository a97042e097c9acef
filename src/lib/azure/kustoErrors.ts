// Translates Kusto's (ARM's) RestErrors into AppErrors with stable codes. Kusto's own message is passed on
// for 400s (it tells the caller what to fix); other upstream bodies are not.
import { isRestError } from "@azure/core-rest-pipeline";
import { AppError } from "../errors";

export function isKustoNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

function retryAfterInSeconds(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * 400 → validation "KustoRejected" (Kusto's message as the problem); 401 → upstream "ArmAuthenticationFailed";
 * 403 → forbidden ("LinkedAuthorizationFailed" when the source's tenant was not vouched for by an auxiliary
 * token, else "ArmAuthorizationFailed"); 404 → notFound "KustoResourceNotFound"; 409 → conflict
 * "OperationInProgress"; 429 → throttled "KustoThrottled" with Retry-After; 5xx and the rest → upstream.
 */
export function toKustoAppError(error: unknown, what: string): AppError {
  if (!isRestError(error)) {
    return new AppError("upstream", "KustoUnavailable", `${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const status = error.statusCode ?? 0;
  const armCode = error.code ?? "Unknown";
  const retryAfter = retryAfterInSeconds(error.response?.headers.get("retry-after"));
  switch (status) {
    case 400:
      return new AppError("validation", "KustoRejected", `Kusto rejected ${what}: ${error.message}`, {
        problems: [{ code: armCode, message: error.message, path: "/properties" }],
        cause: error,
      });
    case 401:
      return new AppError("upstream", "ArmAuthenticationFailed", `ARM did not accept the app's token for ${what} (${armCode}).`, { cause: error });
    case 403:
      if (armCode === "LinkedAuthorizationFailed") {
        return new AppError(
          "forbidden",
          "LinkedAuthorizationFailed",
          `ARM refused ${what}: the source is in another tenant and no valid auxiliary token vouched for it. Set access.sourceTenantId to an allowed source tenant and configure the cross-tenant app (CROSS_TENANT_APP_CLIENT_ID, SOURCE_TENANTS).`,
          { cause: error },
        );
      }
      return new AppError("forbidden", "ArmAuthorizationFailed", `The app's identity is not authorized for ${what} (${armCode}).`, { cause: error });
    case 404:
      return new AppError("notFound", "KustoResourceNotFound", `Kusto could not find what ${what} needs (${armCode}): ${error.message}`, { cause: error });
    case 409:
      return new AppError("conflict", "OperationInProgress", `Another operation on the data connection is in progress; retry ${what} when it ends.`, {
        cause: error,
        ...(retryAfter !== undefined ? { retryAfterInSeconds: retryAfter } : {}),
      });
    case 429:
      return new AppError("throttled", "KustoThrottled", `ARM throttled ${what}.`, { cause: error, retryAfterInSeconds: retryAfter ?? 10 });
    default:
      return new AppError("upstream", "KustoUnavailable", `${what} failed with HTTP ${status} (${armCode}).`, {
        cause: error,
        ...(retryAfter !== undefined ? { retryAfterInSeconds: retryAfter } : {}),
      });
  }
}

/** Transient failures while polling: the operation goes on in Kusto, so the caller gets a resumable state. */
export function isTransient(error: unknown): boolean {
  return isRestError(error) && (error.statusCode === 429 || (error.statusCode ?? 0) >= 500 || error.statusCode === undefined);
}

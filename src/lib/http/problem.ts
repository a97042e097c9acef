// The one place errors become HTTP: RFC 9457 problem+json from AppError, with a stable `type` per code.
// Never a stack, never an upstream body: unexpected errors answer a generic 500 with the correlation ID.
import { isAppError, type AppError, type ErrorKind, type Problem } from "../errors";
import type { HttpResult } from "./httpTypes";

export const problemContentType = "application/problem+json";
const problemTypeBase = "urn:adx-connection-lifecycle:problem:";

const statusOf: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  preconditionFailed: 412,
  tooLarge: 413,
  unsupportedMediaType: 415,
  throttled: 429,
  upstream: 502,
  internal: 500,
};

const titleOf: Readonly<Record<ErrorKind, string>> = {
  validation: "The request is invalid",
  unauthorized: "Authentication is required",
  forbidden: "The caller is not allowed to do this",
  notFound: "Not found",
  conflict: "Conflict with the current state",
  preconditionFailed: "The resource changed in the meantime",
  tooLarge: "The request body is too large",
  unsupportedMediaType: "Unsupported media type",
  throttled: "Too many requests",
  upstream: "An Azure service failed",
  internal: "Internal error",
};

/** Seconds clients wait when the error does not say (Azure's own answer is preferred when there is one). */
const defaultRetryAfterInSeconds: Partial<Record<ErrorKind, number>> = { throttled: 10, upstream: 5 };

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable; clients branch on it. */
  code: string;
  /** Every problem found, with the JSON pointer of the field (validation). */
  errors?: Problem[];
  /** The request path. */
  instance?: string;
  correlationId: string;
}

export interface ProblemContext {
  correlationId: string;
  /** The request path (RFC 9457 `instance`). */
  instance?: string;
}

export function problemTypeOf(code: string): string {
  return `${problemTypeBase}${code}`;
}

export function toProblemDetails(error: unknown, context: ProblemContext): ProblemDetails {
  const known = isAppError(error) ? error : undefined;
  const kind: ErrorKind = known?.kind ?? "internal";
  const code = known?.code ?? "InternalError";
  return {
    type: problemTypeOf(code),
    title: titleOf[kind],
    status: statusOf[kind],
    detail: known ? known.message : `An unexpected error occurred. Quote correlation ID ${context.correlationId} when reporting it.`,
    code,
    ...(known && known.problems.length > 0 ? { errors: known.problems.map(({ code: c, message, path }) => ({ code: c, message, ...(path === undefined ? {} : { path }) })) } : {}),
    ...(context.instance === undefined ? {} : { instance: context.instance }),
    correlationId: context.correlationId,
  };
}

export function toProblemResponse(error: unknown, context: ProblemContext): HttpResult {
  const problem = toProblemDetails(error, context);
  const headers: Record<string, string> = {
    "content-type": problemContentType,
    "cache-control": "no-store",
    "x-correlation-id": context.correlationId,
  };
  const known = isAppError(error) ? error : undefined;
  const retryAfter = known ? (known.retryAfterInSeconds ?? defaultRetryAfterInSeconds[known.kind]) : undefined;
  if (retryAfter !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfter)));
  if (known?.kind === "unauthorized") headers["www-authenticate"] = wwwAuthenticate(known);
  return { status: problem.status, headers, body: JSON.stringify(problem) };
}

/** RFC 6750 §3: no error code when the request had no token at all; invalid_token otherwise. */
function wwwAuthenticate(error: AppError): string {
  if (error.code === "MissingToken") return "Bearer";
  const description = error.message.replace(/["\\\r\n]/g, "'");
  return `Bearer error="invalid_token", error_description="${description}"`;
}

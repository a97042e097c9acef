// Errors of the app: expected outcomes are returned as Results, unexpected ones thrown as AppError.
// One mapper (src/lib/http/problem.ts) turns them into RFC 9457 problem+json; nothing else formats errors.

export type ErrorKind =
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "notFound"
  | "conflict"
  | "preconditionFailed"
  | "tooLarge"
  | "unsupportedMediaType"
  | "throttled"
  | "upstream"
  | "internal";

/** One thing wrong with the input, with the JSON path (`/properties/consumerGroup`) where it applies. */
export interface Problem {
  code: string;
  message: string;
  path?: string;
}

export interface AppErrorOptions {
  /** Every problem found, when there are several (validation returns all of them at once). */
  problems?: Problem[];
  /** Seconds to wait before retrying (throttled/upstream). */
  retryAfterInSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly problems: Problem[];
  readonly retryAfterInSeconds: number | undefined;

  constructor(
    readonly kind: ErrorKind,
    /** Stable, documented code (e.g. "ConnectionNotFound"); clients branch on it, never on messages. */
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.problems = options.problems ?? [];
    this.retryAfterInSeconds = options.retryAfterInSeconds;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });

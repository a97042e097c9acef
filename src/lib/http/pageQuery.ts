// Paging at the HTTP boundary: `pageSize` within bounds, and the registry's continuation token carried as an
// opaque, URL-safe `continuationToken` inside an absolute `nextLink` (the caller just follows it).
import { AppError, fail, ok, type Problem, type Result } from "../errors";

export const defaultPageSize = 50;
export const maxPageSize = 200;

export interface PageRequest {
  pageSize: number;
  continuationToken?: string;
}

/** Problems point at `/query/{name}`. */
export function parsePageQuery(query: URLSearchParams): Result<PageRequest, Problem[]> {
  const problems: Problem[] = [];
  let pageSize = defaultPageSize;
  const size = query.get("pageSize");
  if (size !== null) {
    if (/^\d{1,4}$/.test(size) && Number(size) >= 1 && Number(size) <= maxPageSize) pageSize = Number(size);
    else problems.push({ code: "InvalidPageSize", message: `must be an integer from 1 to ${maxPageSize}`, path: "/query/pageSize" });
  }
  const token = query.get("continuationToken");
  let continuationToken: string | undefined;
  if (token !== null) {
    continuationToken = decodeContinuationToken(token);
    if (continuationToken === undefined) {
      problems.push({ code: "InvalidContinuationToken", message: "is not a token this API issued: follow nextLink as given", path: "/query/continuationToken" });
    }
  }
  if (problems.length > 0) return fail(problems);
  return ok({ pageSize, ...(continuationToken === undefined ? {} : { continuationToken }) });
}

export function toNextLink(requestUrl: string, continuationToken: string | undefined): string | undefined {
  if (continuationToken === undefined) return undefined;
  const url = new URL(requestUrl);
  url.searchParams.set("continuationToken", encodeContinuationToken(continuationToken));
  return url.toString();
}

export function encodeContinuationToken(token: string): string {
  return Buffer.from(token, "utf8").toString("base64url");
}

export function decodeContinuationToken(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, "base64url");
  // Round-trip check: Buffer.from ignores what is not base64url instead of failing.
  if (decoded.toString("base64url") !== encoded) return undefined;
  const text = decoded.toString("utf8");
  return Buffer.from(text, "utf8").equals(decoded) ? text : undefined;
}

export function invalidQuery(problems: Problem[]): AppError {
  return new AppError("validation", "InvalidRequest", `The query has ${problems.length} problem${problems.length === 1 ? "" : "s"}.`, { problems });
}

// One page of a table query, with the Tables SDK's own continuation token passed through as the opaque
// token (base64 JSON of the next partition and row keys), checked before use since callers send it back.
import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { AppError } from "../errors";
import { toRegistryError } from "./tableErrors";

/** Table Storage returns at most 1,000 entities per request. */
export const MAX_PAGE_SIZE = 1000;
/** Pages the service returns empty (with a token) that are skipped before answering with an empty page. */
const MAX_EMPTY_PAGES = 5;

export function readContinuationToken(token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9+/=_-]+$/.test(token) ? JSON.parse(Buffer.from(token, "base64").toString("utf8")) : undefined;
  } catch {
    parsed = undefined;
  }
  const ok =
    typeof parsed === "object" &&
    parsed !== null &&
    typeof (parsed as { nextPartitionKey?: unknown }).nextPartitionKey === "string" &&
    ["string", "undefined"].includes(typeof (parsed as { nextRowKey?: unknown }).nextRowKey);
  if (!ok) throw new AppError("validation", "InvalidContinuationToken", "The continuation token is not one this API issued.");
  return token;
}

export async function readPage<T extends object = Record<string, unknown>>(
  client: TableClient,
  filter: string | undefined,
  pageSize: number,
  continuationToken: string | undefined,
  what: string,
): Promise<{ items: TableEntityResult<T>[]; continuationToken?: string }> {
  const size = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(pageSize)));
  try {
    const pages = client
      .listEntities<T>(filter === undefined ? {} : { queryOptions: { filter } })
      .byPage({ maxPageSize: size, ...(continuationToken ? { continuationToken } : {}) });
    let empty = 0;
    for await (const page of pages) {
      // The service may answer a filtered query with an empty page and a token: look further, within reason.
      if (page.length > 0 || !page.continuationToken || ++empty > MAX_EMPTY_PAGES) {
        return { items: [...page], ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
      }
    }
    return { items: [] };
  } catch (error) {
    throw toRegistryError(error, what);
  }
}

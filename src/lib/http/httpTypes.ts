// The slice of an HTTP request and response the API code needs: @azure/functions' HttpRequest satisfies
// HttpRequestLike and HttpResult is a valid HttpResponseInit, so src/lib stays free of the Functions runtime.
import type { ReadableStream } from "node:stream/web";

export interface HttpRequestLike {
  readonly method: string;
  /** Absolute URL as the host received it. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: ReadableStream | null;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON (problem+json or application/json); absent for 204. */
  body?: string;
}

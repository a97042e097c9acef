// Reads a JSON request body defensively: 413 over the limit (from Content-Length, and while reading, so a
// lying or absent length cannot get past it), 415 unless application/json, 400 for empty or malformed JSON.
import { AppError, fail, ok, type Result } from "../errors";
import type { HttpRequestLike } from "./httpTypes";

export const maxBodyBytes = 64 * 1024;

export interface ReadJsonBodyOptions {
  maxBytes?: number;
}

export async function readJsonBody(request: Pick<HttpRequestLike, "headers" | "body">, options: ReadJsonBodyOptions = {}): Promise<Result<unknown>> {
  const maxBytes = options.maxBytes ?? maxBodyBytes;
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) return fail(tooLarge(maxBytes));
  const mediaType = checkMediaType(request.headers.get("content-type"));
  if (!mediaType.ok) return mediaType;

  const bytes = await readAtMost(request.body, maxBytes);
  if (bytes === undefined) return fail(tooLarge(maxBytes));
  if (bytes.length === 0) return fail(new AppError("validation", "MissingBody", "The request needs a JSON body."));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail(new AppError("validation", "MalformedJson", "The body is not valid UTF-8."));
  }
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (error) {
    const reason = error instanceof SyntaxError ? `: ${error.message.slice(0, 200)}` : "";
    return fail(new AppError("validation", "MalformedJson", `The body is not valid JSON${reason}.`));
  }
}

/** `application/json`, optionally with `charset=utf-8` (any case, any spacing). */
export function checkMediaType(contentType: string | null): Result<void> {
  const refuse = () =>
    fail(new AppError("unsupportedMediaType", "UnsupportedMediaType", "The body must be JSON: send Content-Type: application/json."));
  if (contentType === null) return refuse();
  const [type, ...params] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return refuse();
  for (const param of params) {
    if (param === "") continue;
    const [name, value] = param.split("=", 2).map((s) => s.trim().replace(/^"|"$/g, ""));
    if (name === "charset" && value !== "utf-8" && value !== "utf8") {
      return fail(new AppError("unsupportedMediaType", "UnsupportedCharset", "The body must be UTF-8 JSON (charset=utf-8)."));
    }
  }
  return ok(undefined);
}

/** The whole body, or undefined as soon as it exceeds `maxBytes` (the rest is not read). */
async function readAtMost(body: HttpRequestLike["body"], maxBytes: number): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array | string };
      if (done) break;
      const chunk = typeof value === "string" ? new TextEncoder().encode(value) : (value ?? new Uint8Array(0));
      total += chunk.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(chunk);
    }
  } finally {
    reader.releaseLock();
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("tooLarge", "PayloadTooLarge", `The body is larger than ${maxBytes} bytes.`);
}

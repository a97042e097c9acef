// Drives the HTTP handlers in-process as a deployment pipeline would: send, follow a 202's Location until the
// operation ends, honour Retry-After (scaled down) on 409/412/429/5xx, and send again until the request
// settles. Every response is kept, so a test can assert each was a clean problem+json.
import { HttpRequest, InvocationContext, type HttpHandler } from "@azure/functions";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** The raw body text (problem+json or JSON), for scans. */
  text: string | undefined;
}

export interface RequestInit {
  method: string;
  path: string;
  params: Record<string, string>;
  token?: string;
  json?: unknown;
  headers?: Record<string, string>;
  rawBody?: string;
  query?: Record<string, string>;
}

export const origin = "https://func-adx-lifecycle.azurewebsites.net";

export async function send(handler: HttpHandler, init: RequestInit): Promise<Answer> {
  const url = new URL(`${origin}${init.path}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const body = init.rawBody ?? (init.json === undefined ? undefined : JSON.stringify(init.json));
  const request = new HttpRequest({
    url: url.toString(),
    method: init.method,
    params: init.params,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    ...(body !== undefined ? { body: { string: body } } : {}),
  });
  const context = new InvocationContext({ functionName: "reliability", logHandler: () => undefined });
  const response = await handler(request, context);
  if (!response || "arrayBuffer" in response) throw new Error("handlers return HttpResponseInit");
  const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const text = typeof response.body === "string" ? response.body : undefined;
  return { status: response.status ?? 200, headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
}

export interface Settled {
  final: Answer;
  /** Requests of the operation itself (not the operation polls). */
  attempts: number;
  /** Every answer, operation polls included, as "status code" (code for problems). */
  trail: string[];
  answers: Answer[];
  timeInMs: number;
}

export interface SettleOptions {
  maxAttempts?: number;
  /** Retry-After seconds × this = the pause in ms (default 20: a 1 s Retry-After waits 20 ms). */
  retryAfterScaleInMs?: number;
  /** The operations route, to follow a 202's Location. */
  getOperation: HttpHandler;
  token: string;
  /** Called after each answer of the operation itself (e.g. to end an outage after the first failure). */
  onAnswer?: (answer: Answer, attempt: number) => void;
}

const retryable = new Set([409, 412, 429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const describeAnswer = (a: Answer) => (a.status >= 400 ? `${a.status} ${String(a.body?.code ?? "(no code)")}` : String(a.status));

export async function settle(handler: HttpHandler, init: RequestInit, options: SettleOptions): Promise<Settled> {
  const started = performance.now();
  const max = options.maxAttempts ?? 12;
  const scale = options.retryAfterScaleInMs ?? 20;
  const answers: Answer[] = [];
  let attempts = 0;
  let last: Answer | undefined;
  while (attempts < max) {
    attempts += 1;
    last = await send(handler, init);
    answers.push(last);
    options.onAnswer?.(last, attempts);
    if (last.status === 202 && last.headers.location) {
      await followOperation(last.headers.location, options, answers, scale);
      continue;
    }
    if (!retryable.has(last.status)) break;
    await sleep(Number(last.headers["retry-after"] ?? "1") * scale);
  }
  return { final: last!, attempts, trail: answers.map(describeAnswer), answers, timeInMs: Math.round(performance.now() - started) };
}

async function followOperation(location: string, options: SettleOptions, answers: Answer[], scale: number): Promise<void> {
  const id = decodeURIComponent(new URL(location).pathname.split("/").pop() ?? "");
  for (let poll = 0; poll < 50; poll++) {
    const answer = await send(options.getOperation, { method: "GET", path: `/api/operations/${encodeURIComponent(id)}`, params: { id }, token: options.token });
    answers.push(answer);
    if (answer.status !== 200 || answer.body?.status !== "Running") return;
    await sleep(Number(answer.headers["retry-after"] ?? "1") * scale);
  }
}

/** A refusal is clean when it is problem+json with a stable code and no stack or upstream body. */
export function uncleanAnswers(answers: readonly Answer[]): string[] {
  return answers
    .filter((a) => a.status >= 400)
    .filter((a) => a.headers["content-type"] !== "application/problem+json" || typeof a.body?.code !== "string" || a.body.code === "" || /\n\s+at /.test(a.text ?? ""))
    .map((a) => `${a.status} ${a.headers["content-type"]} ${a.text?.slice(0, 200)}`);
}

// What the Event Grid extension's webhook (/runtime/webhooks/eventgrid) does with a request, as a pure decision:
// EventGridExtensionConfigProvider + HttpRequestProcessor in Microsoft.Azure.WebJobs.Extensions.EventGrid.

export interface EventGridWebhookRequest {
  method: string;
  functionName: string | undefined;
  functionExists: boolean;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type EventGridWebhookDecision = { kind: "reply"; reply: WebhookReply } | { kind: "dispatch"; events: unknown[] };

export function decideEventGridRequest(request: EventGridWebhookRequest): EventGridWebhookDecision {
  const reply = (status: number, body?: string, headers?: Record<string, string>): EventGridWebhookDecision => ({
    kind: "reply",
    reply: { status, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) },
  });
  if (!request.functionName || !request.functionExists) {
    return reply(404, `cannot find function: '${request.functionName ?? ""}'`);
  }
  if (request.method.toUpperCase() === "OPTIONS") {
    // CloudEvents v1.0 webhook abuse protection: allow the origin that asks, and any rate when a rate is asked.
    const origin = request.headers["webhook-request-origin"];
    if (!origin) return reply(400, "Invalid CloudEvents validation request: missing 'WebHook-Request-Origin'.");
    const headers: Record<string, string> = { "WebHook-Allowed-Origin": origin };
    if (request.headers["webhook-request-rate"] !== undefined) headers["WebHook-Allowed-Rate"] = "*";
    return reply(200, undefined, headers);
  }
  if (request.method.toUpperCase() !== "POST") return reply(405);

  const eventType = request.headers["aeg-event-type"]?.toLowerCase();
  if (eventType === "subscriptionvalidation") {
    const code = readValidationCode(parseJson(request.body));
    if (code === undefined) return reply(400, "The request content has no validation code.");
    return reply(200, JSON.stringify({ validationResponse: code }), { "content-type": "text/plain; charset=utf-8" });
  }
  if (eventType === "notification") {
    const parsed = parseJson(request.body);
    if (Array.isArray(parsed)) return { kind: "dispatch", events: parsed };
    if (isObject(parsed)) return { kind: "dispatch", events: [parsed] };
    return reply(400, "The request content should be parseable into a JSON object or array.");
  }
  if (eventType === "unsubscribe") return reply(202);
  return reply(400);
}

/** The webhook's answer once every event was dispatched: 202, or 500 with the first failure's message. */
export function replyToDispatch(outcomes: ReadonlyArray<{ ok: true } | { ok: false; message: string }>): WebhookReply {
  const failure = outcomes.find((o): o is { ok: false; message: string } => !o.ok);
  return failure ? { status: 500, body: failure.message } : { status: 202 };
}

function readValidationCode(payload: unknown): string | undefined {
  if (Array.isArray(payload)) {
    const first: unknown = payload[0];
    const data = isObject(first) ? first.data : undefined;
    return isObject(data) && data.validationCode !== undefined ? String(data.validationCode) : undefined;
  }
  if (isObject(payload)) {
    // A CloudEvent-shaped validation event carries its data double-encoded.
    const data = typeof payload.data === "string" ? parseJson(payload.data) : payload.data;
    return isObject(data) && data.validationCode !== undefined ? String(data.validationCode) : undefined;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

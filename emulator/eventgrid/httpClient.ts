// The outbound HTTP(S) call Event Grid makes to an endpoint (handshakes and deliveries), with a hard
// timeout and the emulator's CA trusted in addition to the system roots.
import http from "node:http";
import https from "node:https";
import { rootCertificates } from "node:tls";

export interface OutboundRequest {
  method: "POST" | "OPTIONS";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutInMs: number;
  /** Extra CA certificates (PEM) to trust, such as the emulator's own. */
  ca?: string | string[];
}

export interface OutboundResponse {
  /** Undefined when no response arrived (timeout, refused connection). */
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  timedOut: boolean;
  error?: string;
}

export function sendRequest(req: OutboundRequest): Promise<OutboundResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: OutboundResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      resolve({ status: undefined, headers: {}, body: "", timedOut: false, error: `invalid URL ${req.url}` });
      return;
    }
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
    const extraCa = req.ca === undefined ? [] : Array.isArray(req.ca) ? req.ca : [req.ca];
    const options: https.RequestOptions = { method: req.method, headers, agent: false };
    if (url.protocol === "https:" && extraCa.length > 0) options.ca = [...rootCertificates, ...extraCa];
    const client = url.protocol === "https:" ? https : http;
    const outgoing = client.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), timedOut: false }));
      res.on("error", (e) => done({ status: res.statusCode, headers: res.headers, body: "", timedOut: false, error: e.message }));
    });
    const timer = setTimeout(() => {
      done({ status: undefined, headers: {}, body: "", timedOut: true, error: `no response within ${req.timeoutInMs} ms` });
      outgoing.destroy();
    }, req.timeoutInMs);
    outgoing.on("error", (e) => done({ status: undefined, headers: {}, body: "", timedOut: false, error: e.message }));
    outgoing.end(req.body);
  });
}

// Correlation ID of a request: the caller's (x-correlation-id, or ARM's x-ms-correlation-request-id) when it
// is a safe token, else a new one. It ends up in logs, the journal and every problem.
import { randomUUID } from "node:crypto";

const safeId = /^[A-Za-z0-9._:-]{1,128}$/;

export function getCorrelationId(headers: { get(name: string): string | null }): string {
  for (const name of ["x-correlation-id", "x-ms-correlation-request-id"]) {
    const value = headers.get(name)?.trim();
    // Anything else could smuggle line breaks or huge values into logs: replace it.
    if (value && safeId.test(value)) return value;
  }
  return randomUUID();
}

// Test and benchmark helpers over the emulator's admin API: the request log, callers' tokens.
import { httpsJson } from "./httpsJson";

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  action?: string;
  principal?: { objectId: string; tenantId: string; appId?: string };
  auxiliaryTenants?: string[];
}

interface AdminTarget {
  adminUrl: string;
  caPem: string;
}

/** The emulator's request log, optionally only requests whose path contains `path`. */
export async function loggedRequests(target: AdminTarget, query: { path?: string; method?: string } = {}): Promise<LoggedRequest[]> {
  const params = new URLSearchParams();
  if (query.path) params.set("path", query.path);
  if (query.method) params.set("method", query.method);
  const { body } = await httpsJson(`${target.adminUrl}/requests?${params}`, { ca: target.caPem });
  return (Array.isArray(body) ? body : (body as { value: LoggedRequest[] }).value) as LoggedRequest[];
}

/** A caller's token as Entra would issue it (roles from the principal's app roles), via the admin API. */
export async function mintToken(target: AdminTarget, objectId: string, audience: string): Promise<string> {
  const res = await httpsJson(`${target.adminUrl}/tokens`, { ca: target.caPem, method: "POST", body: { objectId, audience } });
  if (res.status !== 200) throw new Error(`minting a token for ${objectId} failed: ${res.status}`);
  return (res.body as { accessToken: string }).accessToken;
}

/** The admin target of a running stack. */
export const adminOf = (stack: { adminUrl: string; emulator: { caPem: string } }): AdminTarget => ({ adminUrl: stack.adminUrl, caPem: stack.emulator.caPem });

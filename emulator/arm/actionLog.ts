// The ARM action log: one JSON line per authorized action, appended to a file, so the least-privilege check
// (scripts/checkLeastPrivilege.ts) can compare what the app's identities really did with its custom role.
import { appendFileSync } from "node:fs";

export interface AuthorizedAction {
  time: string;
  principal: { objectId: string; tenantId: string | undefined };
  action: string;
  scope: string;
  kind: "action" | "dataAction";
  /**
   * `request`: the route's action, RBAC-checked; `authenticatedOnly`: a route ARM serves to any valid token
   * (operation lists, LRO polling), so no role needs it; `linked`: a provider's check on a linked resource
   * (Kusto's key-mode check that the caller may list a source's keys).
   */
  via: "request" | "authenticatedOnly" | "linked";
  method: string | undefined;
}

export type ActionRecorder = (entry: AuthorizedAction) => void;

/** Appends synchronously: vitest workers share the file, and a short O_APPEND write lands whole. */
export function createActionLogFile(path: string): ActionRecorder {
  return (entry) => appendFileSync(path, JSON.stringify(entry) + "\n");
}

// Coalesces concurrent role-assignment reads of one principal in one subscription (a revocation storm reads
// the same principal's assignments for many sources at once; ARM's read bucket is 250 + 25/s per subscription
// and principal). A lone request is read as is. While a read is in flight, further requests for that principal
// and subscription wait; when it ends, ONE read at their scopes' nearest common ancestor, with the assignments
// below it (ARM's assignedTo() answers at, above and below a scope), serves them all, each getting what applies
// at its own scope. Every request is answered by a read that started after it was made: nothing is served from
// before the request (revocation must see live state), only shared.
import { normalizeScope, scopeCovers } from "./evaluateAccess";
import type { AccessReader, RoleAssignmentInfo } from "./ports";
import type { PrincipalRef } from "../connections/model";

interface Waiter {
  scope: string;
  resolve(assignments: RoleAssignmentInfo[]): void;
  reject(error: unknown): void;
}

interface Lane {
  key: string;
  principal: PrincipalRef;
  inFlight: boolean;
  waiting: Waiter[];
}

const SUBSCRIPTION = /^\/subscriptions\/[^/]+/;

export function createCoalescingAccessReader(inner: AccessReader): AccessReader {
  const lanes = new Map<string, Lane>();

  function read(lane: Lane, batch: Waiter[]): void {
    lane.inFlight = true;
    const scopes = [...new Set(batch.map((w) => normalizeScope(w.scope)))];
    const one = scopes.length === 1;
    // One scope: exactly the request (at or above it). Several: their common ancestor, with what lies below it.
    const listing = one ? inner.listAssignments(lane.principal, batch[0]!.scope) : inner.listAssignments(lane.principal, commonAncestorScope(scopes), { below: true });
    listing.then(
      (assignments) => {
        for (const w of batch) w.resolve(one ? assignments : assignments.filter((a) => scopeCovers(a.scope, w.scope)));
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    ).finally(() => {
      lane.inFlight = false;
      const next = lane.waiting.splice(0);
      if (next.length > 0) read(lane, next);
      else lanes.delete(lane.key);
    });
  }

  return {
    getRoleDefinition: (principal, roleDefinitionId) => inner.getRoleDefinition(principal, roleDefinitionId),
    getRoleAssignment: (tenantId, roleAssignmentId) => inner.getRoleAssignment(tenantId, roleAssignmentId),
    listAssignments(principal, scope, options) {
      const subscription = SUBSCRIPTION.exec(normalizeScope(scope))?.[0];
      // Above a subscription (or an explicit wide read) there is nothing to share safely: read as asked.
      if (!subscription || options?.below) return inner.listAssignments(principal, scope, options);
      const key = `${principal.tenantId}|${principal.objectId}|${subscription}`.toLowerCase();
      let lane = lanes.get(key);
      if (!lane) {
        lane = { key, principal, inFlight: false, waiting: [] };
        lanes.set(key, lane);
      }
      const current = lane;
      return new Promise<RoleAssignmentInfo[]>((resolve, reject) => {
        const waiter = { scope, resolve, reject };
        if (current.inFlight) current.waiting.push(waiter);
        else read(current, [waiter]);
      });
    },
  };
}

/**
 * The deepest ARM scope that is an ancestor (or self) of every scope given, all under one subscription:
 * the subscription, a resource group, or a resource (`.../providers/{namespace}/{type}/{name}[/{type}/{name}]...`).
 */
export function commonAncestorScope(scopes: readonly string[]): string {
  const split = scopes.map((s) => normalizeScope(s).split("/").slice(1));
  const first = split[0] ?? [];
  let common = 0;
  while (common < first.length && split.every((parts) => parts[common] === first[common])) common++;
  // A prefix can end mid-pair (".../namespaces"): climb to the nearest length that names a scope.
  const isScope = (n: number) => n === 2 || (first[2] === "resourcegroups" && (n === 4 || (n >= 8 && n % 2 === 0 && first[4] === "providers")));
  while (common > 2 && !isScope(common)) common--;
  return `/${first.slice(0, Math.max(2, common)).join("/")}`;
}

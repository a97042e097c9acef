// Coalesces concurrent role-assignment reads of one principal in one subscription (a revocation storm reads
// the same principal's assignments for many sources at once; ARM's read bucket is 250 + 25/s per subscription
// and principal). A lone request is read as is. While a read is in flight, further requests for that principal
// and subscription wait; when it ends, ONE read at their scopes' nearest common ancestor, with the assignments
// below it (ARM's assignedTo() answers at, above and below a scope), serves them all, each getting what applies
// at its own scope. Every request is answered by a read that started after it was made: nothing is served from
// before the request (revocation must see live state), only shared.
import { createKeyedCoalescer } from "../keyedCoalescer";
import { normalizeScope, scopeCovers } from "./evaluateAccess";
import type { AccessReader, RoleAssignmentInfo } from "./ports";
import type { PrincipalRef } from "../connections/model";

const SUBSCRIPTION = /^\/subscriptions\/[^/]+/;

export function createCoalescingAccessReader(inner: AccessReader): AccessReader {
  // Keyed by principal and subscription, so every request of a batch has the same principal.
  const lanes = createKeyedCoalescer<{ principal: PrincipalRef; scope: string }, RoleAssignmentInfo[]>(async (_key, batch) => {
    const principal = batch[0]!.principal;
    const scopes = [...new Set(batch.map((r) => normalizeScope(r.scope)))];
    // One scope: exactly the request (at or above it). Several: their common ancestor, with what lies below it.
    if (scopes.length === 1) {
      const assignments = await inner.listAssignments(principal, batch[0]!.scope);
      return () => assignments;
    }
    const assignments = await inner.listAssignments(principal, commonAncestorScope(scopes), { below: true });
    return (request) => assignments.filter((a) => scopeCovers(a.scope, request.scope));
  });

  return {
    getRoleDefinition: (principal, roleDefinitionId) => inner.getRoleDefinition(principal, roleDefinitionId),
    getRoleAssignment: (tenantId, roleAssignmentId) => inner.getRoleAssignment(tenantId, roleAssignmentId),
    listAssignments(principal, scope, options) {
      const subscription = SUBSCRIPTION.exec(normalizeScope(scope))?.[0];
      // Above a subscription (or an explicit wide read) there is nothing to share safely: read as asked.
      if (!subscription || options?.below) return inner.listAssignments(principal, scope, options);
      return lanes.request(`${principal.tenantId}|${principal.objectId}|${subscription}`.toLowerCase(), { principal, scope });
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

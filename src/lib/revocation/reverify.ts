// Live re-evaluation of the candidates' access (DESIGN §4 step 4): one verify() per distinct principal over
// the union of its connections' requirements, so each (principal, scope) is read once; then a pure decision
// per connection: access lost, or kept through the grants found now.
import { normalizeScope } from "../access/evaluateAccess";
import type { AccessVerifier } from "../connections/deps";
import type { ManagedConnection, Requirement, RequirementStatus } from "../connections/model";

/** `requirements`: every requirement of the connection with the grants found now (whether or not access is lost). */
export type AccessDecision =
  | { connection: ManagedConnection; lost: true; missing: Requirement[]; requirements: RequirementStatus[] }
  | { connection: ManagedConnection; lost: false; requirements: RequirementStatus[] };

const requirementKey = (r: Requirement) => `${normalizeScope(r.scope)}|${r.permission.toLowerCase()}|${r.permissionKind}`;
const principalKey = (c: ManagedConnection) => `${c.binding.principal.tenantId}|${c.binding.principal.objectId}`.toLowerCase();

/** Pure: a connection keeps access only if every one of its requirements is granted now. */
export function decideAccess(connection: ManagedConnection, live: ReadonlyMap<string, RequirementStatus>): AccessDecision {
  const statuses = connection.binding.requirements.map((r) => live.get(requirementKey(r.requirement)) ?? { requirement: r.requirement, granted: false, grants: [] });
  // Each connection's own requirement objects (source names), with the grants found now.
  const requirements = statuses.map((s, i) => ({ ...s, requirement: connection.binding.requirements[i]?.requirement ?? s.requirement }));
  const missing = requirements.filter((s) => !s.granted).map((s) => s.requirement);
  return missing.length > 0 ? { connection, lost: true, missing, requirements } : { connection, lost: false, requirements };
}

export async function reverifyAccess(verifier: AccessVerifier, connections: readonly ManagedConnection[]): Promise<AccessDecision[]> {
  const byPrincipal = new Map<string, ManagedConnection[]>();
  for (const c of connections) byPrincipal.set(principalKey(c), [...(byPrincipal.get(principalKey(c)) ?? []), c]);
  const decisions = await Promise.all(
    [...byPrincipal.values()].map(async (group) => {
      const unique = new Map<string, Requirement>();
      for (const c of group) for (const r of c.binding.requirements) unique.set(requirementKey(r.requirement), r.requirement);
      const first = group[0] as ManagedConnection;
      const statuses = await verifier.verify(first.binding.principal, [...unique.values()]);
      const live = new Map(statuses.map((s) => [requirementKey(s.requirement), s]));
      return group.map((c) => decideAccess(c, live));
    }),
  );
  return decisions.flat();
}

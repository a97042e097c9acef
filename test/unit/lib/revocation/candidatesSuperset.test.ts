// Why revocation reads only the source index for a deleted role assignment (findCandidates.ts): every
// connection whose binding records the assignment as a grant has a source at or under the assignment's
// scope, so the source-scope lookup already holds every grant-index hit. A grant is recorded only when its
// scope covers a requirement's scope (evaluateAccess), and a requirement's scope is one of the connection's
// sources or an ancestor of it (requirementsFor climbs from the source). This test checks that chain over
// every kind and mode with random sources and random grant scopes above them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scopeCovers } from "../../../../src/lib/access/evaluateAccess";
import { requirementsFor, supportedAuthModes } from "../../../../src/lib/access/requirementsFor";
import { sourceResourceIdsOf, type ConnectionKey, type DataConnectionSpec } from "../../../../src/lib/connections/model";
import { inKeyRanges, sourceIndexKeys, sourceScopeQuery } from "../../../../src/lib/registry/registryKeys";
import { validBody } from "../schema/arbitraries";

const key: ConnectionKey = { subscriptionId: "11111111-2222-4222-8222-222222222222", resourceGroup: "rg", cluster: "c", database: "d", name: "n" };

/** The scopes at or above `scope` that a role assignment can have: the scope's resource ancestors, its RG, its subscription, a management group, the root. */
function ancestorsOf(scope: string): string[] {
  const parts = scope.split("/").slice(1);
  const out = ["/", "/providers/Microsoft.Management/managementGroups/mg1"];
  for (let n = 2; n <= parts.length; n++) {
    const isScope = n === 2 || (parts[2]?.toLowerCase() === "resourcegroups" && (n === 4 || (n >= 8 && n % 2 === 0)));
    if (isScope) out.push(`/${parts.slice(0, n).join("/")}`);
  }
  return out;
}

describe("source-scope candidates contain every grant-index hit", () => {
  it("for every kind, mode, source and grant scope above a requirement (property)", () => {
    fc.assert(
      fc.property(validBody, fc.nat(), fc.boolean(), (body, pick, upper) => {
        const spec = body as unknown as DataConnectionSpec;
        const sources = sourceResourceIdsOf(spec);
        const rows = sources.map((s) => sourceIndexKeys(s, key));
        for (const mode of supportedAuthModes(spec.kind)) {
          for (const requirement of requirementsFor(spec, mode)) {
            const candidates = ancestorsOf(requirement.scope);
            const grantScope = (upper ? candidates.map((c) => c.toUpperCase()) : candidates)[pick % candidates.length] as string;
            // The grant is one evaluateAccess would record for this requirement.
            expect(scopeCovers(grantScope, requirement.scope)).toBe(true);
            const query = sourceScopeQuery(grantScope);
            const found =
              query.kind === "unresolvable" ||
              rows.some((r) => r.partitionKey === query.partitionKey && (query.kind === "subscription" || inKeyRanges(r.rowKey, query.ranges)));
            expect(found, `${mode} ${requirement.source}: grant at ${grantScope}`).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

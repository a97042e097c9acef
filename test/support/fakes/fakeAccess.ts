// Access fakes: a verifier over a table of grants (principal × scope × permission → role assignment), and
// an access policy that allows everything unless told otherwise.
import type { AccessPolicy, Caller, PolicyRequest } from "../../../src/lib/auth/caller";
import type { AccessVerifier } from "../../../src/lib/connections/deps";
import { AppError, fail, ok, type Result } from "../../../src/lib/errors";
import { normalizeResourceId, type PrincipalRef, type Requirement, type RequirementStatus } from "../../../src/lib/connections/model";

export interface FakeGrant {
  principalObjectId: string;
  /** The requirement's scope or an ancestor of it. */
  scope: string;
  /** Exact permission, or "*" for any. */
  permission: string;
  roleAssignmentId: string;
}

export interface FakeVerifier extends AccessVerifier {
  grants: FakeGrant[];
  readonly calls: { principal: PrincipalRef; requirements: Requirement[] }[];
  /** Makes verify throw (e.g. the source's tenant cannot be read). */
  failWith?: Error;
}

const covers = (scope: string, target: string) => {
  const s = normalizeResourceId(scope);
  const t = normalizeResourceId(target);
  return t === s || t.startsWith(`${s}/`);
};

export function createFakeVerifier(grants: FakeGrant[] = []): FakeVerifier {
  const verifier: FakeVerifier = {
    grants,
    calls: [],
    async verify(principal, requirements): Promise<RequirementStatus[]> {
      verifier.calls.push({ principal: structuredClone(principal), requirements: structuredClone(requirements) });
      if (verifier.failWith) throw verifier.failWith;
      return requirements.map((requirement) => {
        const matching = verifier.grants.filter(
          (g) =>
            g.principalObjectId.toLowerCase() === principal.objectId.toLowerCase() &&
            covers(g.scope, requirement.scope) &&
            (g.permission === "*" || g.permission.toLowerCase() === requirement.permission.toLowerCase()),
        );
        return {
          requirement,
          granted: matching.length > 0,
          grants: matching.map((g) => ({
            roleAssignmentId: g.roleAssignmentId,
            roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/fake",
            scope: g.scope,
            assigneeObjectId: g.principalObjectId,
          })),
        };
      });
    },
  };
  return verifier;
}

export interface FakePolicy extends AccessPolicy {
  readonly requests: PolicyRequest[];
  /** Return a refusal for requests this matches. */
  deny?: (caller: Caller, request: PolicyRequest) => string | undefined;
}

export function createFakePolicy(): FakePolicy {
  const policy: FakePolicy = {
    requests: [],
    authorize(caller, request): Result<void> {
      policy.requests.push(structuredClone(request));
      const refusal = policy.deny?.(caller, request);
      return refusal ? fail(new AppError("forbidden", refusal, `Policy refuses: ${refusal}`)) : ok(undefined);
    },
  };
  return policy;
}

// Access verifiers scoped to an audit run: assignments cached for the run, role definitions shared by every
// run, so each distinct (principal, scope) is read once per run on this instance, whatever the shard.
import type { AccessReader } from "../access/ports";
import { createAccessVerifier, createRoleDefinitionCache, type AccessVerifier } from "../access/verifyAccess";

export interface RunVerifiersOptions {
  reader: AccessReader;
  /** How long a run's assignment reads stay valid (its expected duration); default 30 min. */
  runTtlInMs?: number;
  /** Runs kept at once (older ones dropped); default 4. */
  maxRuns?: number;
}

export function createRunVerifiers(options: RunVerifiersOptions): (runId: string) => AccessVerifier {
  const roleDefinitions = createRoleDefinitionCache();
  const runs = new Map<string, AccessVerifier>();
  const maxRuns = options.maxRuns ?? 4;
  return (runId) => {
    let verifier = runs.get(runId);
    if (!verifier) {
      verifier = createAccessVerifier({ reader: options.reader, roleDefinitions, assignmentTtlInMs: options.runTtlInMs ?? 30 * 60_000 });
      runs.set(runId, verifier);
      while (runs.size > maxRuns) runs.delete(runs.keys().next().value as string);
    }
    return verifier;
  };
}

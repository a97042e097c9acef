// Counts (and optionally reports) the calls made through an AccessReader: the audit and the benchmarks
// measure ARM calls per operation with it, and tests prove the verifier's sharing and caching.
import type { AccessReader } from "./ports";

export type AccessReaderOperation = "listAssignments" | "getRoleDefinition" | "getRoleAssignment";

export type AccessReaderCallCounts = Record<AccessReaderOperation, number>;

export interface CountingAccessReader {
  reader: AccessReader;
  /** Live counts since creation or the last reset(). */
  readonly counts: Readonly<AccessReaderCallCounts>;
  total(): number;
  reset(): void;
}

/** Wraps `inner`; `onCall` hears every call (operation and its key argument) as it starts. */
export function createCountingAccessReader(
  inner: AccessReader,
  onCall?: (operation: AccessReaderOperation, subject: string) => void,
): CountingAccessReader {
  const counts: AccessReaderCallCounts = { listAssignments: 0, getRoleDefinition: 0, getRoleAssignment: 0 };
  const note = (operation: AccessReaderOperation, subject: string) => {
    counts[operation] += 1;
    onCall?.(operation, subject);
  };
  return {
    counts,
    total: () => counts.listAssignments + counts.getRoleDefinition + counts.getRoleAssignment,
    reset() {
      counts.listAssignments = 0;
      counts.getRoleDefinition = 0;
      counts.getRoleAssignment = 0;
    },
    reader: {
      listAssignments(principal, scope, options) {
        note("listAssignments", scope);
        return inner.listAssignments(principal, scope, options);
      },
      getRoleDefinition(principal, roleDefinitionId) {
        note("getRoleDefinition", roleDefinitionId);
        return inner.getRoleDefinition(principal, roleDefinitionId);
      },
      getRoleAssignment(tenantId, roleAssignmentId) {
        note("getRoleAssignment", roleAssignmentId);
        return inner.getRoleAssignment(tenantId, roleAssignmentId);
      },
    },
  };
}

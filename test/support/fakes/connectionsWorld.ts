// A whole set of fakes wired into ConnectionsDeps, on IDs shaped like the demo world's: the app's tenant A,
// a cluster with a system identity and one user-assigned identity, sources in A and a partner tenant B.
import type { ConnectionsDeps } from "../../../src/lib/connections/deps";
import { requirementsFor } from "../../../src/lib/access/requirementsFor";
import { createFakeAccessWorld } from "./fakeAccessWorld";
import { ids } from "./demoIds";

export * from "./demoIds";

/** Fakes with every grant the demo world has: the app may list keys, the cluster identity may receive. */
export function createConnectionsWorld(overrides: Partial<ConnectionsDeps["settings"]> = {}) {
  const access = createFakeAccessWorld();
  const deps: ConnectionsDeps = {
    registry: access.registry,
    journal: access.journal,
    kusto: access.kusto,
    verifier: access.verifier,
    requirementsFor,
    policy: access.policy,
    notifier: access.notifier,
    settings: {
      appTenantId: ids.tenantA,
      appPrincipalId: ids.appPrincipal,
      sourceTenants: [{ tenantId: ids.tenantB, servicePrincipalObjectId: ids.crossTenantSp }],
      kustoWaitInMs: 50,
      ...overrides,
    },
    now: () => new Date("2025-06-01T12:00:00.000Z"),
  };
  return { ...access, deps };
}

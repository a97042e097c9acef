// The fakes of one test world, with the demo world's grants.
import { createFakeAccessWorldGrants } from "./fakeGrants";
import { createFakePolicy, createFakeVerifier } from "./fakeAccess";
import { createFakeJournal } from "./fakeJournal";
import { createFakeKusto } from "./fakeKusto";
import { createFakeNotifier } from "./fakeNotifier";
import { createFakeRegistry } from "./fakeRegistry";
import { clusterId, ids, uamiId } from "./demoIds";

export function createFakeAccessWorld() {
  const kusto = createFakeKusto({
    clusters: [
      {
        id: clusterId,
        location: "westeurope",
        systemIdentity: { principalId: ids.clusterPrincipal, tenantId: ids.tenantA },
        userAssignedIdentities: { [uamiId.toLowerCase()]: { principalId: ids.uamiPrincipal, clientId: "11111111-4444-4444-8444-000000000009" } },
      },
    ],
  });
  return {
    registry: createFakeRegistry(),
    journal: createFakeJournal(),
    kusto,
    verifier: createFakeVerifier(createFakeAccessWorldGrants()),
    policy: createFakePolicy(),
    notifier: createFakeNotifier(),
  };
}

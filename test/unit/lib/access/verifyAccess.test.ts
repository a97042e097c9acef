import { describe, expect, it } from "vitest";
import type { PrincipalRef, Requirement } from "../../../../src/lib/connections/model";
import type { AccessReader, RoleAssignmentInfo, RoleDefinitionInfo } from "../../../../src/lib/access/ports";
import { scopeCovers } from "../../../../src/lib/access/evaluateAccess";
import { createCountingAccessReader } from "../../../../src/lib/access/countingAccessReader";
import { createAccessVerifier, createRoleDefinitionCache } from "../../../../src/lib/access/verifyAccess";
import { AppError } from "../../../../src/lib/errors";

const TENANT = "aaaaaaaa-0000-4000-8000-000000000001";
const OTHER_TENANT = "bbbbbbbb-0000-4000-8000-000000000001";
const SUB = "/subscriptions/00000000-0000-4000-8000-000000000001";
const RG = `${SUB}/resourceGroups/rg-src`;
const NAMESPACE = `${RG}/providers/Microsoft.EventHub/namespaces/ns1`;
const HUB = `${NAMESPACE}/eventhubs/hub1`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/st1`;
const RECEIVER = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

const cluster: PrincipalRef = { tenantId: TENANT, objectId: "11111111-0000-4000-8000-000000000001", kind: "clusterIdentity" };
const GROUP = "99999999-0000-4000-8000-000000000001";

const receive: Requirement = { source: "eventHub", scope: HUB, permission: "Microsoft.EventHub/namespaces/messages/receive/action", permissionKind: "dataAction" };
const blobRead: Requirement = { source: "storageAccount", scope: STORAGE, permission: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", permissionKind: "dataAction" };
const listKeys: Requirement = { source: "eventHubNamespace", scope: NAMESPACE, permission: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", permissionKind: "action" };

const definitions: RoleDefinitionInfo[] = [
  { id: `/providers/Microsoft.Authorization/roleDefinitions/${RECEIVER}`, roleName: "Azure Event Hubs Data Receiver", permissions: [{ actions: ["Microsoft.EventHub/*/eventhubs/consumergroups/read"], notActions: [], dataActions: ["Microsoft.EventHub/*/receive/action"], notDataActions: [] }] },
  { id: `/providers/Microsoft.Authorization/roleDefinitions/${BLOB_READER}`, roleName: "Storage Blob Data Reader", permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"], notDataActions: [] }] },
  { id: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`, roleName: "Owner", permissions: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }] },
];

/** An in-memory Authorization: assignments with principals and one group; listAssignments as ARM + our adapter. */
function fakeAuthorization(options: { sloppy?: boolean } = {}) {
  const assignments: RoleAssignmentInfo[] = [];
  let n = 0;
  const assign = (scope: string, role: string, principalId = cluster.objectId) => {
    n += 1;
    const a: RoleAssignmentInfo = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/cccccccc-0000-4000-8000-${String(n).padStart(12, "0")}`,
      scope,
      roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId,
    };
    assignments.push(a);
    return a;
  };
  let failNextDefinition = false;
  const reader: AccessReader = {
    async listAssignments(principal, scope) {
      await Promise.resolve();
      const ids = new Set([principal.objectId, GROUP]);
      // A sloppy reader also returns below-scope assignments (ARM's assignedTo() does): the verifier must not count them.
      return assignments.filter((a) => ids.has(a.principalId) && (scopeCovers(a.scope, scope) || (options.sloppy === true && scopeCovers(scope, a.scope))));
    },
    async getRoleDefinition(_principal, roleDefinitionId) {
      await Promise.resolve();
      if (failNextDefinition) {
        failNextDefinition = false;
        throw new AppError("upstream", "AccessReadFailed", "boom");
      }
      return definitions.find((d) => d.id.split("/").pop() === roleDefinitionId.split("/").pop()?.toLowerCase());
    },
    async getRoleAssignment(_tenantId, id) {
      return assignments.find((a) => a.id.toLowerCase() === id.toLowerCase());
    },
  };
  return {
    assignments,
    assign,
    remove: (a: RoleAssignmentInfo) => assignments.splice(assignments.indexOf(a), 1),
    failNextDefinition: () => void (failNextDefinition = true),
    counting: createCountingAccessReader(reader),
  };
}

describe("createAccessVerifier", () => {
  it("returns one status per requirement, in order, with the grants that satisfy it", async () => {
    const fake = fakeAuthorization();
    const onHub = fake.assign(HUB, RECEIVER);
    const verifier = createAccessVerifier({ reader: fake.counting.reader });
    const [a, b, c] = await verifier.verify(cluster, [listKeys, receive, blobRead]);
    expect(a).toMatchObject({ requirement: listKeys, granted: false, grants: [] });
    expect(b).toMatchObject({ requirement: receive, granted: true, grants: [{ roleAssignmentId: onHub.id, scope: HUB, assigneeObjectId: cluster.objectId }] });
    expect(c?.granted).toBe(false);
  });

  it("lists assignments once per distinct scope, whatever the casing", async () => {
    const fake = fakeAuthorization();
    fake.assign(RG, OWNER);
    const verifier = createAccessVerifier({ reader: fake.counting.reader });
    const sameScopeOtherPermission: Requirement = { ...listKeys, scope: NAMESPACE.toUpperCase(), permission: "Microsoft.EventHub/namespaces/read" };
    const statuses = await verifier.verify(cluster, [listKeys, sameScopeOtherPermission, receive, blobRead]);
    expect(statuses.map((s) => s.granted)).toEqual([true, true, false, false]);
    expect(fake.counting.counts.listAssignments).toBe(3);
  });

  it("fetches each role definition once, shared across calls and concurrent calls, until its TTL passes", async () => {
    const fake = fakeAuthorization();
    fake.assign(HUB, RECEIVER);
    fake.assign(STORAGE, BLOB_READER);
    fake.assign(RG, RECEIVER, GROUP);
    let now = 1_000;
    const verifier = createAccessVerifier({ reader: fake.counting.reader, roleDefinitionTtlInMs: 60_000, now: () => now });
    await Promise.all([verifier.verify(cluster, [receive, blobRead]), verifier.verify(cluster, [receive, blobRead])]);
    await verifier.verify(cluster, [receive]);
    expect(fake.counting.counts.getRoleDefinition).toBe(2);
    now += 60_001;
    await verifier.verify(cluster, [receive, blobRead]);
    expect(fake.counting.counts.getRoleDefinition).toBe(4);
  });

  it("shares one role-definition cache between verifiers (one per audit run), keyed by tenant", async () => {
    const fake = fakeAuthorization();
    fake.assign(HUB, RECEIVER);
    const roleDefinitions = createRoleDefinitionCache();
    const first = createAccessVerifier({ reader: fake.counting.reader, roleDefinitions });
    const second = createAccessVerifier({ reader: fake.counting.reader, roleDefinitions });
    await first.verify(cluster, [receive]);
    await second.verify(cluster, [receive]);
    expect(fake.counting.counts.getRoleDefinition).toBe(1);
    // Custom roles are per tenant: the same GUID read for a principal of another tenant is read again.
    await second.verify({ ...cluster, tenantId: OTHER_TENANT }, [receive]);
    expect(fake.counting.counts.getRoleDefinition).toBe(2);
  });

  it("reads assignments afresh on every call by default, so a removed assignment no longer grants", async () => {
    const fake = fakeAuthorization();
    const a = fake.assign(HUB, RECEIVER);
    const verifier = createAccessVerifier({ reader: fake.counting.reader });
    expect((await verifier.verify(cluster, [receive]))[0]?.granted).toBe(true);
    fake.remove(a);
    expect((await verifier.verify(cluster, [receive]))[0]?.granted).toBe(false);
    expect(fake.counting.counts.listAssignments).toBe(2);
  });

  it("reuses listed assignments across calls when asked to (an audit run), until their TTL passes", async () => {
    const fake = fakeAuthorization();
    fake.assign(HUB, RECEIVER);
    let now = 0;
    const verifier = createAccessVerifier({ reader: fake.counting.reader, assignmentTtlInMs: 1_000, now: () => now });
    await verifier.verify(cluster, [receive]);
    await verifier.verify(cluster, [receive]);
    await verifier.verify({ ...cluster, objectId: "22222222-0000-4000-8000-000000000001" }, [receive]);
    expect(fake.counting.counts.listAssignments).toBe(2);
    now = 1_001;
    await verifier.verify(cluster, [receive]);
    expect(fake.counting.counts.listAssignments).toBe(3);
  });

  it("neither counts nor fetches the role of a below-scope assignment a reader returns", async () => {
    const fake = fakeAuthorization({ sloppy: true });
    fake.assign(HUB, OWNER);
    const verifier = createAccessVerifier({ reader: fake.counting.reader });
    const [status] = await verifier.verify(cluster, [listKeys]);
    expect(status?.granted).toBe(false);
    expect(fake.counting.counts.getRoleDefinition).toBe(0);
  });

  it("finds a grant made to a group the principal is in", async () => {
    const fake = fakeAuthorization();
    const viaGroup = fake.assign(RG, OWNER, GROUP);
    const [status] = await createAccessVerifier({ reader: fake.counting.reader }).verify(cluster, [listKeys]);
    expect(status?.grants).toEqual([{ roleAssignmentId: viaGroup.id, roleDefinitionId: viaGroup.roleDefinitionId, scope: RG, assigneeObjectId: GROUP }]);
  });

  it("propagates a reader error and does not cache a failed role-definition read", async () => {
    const fake = fakeAuthorization();
    fake.assign(HUB, RECEIVER);
    const verifier = createAccessVerifier({ reader: fake.counting.reader });
    fake.failNextDefinition();
    await expect(verifier.verify(cluster, [receive])).rejects.toMatchObject({ code: "AccessReadFailed" });
    expect((await verifier.verify(cluster, [receive]))[0]?.granted).toBe(true);
    expect(fake.counting.counts.getRoleDefinition).toBe(2);
  });

  it("makes no call for no requirements", async () => {
    const fake = fakeAuthorization();
    expect(await createAccessVerifier({ reader: fake.counting.reader }).verify(cluster, [])).toEqual([]);
    expect(fake.counting.total()).toBe(0);
  });
});

describe("createCountingAccessReader", () => {
  it("counts every call by operation, reports each to the observer, and resets", async () => {
    const fake = fakeAuthorization();
    const a = fake.assign(HUB, RECEIVER);
    const heard: string[] = [];
    const counting = createCountingAccessReader(fake.counting.reader, (operation, subject) => heard.push(`${operation} ${subject}`));
    await counting.reader.listAssignments(cluster, HUB);
    await counting.reader.getRoleDefinition(cluster, a.roleDefinitionId);
    expect(await counting.reader.getRoleAssignment(TENANT, a.id)).toEqual(a);
    expect(counting.counts).toEqual({ listAssignments: 1, getRoleDefinition: 1, getRoleAssignment: 1 });
    expect(counting.total()).toBe(3);
    expect(heard).toEqual([`listAssignments ${HUB}`, `getRoleDefinition ${a.roleDefinitionId}`, `getRoleAssignment ${a.id}`]);
    counting.reset();
    expect(counting.total()).toBe(0);
  });
});

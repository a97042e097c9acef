// The access reader and verifier against the emulator's Microsoft.Authorization on the demo world, through
// the real AuthorizationManagementClient: the grants a binding depends on are found, and their loss is seen.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../emulator/index";
import { createRbac } from "../../../emulator/arm/rbac";
import type { WorldSeed } from "../../../emulator/world/types";
import type { PrincipalRef, Requirement } from "../../../src/lib/connections/model";
import { createAccessReader } from "../../../src/lib/azure/accessReader";
import { createCountingAccessReader } from "../../../src/lib/access/countingAccessReader";
import { createAccessVerifier } from "../../../src/lib/access/verifyAccess";
import { requirementsFor } from "../../../src/lib/access/requirementsFor";
import { scopeCovers } from "../../../src/lib/access/evaluateAccess";
import { httpsJson } from "../../support/httpsJson";

type MetaKey =
  | "kustoTenantId" | "kustoSubscriptionId" | "kustoResourceGroup" | "kustoClusterResourceId" | "kustoClusterPrincipalId"
  | "eventHubNamespaceResourceId" | "eventHubResourceId" | "storageAccountResourceId" | "localSourcesResourceGroup"
  | "appIdentityObjectId" | "adminUserObjectId" | "operatorUserObjectId" | "operatorsGroupObjectId"
  | "sourceTenantId" | "sourceEventHubNamespaceResourceId" | "sourceEventHubResourceId" | "sourceConsumerGroup"
  | "multiTenantAppServicePrincipalIdSourceTenant";
const demo = JSON.parse(readFileSync(join(__dirname, "../../../emulator/worlds/demo.json"), "utf8")) as WorldSeed & { meta: Record<MetaKey, string> };
const m = demo.meta;
const ARM_SCOPE = "https://management.azure.com/.default";
const ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments";
const RECEIVER = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
const AUDIT_HUB = `${m.eventHubNamespaceResourceId}/eventhubs/audit`;
const CUSTOM_ROLE = "cccccccc-1111-4111-8111-000000000001";
const CUSTOM_MI = "11111111-3333-4333-8333-0000000000c1";
// The API app's service principal holds no role anywhere.
const NO_ROLES = "11111111-3333-4333-8333-000000000004";

// The demo world plus a custom "Event Hubs data, but not receive" role held by a second identity on the hub.
const seed: WorldSeed = {
  ...demo,
  principals: [
    ...demo.principals,
    { objectId: CUSTOM_MI, tenantId: m.kustoTenantId, type: "ServicePrincipal", displayName: "id-custom-role", appId: "11111111-4444-4444-8444-0000000000c1" },
  ],
  customRoles: [
    {
      name: CUSTOM_ROLE,
      roleName: "Event Hubs data without receive",
      type: "CustomRole",
      permissions: [{ actions: ["Microsoft.EventHub/*"], notActions: [], dataActions: ["Microsoft.EventHub/*"], notDataActions: ["Microsoft.EventHub/namespaces/messages/receive/action"] }],
      assignableScopes: [`/subscriptions/${m.kustoSubscriptionId}`],
    },
  ],
  roleAssignments: [
    ...(demo.roleAssignments ?? []),
    { name: "11111111-8888-4888-8888-0000000000c1", scope: m.eventHubResourceId, role: CUSTOM_ROLE, principalId: CUSTOM_MI },
  ],
};

const clusterIdentity: PrincipalRef = { tenantId: m.kustoTenantId, objectId: m.kustoClusterPrincipalId, kind: "clusterIdentity", resourceId: m.kustoClusterResourceId };
const appIdentity: PrincipalRef = { tenantId: m.kustoTenantId, objectId: m.appIdentityObjectId, kind: "appIdentity" };
const crossTenantApp: PrincipalRef = { tenantId: m.sourceTenantId, objectId: m.multiTenantAppServicePrincipalIdSourceTenant, kind: "crossTenantApp" };
const bob: PrincipalRef = { tenantId: m.kustoTenantId, objectId: m.operatorUserObjectId, kind: "appIdentity" };

const assignmentId = (scope: string, name: string) => `${scope}${ASSIGNMENTS}/${name}`;

describe("the access reader and verifier over the emulator's Authorization provider", () => {
  let emulator: EmulatorHandle;
  let stateDir: string;

  /** A credential whose tokens the emulator mints for `objectId` (as the MI endpoint or the federated exchange would). */
  const minted = (objectId: string, tenantId: string): TokenCredential => ({
    async getToken(): Promise<AccessToken> {
      const token = await emulator.tokens.mint({ objectId, tenantId, audience: "https://management.azure.com/" });
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  });
  const client = (credential: TokenCredential, maxRetries?: number) =>
    new AuthorizationManagementClient(credential, m.kustoSubscriptionId, {
      endpoint: emulator.armEndpoint,
      credentialScopes: [ARM_SCOPE],
      tlsOptions: { ca: emulator.caPem },
      ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
    });
  // As the use-case wiring will: the app's identity reads its own tenant, the cross-tenant app's SP the source tenant.
  let clientFor: (tenantId: string) => AuthorizationManagementClient;

  const newVerifier = () => {
    const counting = createCountingAccessReader(createAccessReader({ clientFor }));
    return { counting, verifier: createAccessVerifier({ reader: counting.reader }) };
  };
  /** The emulator's own RBAC (written apart from src/lib) must agree with every verdict. */
  const emulatorSays = (principal: PrincipalRef, r: Requirement) => createRbac(emulator.world).isAllowed(principal, r.permission, r.scope, r.permissionKind);

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "access-reader-"));
    emulator = await startEmulator({ stateDir, world: seed, timeScale: 0.05 });
    // One client per tenant, each with a token of that tenant, as the app's client factory builds them.
    const clients = new Map<string, AuthorizationManagementClient>();
    clientFor = (tenantId) => {
      const existing = clients.get(tenantId);
      if (existing) return existing;
      const home = tenantId === m.kustoTenantId;
      const created = client(home ? minted(m.appIdentityObjectId, m.kustoTenantId) : minted(m.multiTenantAppServicePrincipalIdSourceTenant, m.sourceTenantId));
      clients.set(tenantId, created);
      return created;
    };
  });

  afterAll(async () => {
    await emulator?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("finds the cluster identity's Event Hubs Data Receiver assignment on the hub for an MI-mode connection", async () => {
    const { verifier, counting } = newVerifier();
    const requirements = requirementsFor({ kind: "EventHub", properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: "adx" } }, "managedIdentity");
    const [status] = await verifier.verify(clusterIdentity, requirements);
    expect(status?.granted).toBe(true);
    expect(status?.grants).toEqual([
      {
        roleAssignmentId: assignmentId(m.eventHubResourceId, "11111111-8888-4888-8888-000000000005"),
        roleDefinitionId: `/subscriptions/${m.kustoSubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RECEIVER}`,
        scope: m.eventHubResourceId,
        assigneeObjectId: m.kustoClusterPrincipalId,
      },
    ]);
    expect(emulatorSays(clusterIdentity, requirements[0]!)).toBe(true);
    expect(counting.counts).toEqual({ listAssignments: 1, getRoleDefinition: 1, getRoleAssignment: 0 });
  });

  it("finds an inherited resource-group grant (the app's Contributor) for a key-mode EventGrid connection", async () => {
    const { verifier, counting } = newVerifier();
    const requirements = requirementsFor(
      { kind: "EventGrid", properties: { eventHubResourceId: m.eventHubResourceId, storageAccountResourceId: m.storageAccountResourceId, consumerGroup: "adx" } },
      "key",
    );
    const statuses = await verifier.verify(appIdentity, requirements);
    const sourcesRg = `/subscriptions/${m.kustoSubscriptionId}/resourceGroups/${m.localSourcesResourceGroup}`;
    for (const [i, status] of statuses.entries()) {
      expect(status.granted).toBe(true);
      expect(status.grants.map((g) => g.roleAssignmentId)).toEqual([assignmentId(sourcesRg, "11111111-8888-4888-8888-000000000004")]);
      expect(emulatorSays(appIdentity, requirements[i]!)).toBe(true);
    }
    // Two scopes; two roles apply there (the subscription's Reader, the group's Contributor), each read once.
    expect(counting.counts.listAssignments).toBe(2);
    expect(counting.counts.getRoleDefinition).toBe(2);
  });

  it("finds a grant made to a group through the principal's membership", async () => {
    const { verifier } = newVerifier();
    const requirement: Requirement = { source: "cluster", scope: m.kustoClusterResourceId, permission: "Microsoft.Kusto/clusters/read", permissionKind: "action" };
    const [status] = await verifier.verify(bob, [requirement]);
    expect(status?.grants).toEqual([
      expect.objectContaining({
        roleAssignmentId: assignmentId(`/subscriptions/${m.kustoSubscriptionId}/resourceGroups/${m.kustoResourceGroup}`, "11111111-8888-4888-8888-000000000008"),
        assigneeObjectId: m.operatorsGroupObjectId,
      }),
    ]);
    expect(emulatorSays(bob, requirement)).toBe(true);
  });

  it("finds the cross-tenant app's grant in the source tenant with that tenant's client", async () => {
    const { verifier } = newVerifier();
    const requirements = requirementsFor({ kind: "EventHub", properties: { eventHubResourceId: m.sourceEventHubResourceId, consumerGroup: m.sourceConsumerGroup } }, "key");
    const [status] = await verifier.verify(crossTenantApp, requirements);
    expect(status?.grants.map((g) => g.roleAssignmentId)).toEqual([assignmentId(m.sourceEventHubNamespaceResourceId, "22222222-8888-4888-8888-000000000002")]);
  });

  it("sees a removed assignment gone, both in the evaluation and by ID", async () => {
    const alice = client(minted(m.adminUserObjectId, m.kustoTenantId));
    const name = "11111111-9999-4999-8999-000000000001";
    const created = await alice.roleAssignments.create(AUDIT_HUB.slice(1), name, {
      roleDefinitionId: `/subscriptions/${m.kustoSubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${RECEIVER}`,
      principalId: m.kustoClusterPrincipalId,
      principalType: "ServicePrincipal",
    });
    const { verifier, counting } = newVerifier();
    const requirements = requirementsFor({ kind: "EventHub", properties: { eventHubResourceId: AUDIT_HUB, consumerGroup: "$Default" } }, "managedIdentity");
    const [before] = await verifier.verify(clusterIdentity, requirements);
    expect(before?.grants.map((g) => g.roleAssignmentId.toLowerCase())).toEqual([created.id!.toLowerCase()]);
    expect(await counting.reader.getRoleAssignment(m.kustoTenantId, created.id!)).toMatchObject({ id: created.id, principalId: m.kustoClusterPrincipalId, scope: AUDIT_HUB });

    await alice.roleAssignments.deleteById(created.id!.slice(1));
    const [after] = await verifier.verify(clusterIdentity, requirements);
    expect(after).toMatchObject({ granted: false, grants: [] });
    expect(emulatorSays(clusterIdentity, requirements[0]!)).toBe(false);
    expect(await counting.reader.getRoleAssignment(m.kustoTenantId, created.id!)).toBeUndefined();
  });

  it("does not let a custom role whose notDataActions exclude receive grant receive (its actions still list keys)", async () => {
    const { verifier } = newVerifier();
    const principal: PrincipalRef = { tenantId: m.kustoTenantId, objectId: CUSTOM_MI, kind: "userAssignedIdentity" };
    const receive = requirementsFor({ kind: "EventHub", properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: "adx" } }, "managedIdentity")[0]!;
    const hubAction: Requirement = { source: "eventHub", scope: m.eventHubResourceId, permission: "Microsoft.EventHub/namespaces/eventhubs/read", permissionKind: "action" };
    const [r, a] = await verifier.verify(principal, [receive, hubAction]);
    expect(r?.granted).toBe(false);
    expect(a?.grants.map((g) => g.roleDefinitionId.split("/").pop())).toEqual([CUSTOM_ROLE]);
    expect(emulatorSays(principal, receive)).toBe(false);
  });

  it("drops assignments below the listed scope, which assignedTo() returns", async () => {
    const reader = createAccessReader({ clientFor });
    const subscription = `/subscriptions/${m.kustoSubscriptionId}`;
    const listed = await reader.listAssignments(appIdentity, subscription);
    expect(listed.map((a) => a.id)).toEqual([assignmentId(subscription, "11111111-8888-4888-8888-000000000002")]);
    // The same filter straight through the SDK does return the resource-group ones.
    const raw: string[] = [];
    for await (const a of clientFor(m.kustoTenantId).roleAssignments.listForScope(subscription.slice(1), { filter: `assignedTo('${m.appIdentityObjectId}')` })) raw.push(a.scope!);
    expect(raw.some((s) => !scopeCovers(s, subscription))).toBe(true);
  });

  it("answers undefined for a role definition or assignment that does not exist", async () => {
    const reader = createAccessReader({ clientFor });
    expect(await reader.getRoleDefinition(appIdentity, `/subscriptions/${m.kustoSubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-00000000dead`)).toBeUndefined();
    expect(await reader.getRoleAssignment(m.kustoTenantId, assignmentId(m.eventHubResourceId, "00000000-0000-4000-8000-00000000dead"))).toBeUndefined();
  });

  it("turns ARM's 403 into forbidden AccessReadForbidden naming the scope", async () => {
    const reader = createAccessReader({ clientFor: () => client(minted(NO_ROLES, m.kustoTenantId)) });
    await expect(reader.listAssignments(clusterIdentity, m.eventHubResourceId)).rejects.toMatchObject({
      kind: "forbidden",
      code: "AccessReadForbidden",
      message: expect.stringContaining(m.eventHubResourceId),
    });
  });

  it("turns a 429 the SDK gave up on into throttled AccessReadThrottled with Retry-After", async () => {
    await httpsJson(`${emulator.adminUrl}/faults`, {
      ca: emulator.caPem,
      method: "POST",
      body: { pattern: "GET .*/roleAssignments$", throttleRate: 1, retryAfterSeconds: 7, remaining: 1 },
    });
    try {
      const reader = createAccessReader({ clientFor: () => client(minted(m.appIdentityObjectId, m.kustoTenantId), 0) });
      await expect(reader.listAssignments(clusterIdentity, m.eventHubResourceId)).rejects.toMatchObject({ kind: "throttled", code: "AccessReadThrottled", retryAfterInSeconds: 7 });
    } finally {
      await httpsJson(`${emulator.adminUrl}/faults`, { ca: emulator.caPem, method: "DELETE" });
    }
  });
});

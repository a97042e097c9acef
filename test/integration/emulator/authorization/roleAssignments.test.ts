import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { ManagedIdentityCredential } from "@azure/identity";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../../emulator/index";
import type { WorldSeed } from "../../../../emulator/world/types";
import { httpsJson } from "../../../support/httpsJson";

const REF = "/work/shared/reference/authorization";
// The reference examples' IDs, so the world answers them as Azure did.
const SUB = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT = "33333333-0000-4000-8000-000000000000";
const USER = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
const ROLE = "0b5fe924-9a61-425c-96af-cfe6e287ca2d";
const EXAMPLE_ASSIGNMENT = "b0f43c54-e787-4862-89b1-a653fa9cf747";
const ADMIN = "44444444-0000-4000-8000-000000000001";
const READER_MI = "44444444-0000-4000-8000-000000000002";
const READER_MI_CLIENT = "44444444-1111-4000-8000-000000000002";
const MEMBER = "44444444-0000-4000-8000-000000000003";
const GROUP = "44444444-0000-4000-8000-000000000004";
const STRANGER = "44444444-0000-4000-8000-000000000005";
const RG = `/subscriptions/${SUB}/resourceGroups/testrg`;
const COSMOS = `${RG}/providers/Microsoft.DocumentDb/databaseAccounts/test-db-account`;

const seed: WorldSeed = {
  tenants: [
    { id: TENANT, displayName: "example" },
    { id: OTHER_TENANT, displayName: "other" },
  ],
  subscriptions: [{ id: SUB, tenantId: TENANT, displayName: "example" }],
  resourceGroups: [{ subscriptionId: SUB, name: "testrg", location: "westus" }],
  principals: [
    { objectId: USER, tenantId: TENANT, type: "User", displayName: "example user" },
    { objectId: ADMIN, tenantId: TENANT, type: "ServicePrincipal", displayName: "admin", appId: "44444444-1111-4000-8000-000000000001" },
    {
      objectId: READER_MI,
      tenantId: TENANT,
      type: "ServicePrincipal",
      displayName: "reader-mi",
      appId: READER_MI_CLIENT,
      managedIdentity: { kind: "UserAssigned", resourceId: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reader` },
    },
    { objectId: MEMBER, tenantId: TENANT, type: "User", displayName: "member" },
    { objectId: GROUP, tenantId: TENANT, type: "Group", displayName: "group", members: [MEMBER] },
    { objectId: STRANGER, tenantId: TENANT, type: "User", displayName: "no roles" },
  ],
  customRoles: [
    {
      name: ROLE,
      roleName: "Example Role",
      type: "CustomRole",
      permissions: [{ actions: ["Microsoft.DocumentDb/*/read"], notActions: [], dataActions: [], notDataActions: [] }],
      assignableScopes: [`/subscriptions/${SUB}`],
    },
  ],
  resources: [{ id: COSMOS, name: "test-db-account", type: "Microsoft.DocumentDb/databaseAccounts", location: "westus", properties: {} }],
  roleAssignments: [
    { name: "44444444-2222-4000-8000-000000000001", scope: `/subscriptions/${SUB}`, role: "User Access Administrator", principalId: ADMIN },
    { name: "44444444-2222-4000-8000-000000000002", scope: `/subscriptions/${SUB}`, role: "Reader", principalId: READER_MI },
    { name: EXAMPLE_ASSIGNMENT, scope: `/subscriptions/${SUB}`, role: ROLE, principalId: USER },
    { name: "44444444-2222-4000-8000-000000000003", scope: RG, role: "Reader", principalId: GROUP },
  ],
};

let dir: string;
let emulator: EmulatorHandle;

async function mint(objectId: string, tenantId?: string): Promise<string> {
  const res = await httpsJson(`${emulator.adminUrl}/tokens`, { ca: emulator.caPem, method: "POST", body: { objectId, tenantId } });
  return (res.body as { accessToken: string }).accessToken;
}

/** A TokenCredential backed by the admin mint API (for principals the MI endpoint does not serve). */
function mintedCredential(objectId: string, tenantId?: string): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token: await mint(objectId, tenantId), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

function client(credential: TokenCredential): AuthorizationManagementClient {
  return new AuthorizationManagementClient(credential, SUB, {
    endpoint: emulator.armEndpoint,
    credentialScopes: ["https://management.azure.com/.default"],
    tlsOptions: { ca: emulator.caPem },
  });
}

type Raw = { status: number; body: Record<string, unknown> | undefined };
function capture(): { raw: Raw; onResponse: (r: { status: number; bodyAsText?: string | null }) => void } {
  const raw: Raw = { status: 0, body: undefined };
  return {
    raw,
    onResponse: (r) => {
      raw.status = r.status;
      raw.body = r.bodyAsText ? (JSON.parse(r.bodyAsText) as Record<string, unknown>) : undefined;
    },
  };
}

const swagger = JSON.parse(readFileSync(join(REF, "authorization-RoleAssignmentsCalls.json"), "utf8")) as {
  definitions: Record<string, { properties?: Record<string, Record<string, unknown>>; required?: string[] }>;
};
const example = (name: string) =>
  JSON.parse(readFileSync(join(REF, `${name}.json`), "utf8")) as { parameters: Record<string, unknown>; responses: Record<string, { body?: Record<string, unknown> }> };

/** ajv over the swagger's definitions. Two adaptations, both documented in the reference README: the
 * common-types ErrorResponse is not copied (stubbed here), and real ARM returns null for unset optional
 * strings (description, condition, createdBy...), which the swagger does not mark x-nullable. */
function validator(definition: string) {
  const definitions: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(swagger.definitions)) {
    const properties = Object.fromEntries(
      Object.entries(def.properties ?? {}).map(([p, schema]) => [
        p,
        (def.required ?? []).includes(p) || schema.$ref || schema.type !== "string" ? schema : { anyOf: [schema, { type: "null" }] },
      ]),
    );
    definitions[name] = { ...def, ...(def.properties ? { properties } : {}) };
  }
  definitions.ErrorResponse = {
    type: "object",
    required: ["error"],
    properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" } } } },
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = JSON.parse(JSON.stringify({ $ref: `#/definitions/${definition}`, definitions }).replace(/"[^"]*types\.json#\/definitions\/ErrorResponse"/g, '"#/definitions/ErrorResponse"'));
  return ajv.compile(schema);
}
const validAssignment = validator("RoleAssignment");
const validList = validator("RoleAssignmentListResult");
const validError = validator("ErrorResponse");

/** Same shape as the example: every field it shows, equal, except volatile or documented differences. */
function expectConforms(actual: Record<string, unknown> | undefined, expected: Record<string, unknown>) {
  const a = actual as { properties: Record<string, unknown> } & Record<string, unknown>;
  const e = expected as { properties: Record<string, unknown> } & Record<string, unknown>;
  expect({ id: a.id, name: a.name, type: a.type }).toEqual({ id: e.id, name: e.name, type: e.type });
  const { roleDefinitionId: expectedRole, ...expectedProps } = e.properties;
  const { roleDefinitionId: actualRole, ...actualProps } = a.properties;
  expect(actualProps).toMatchObject(expectedProps);
  // Real output is subscription-qualified; the examples are not. Same role by its trailing GUID.
  expect(String(actualRole).split("/").pop()).toBe(String(expectedRole).split("/").pop());
  expect(actualRole).toBe(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arm-authorization-"));
  emulator = await startEmulator({ stateDir: dir, world: seed, appIdentities: [READER_MI] });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Microsoft.Authorization conformance with the reference examples", () => {
  it("RoleAssignments_ListForScope", async () => {
    const { raw, onResponse } = capture();
    const items = [];
    for await (const a of client(mintedCredential(ADMIN)).roleAssignments.listForScope(String(example("RoleAssignments_ListForScope").parameters.scope), { onResponse })) items.push(a);
    expect(validList(raw.body)).toBe(true);
    const expected = (example("RoleAssignments_ListForScope").responses["200"]?.body?.value as Record<string, unknown>[])[0]!;
    const match = (raw.body?.value as Record<string, unknown>[]).find((v) => v.id === expected.id);
    expectConforms(match, expected);
    expect(items.find((i) => i.name === EXAMPLE_ASSIGNMENT)).toMatchObject({ principalId: USER, principalType: "User", scope: `/subscriptions/${SUB}` });
  });

  it("RoleAssignments_Get and RoleAssignments_GetById", async () => {
    const sdk = client(mintedCredential(ADMIN));
    const byName = capture();
    const get = example("RoleAssignments_Get");
    await sdk.roleAssignments.get(String(get.parameters.scope), String(get.parameters.roleAssignmentName), { onResponse: byName.onResponse });
    expect(validAssignment(byName.raw.body)).toBe(true);
    expectConforms(byName.raw.body, get.responses["200"]!.body!);
    const byId = capture();
    const getById = example("RoleAssignments_GetById");
    const result = await sdk.roleAssignments.getById(String(getById.parameters.roleAssignmentId), { onResponse: byId.onResponse });
    expectConforms(byId.raw.body, getById.responses["200"]!.body!);
    expect(result.roleDefinitionId).toContain(ROLE);
  });

  it("RoleAssignments_CreateForResource: 201 then 200 for the same assignment", async () => {
    const create = example("RoleAssignments_CreateForResource");
    const sdk = client(mintedCredential(ADMIN));
    const params = create.parameters.parameters as { properties: { roleDefinitionId: string; principalId: string; principalType: "User" } };
    const first = capture();
    await sdk.roleAssignments.create(String(create.parameters.scope), String(create.parameters.roleAssignmentName), params.properties, { onResponse: first.onResponse });
    expect(first.raw.status).toBe(201);
    expect(validAssignment(first.raw.body)).toBe(true);
    expectConforms(first.raw.body, create.responses["201"]!.body!);
    expect((first.raw.body?.properties as Record<string, unknown>).createdBy).toBe(ADMIN);
    const again = capture();
    await sdk.roleAssignments.create(String(create.parameters.scope), String(create.parameters.roleAssignmentName), params.properties, { onResponse: again.onResponse });
    expect(again.raw.status).toBe(200);
    expectConforms(again.raw.body, create.responses["200"]!.body!);
  });

  it("RoleAssignments_Delete and RoleAssignments_DeleteById: 200 with the deleted body, then 204", async () => {
    const sdk = client(mintedCredential(ADMIN));
    const del = example("RoleAssignments_Delete");
    const first = capture();
    await sdk.roleAssignments.delete(String(del.parameters.scope), String(del.parameters.roleAssignmentName), { onResponse: first.onResponse });
    expect(first.raw.status).toBe(200);
    expectConforms(first.raw.body, del.responses["200"]!.body!);
    const second = capture();
    await sdk.roleAssignments.delete(String(del.parameters.scope), String(del.parameters.roleAssignmentName), { onResponse: second.onResponse });
    expect([second.raw.status, second.raw.body]).toEqual([204, undefined]);

    emulator.world.createRoleAssignment({ name: EXAMPLE_ASSIGNMENT, scope: `/subscriptions/${SUB}`, role: ROLE, principalId: USER });
    const byId = example("RoleAssignments_DeleteById");
    const third = capture();
    await sdk.roleAssignments.deleteById(String(byId.parameters.roleAssignmentId), { onResponse: third.onResponse });
    expect(third.raw.status).toBe(200);
    expectConforms(third.raw.body, byId.responses["200"]!.body!);
    const fourth = capture();
    await sdk.roleAssignments.deleteById(String(byId.parameters.roleAssignmentId), { onResponse: fourth.onResponse });
    expect(fourth.raw.status).toBe(204);
    emulator.world.createRoleAssignment({ name: EXAMPLE_ASSIGNMENT, scope: `/subscriptions/${SUB}`, role: ROLE, principalId: USER });
  });
});

describe("role assignments through the SDK", () => {
  it("lists with a managed identity's token from the MI endpoint", async () => {
    process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
    process.env.IDENTITY_HEADER = emulator.identityHeader;
    const names = [];
    for await (const a of client(new ManagedIdentityCredential(READER_MI_CLIENT)).roleAssignments.listForSubscription()) names.push(a.name);
    expect(names).toContain(EXAMPLE_ASSIGNMENT);
    const logged = await httpsJson(`${emulator.adminUrl}/requests?path=roleAssignments`, { ca: emulator.caPem });
    const entry = (logged.body as { value: { principal?: { objectId: string; appId?: string }; action?: string; status: number; apiVersion?: string }[] }).value.at(-1);
    expect(entry).toMatchObject({ principal: { objectId: READER_MI, appId: READER_MI_CLIENT }, action: "Microsoft.Authorization/roleAssignments/read", status: 200, apiVersion: "2022-04-01" });
  });

  it("filters atScope(), principalId eq and assignedTo (through groups)", async () => {
    const sdk = client(mintedCredential(ADMIN));
    const list = async (scope: string, filter?: string) => {
      const out: string[] = [];
      for await (const a of sdk.roleAssignments.listForScope(scope, filter ? { filter } : {})) out.push(a.name!);
      return out.sort();
    };
    // No filter: at, above and below.
    expect(await list(`/subscriptions/${SUB}`)).toContain("44444444-2222-4000-8000-000000000003");
    // atScope(): at or above, not below.
    const atRg = await list(RG, "atScope()");
    expect(atRg).toContain("44444444-2222-4000-8000-000000000003");
    expect(atRg).toContain(EXAMPLE_ASSIGNMENT);
    expect(await list(`/subscriptions/${SUB}`, "atScope()")).not.toContain("44444444-2222-4000-8000-000000000003");
    // principalId: direct assignments only; assignedTo: through the group too.
    expect(await list(`/subscriptions/${SUB}`, `principalId eq '${MEMBER}'`)).toEqual([]);
    expect(await list(`/subscriptions/${SUB}`, `assignedTo('${MEMBER}')`)).toEqual(["44444444-2222-4000-8000-000000000003"]);
  });

  it("creates and deletes an assignment at an event hub's scope with the role-assignment ID format", async () => {
    const sdk = client(mintedCredential(ADMIN));
    const name = "44444444-3333-4000-8000-000000000001";
    const created = await sdk.roleAssignments.create(COSMOS, name, {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/fbdf93bf-df7d-467e-a4d2-9458aa1360c8`,
      principalId: MEMBER,
    });
    expect(created).toMatchObject({ id: `${COSMOS}/providers/Microsoft.Authorization/roleAssignments/${name}`, scope: COSMOS, principalType: "User" });
    const got = await sdk.roleAssignments.getById(created.id!);
    expect(got.principalId).toBe(MEMBER);
    const deleted = await sdk.roleAssignments.deleteById(created.id!);
    expect(deleted.principalId).toBe(MEMBER);
  });

  it("refuses duplicates, unknown principals and unknown roles with ARM's errors", async () => {
    const sdk = client(mintedCredential(ADMIN));
    const role = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    await expect(sdk.roleAssignments.create(`/subscriptions/${SUB}`, "44444444-3333-4000-8000-000000000002", { roleDefinitionId: role(ROLE), principalId: USER })).rejects.toMatchObject({
      statusCode: 409,
      code: "RoleAssignmentExists",
    });
    await expect(sdk.roleAssignments.create(RG, "44444444-3333-4000-8000-000000000003", { roleDefinitionId: role(ROLE), principalId: "55555555-0000-4000-8000-000000000000" })).rejects.toMatchObject({
      statusCode: 400,
      code: "PrincipalNotFound",
    });
    await expect(sdk.roleAssignments.create(RG, "44444444-3333-4000-8000-000000000004", { roleDefinitionId: role("55555555-0000-4000-8000-000000000000"), principalId: USER })).rejects.toMatchObject({
      statusCode: 400,
      code: "RoleDefinitionDoesNotExist",
    });
    await expect(sdk.roleAssignments.get(RG, "55555555-0000-4000-8000-000000000000")).rejects.toMatchObject({ statusCode: 404, code: "RoleAssignmentNotFound" });
  });

  it("answers 403 to a caller without roleAssignments/read and 401 to another tenant's token", async () => {
    const forbidden = capture();
    await expect(client(mintedCredential(STRANGER)).roleAssignments.get(RG, EXAMPLE_ASSIGNMENT, { onResponse: forbidden.onResponse })).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    expect(validError(forbidden.raw.body)).toBe(true);
    await expect(client(mintedCredential(STRANGER, OTHER_TENANT)).roleAssignments.get(RG, EXAMPLE_ASSIGNMENT)).rejects.toMatchObject({
      statusCode: 401,
      code: "InvalidAuthenticationTokenTenant",
    });
  });

  it("lets the SDK retry past an injected 429 with Retry-After", async () => {
    await httpsJson(`${emulator.adminUrl}/requests`, { ca: emulator.caPem, method: "DELETE" });
    await httpsJson(`${emulator.adminUrl}/faults`, {
      ca: emulator.caPem,
      method: "POST",
      body: { pattern: "roleAssignments/b0f43c54", throttleRate: 1, retryAfterSeconds: 0, remaining: 1 },
    });
    const got = await client(mintedCredential(ADMIN)).roleAssignments.get(`/subscriptions/${SUB}`, EXAMPLE_ASSIGNMENT);
    expect(got.name).toBe(EXAMPLE_ASSIGNMENT);
    const log = await httpsJson(`${emulator.adminUrl}/requests`, { ca: emulator.caPem });
    expect((log.body as { value: { status: number }[] }).value.map((e) => e.status)).toEqual([429, 200]);
  });

  it("reads role definitions by ID and by name filter", async () => {
    const sdk = client(mintedCredential(ADMIN));
    const owner = await sdk.roleDefinitions.get(`/subscriptions/${SUB}`, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
    expect(owner).toMatchObject({ roleName: "Owner", roleType: "BuiltInRole", permissions: [{ actions: ["*"] }] });
    const found = [];
    for await (const d of sdk.roleDefinitions.list(`/subscriptions/${SUB}`, { filter: "roleName eq 'Azure Event Hubs Data Receiver'" })) found.push(d);
    expect(found.map((d) => [d.name, d.permissions?.[0]?.dataActions])).toEqual([["a638d3c7-ab3a-418d-83e6-5f17a39d4fde", ["Microsoft.EventHub/*/receive/action"]]]);
  });
});

describe("role-assignment paging", () => {
  it("follows nextLink over more than one page", async () => {
    const scope = `${RG}/providers/Microsoft.DocumentDb/databaseAccounts/test-db-account`;
    for (let i = 0; i < 520; i++) {
      emulator.world.createRoleAssignment({ scope, role: i % 2 === 0 ? "Reader" : "Contributor", principalId: i % 3 === 0 ? USER : MEMBER, name: `66666666-0000-4000-8000-${String(i).padStart(12, "0")}` });
    }
    await httpsJson(`${emulator.adminUrl}/requests`, { ca: emulator.caPem, method: "DELETE" });
    const names = new Set<string>();
    for await (const a of client(mintedCredential(ADMIN)).roleAssignments.listForResource("testrg", "Microsoft.DocumentDb", "databaseAccounts", "test-db-account", { filter: "atScope()" })) {
      if (a.scope === scope && a.name!.startsWith("66666666-")) names.add(a.name!);
    }
    expect(names.size).toBe(520);
    const log = await httpsJson(`${emulator.adminUrl}/requests`, { ca: emulator.caPem });
    expect((log.body as { value: unknown[] }).value).toHaveLength(2);
  });
});

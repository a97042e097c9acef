import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  JWT_BEARER_ASSERTION_TYPE,
  exchangeClientAssertion,
  matchFederatedCredential,
} from "../../../../emulator/identity/clientAssertionExchange";
import { createTokenService } from "../../../../emulator/identity/tokenService";
import type { EmulatorTokenService } from "../../../../emulator/identity/tokenService";
import type { AppRegistration } from "../../../../emulator/world/types";
import type { World } from "../../../../emulator/world/world";
import { identityWorld, ids } from "./identityWorld";

const exchange = "api://AzureADTokenExchange";
const issuerA = `https://login.microsoftonline.com/${ids.tenantA}/v2.0`;

describe("federated credential matching", () => {
  const app: AppRegistration = {
    appId: ids.appId,
    homeTenantId: ids.tenantA,
    displayName: "app",
    signInAudience: "AzureADMultipleOrgs",
    federatedIdentityCredentials: [{ name: "mi", issuer: issuerA, subject: ids.uamiObjectId, audiences: [exchange] }],
  };

  it("matches on exact issuer, subject and one of the audiences", () => {
    expect(matchFederatedCredential(app, { iss: issuerA, sub: ids.uamiObjectId, aud: [exchange] })).toMatchObject({ ok: true, credential: { name: "mi" } });
  });

  it("compares issuer and subject case-sensitively, as Entra does", () => {
    expect(matchFederatedCredential(app, { iss: issuerA.toUpperCase(), sub: ids.uamiObjectId, aud: [exchange] })).toEqual({ ok: false, mismatch: "issuer" });
    expect(matchFederatedCredential(app, { iss: issuerA, sub: ids.uamiObjectId.toUpperCase(), aud: [exchange] })).toEqual({ ok: false, mismatch: "subject" });
  });

  it("names the audience when only the audience differs", () => {
    expect(matchFederatedCredential(app, { iss: issuerA, sub: ids.uamiObjectId, aud: ["https://management.azure.com"] })).toEqual({ ok: false, mismatch: "audience" });
  });

  it("reports an app without federated credentials", () => {
    expect(matchFederatedCredential({ ...app, federatedIdentityCredentials: [] }, { iss: issuerA, sub: ids.uamiObjectId, aud: [exchange] })).toEqual({ ok: false, mismatch: "noCredentials" });
  });
});

describe("client assertion exchange", () => {
  let world: World;
  let tokens: EmulatorTokenService;
  beforeAll(async () => {
    world = identityWorld();
    tokens = await createTokenService({ world });
  });

  const miAssertion = (overrides: Partial<Parameters<EmulatorTokenService["mint"]>[0]> = {}) =>
    tokens.mint({ tenantId: ids.tenantA, objectId: ids.uamiObjectId, appId: ids.uamiClientId, audience: exchange, ...overrides });

  const form = (assertion: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({
      grant_type: "client_credentials",
      client_id: ids.appId,
      scope: "https://management.azure.com/.default",
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
      ...extra,
    });

  async function errorOf(tenant: string, body: URLSearchParams) {
    const result = await exchangeClientAssertion({ world, tokens }, tenant, body);
    if (result.ok) throw new Error("expected the exchange to fail");
    return { status: result.error.status, error: result.error.body.error, code: result.error.body.error_codes[0], description: result.error.body.error_description };
  }

  it("issues a token for the app's service principal in the resource tenant", async () => {
    const result = await exchangeClientAssertion({ world, tokens }, ids.tenantB, form(await miAssertion()));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 });
    expect(decodeJwt(result.body.access_token)).toMatchObject({
      tid: ids.tenantB,
      oid: ids.appSpInB,
      appid: ids.appId,
      aud: "https://management.azure.com",
      iss: `https://login.microsoftonline.com/${ids.tenantB}/v2.0`,
    });
    await expect(tokens.verify(result.body.access_token, "https://management.azure.com/")).resolves.toMatchObject({ objectId: ids.appSpInB });
  });

  it("refuses an app with no federated credential for the assertion (AADSTS70021)", async () => {
    const e = await errorOf(ids.tenantB, form(await miAssertion(), { client_id: ids.untrustedAppId }));
    expect(e).toMatchObject({ status: 401, error: "invalid_client", code: 70021 });
    expect(e.description).toMatch(/^AADSTS70021: No matching federated identity record found for presented assertion\./);
  });

  it("refuses an assertion of another identity of the same tenant (subject mismatch)", async () => {
    const e = await errorOf(ids.tenantB, form(await miAssertion({ objectId: "44444444-0000-4000-8000-00000000000a" })));
    expect(e).toMatchObject({ error: "invalid_client", code: 700213 });
  });

  it("refuses the identity's token for another audience than the token exchange", async () => {
    const e = await errorOf(ids.tenantB, form(await miAssertion({ audience: "https://management.azure.com" })));
    expect(e).toMatchObject({ error: "invalid_client", code: 700212 });
  });

  it("refuses a tenant where the app has no service principal, and an unknown tenant", async () => {
    world.load({ tenants: [{ id: "eeeeeeee-0000-4000-8000-000000000005", displayName: "Elsewhere" }], subscriptions: [], principals: [] });
    expect(await errorOf("eeeeeeee-0000-4000-8000-000000000005", form(await miAssertion()))).toMatchObject({ status: 400, error: "unauthorized_client", code: 700016 });
    expect(await errorOf("ffffffff-0000-4000-8000-000000000006", form(await miAssertion()))).toMatchObject({ status: 400, error: "invalid_request", code: 90002 });
  });

  it("refuses a single-tenant app outside its home tenant even where a service principal exists", async () => {
    const app = world.applications.get(ids.appId.toLowerCase());
    if (!app) throw new Error("fixture");
    world.applications.set(ids.appId.toLowerCase(), { ...app, signInAudience: "AzureADMyOrg" });
    try {
      expect(await errorOf(ids.tenantB, form(await miAssertion()))).toMatchObject({ code: 700016 });
      const home = await exchangeClientAssertion({ world, tokens }, ids.tenantA, form(await miAssertion()));
      expect(home.ok && decodeJwt(home.body.access_token).oid).toBe(ids.appSpInA);
    } finally {
      world.applications.set(ids.appId.toLowerCase(), app);
    }
  });

  it("refuses expired, forged and malformed assertions", async () => {
    const expired = await miAssertion({ lifetimeInSeconds: -3600 });
    expect(await errorOf(ids.tenantB, form(expired))).toMatchObject({ error: "invalid_client", code: 700024 });
    const forger = await createTokenService();
    const forged = await forger.mint({ tenantId: ids.tenantA, objectId: ids.uamiObjectId, audience: exchange });
    expect(await errorOf(ids.tenantB, form(forged))).toMatchObject({ error: "invalid_client", code: 700027 });
    expect(await errorOf(ids.tenantB, form("garbage"))).toMatchObject({ error: "invalid_request", code: 50027 });
  });

  it("refuses client secrets, a missing assertion and a scope without /.default", async () => {
    const assertion = await miAssertion();
    expect(await errorOf(ids.tenantB, form(assertion, { client_secret: "s3cret" }))).toMatchObject({ error: "invalid_client", code: 7000215 });
    const noAssertion = form(assertion);
    noAssertion.delete("client_assertion");
    expect(await errorOf(ids.tenantB, noAssertion)).toMatchObject({ error: "invalid_client", code: 7000218 });
    expect(await errorOf(ids.tenantB, form(assertion, { scope: "https://management.azure.com/user_impersonation" }))).toMatchObject({ error: "invalid_scope" });
    expect(await errorOf(ids.tenantB, form(assertion, { grant_type: "password" }))).toMatchObject({ error: "unsupported_grant_type" });
  });
});

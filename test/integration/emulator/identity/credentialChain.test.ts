// The real @azure/identity credentials against the local Entra: the App Service managed identity, and the
// cross-tenant chain (identity token → federated client assertion → app token in the Kusto tenant).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientAssertionCredential, ManagedIdentityCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService, startAuthority, startManagedIdentityEndpoint } from "../../../../emulator/identity";
import type { Authority, EmulatorTokenService, ManagedIdentityEndpoint } from "../../../../emulator/identity";
import { createCertificateAuthority } from "../../../../emulator/tls/certificateAuthority";
import type { CertificateAuthority } from "../../../../emulator/tls/certificateAuthority";
import { identityWorld, ids } from "../../../unit/emulator/identity/identityWorld";

const ARM_SCOPE = "https://management.azure.com/.default";
const EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default";

describe("@azure/identity against the local Entra", () => {
  const world = identityWorld();
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  let dir: string;
  let ca: CertificateAuthority;
  let tokens: EmulatorTokenService;
  let mi: ManagedIdentityEndpoint;
  let authority: Authority;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "identity-"));
    ca = await createCertificateAuthority({ dir });
    tokens = await createTokenService({ world });
    const uami = world.getPrincipal(ids.uamiObjectId);
    if (!uami) throw new Error("fixture: no UAMI");
    mi = await startManagedIdentityEndpoint({ world, tokens, identities: () => [uami] });
    authority = await startAuthority({ world, tokens, tls: ca });
    process.env.IDENTITY_ENDPOINT = mi.endpoint;
    process.env.IDENTITY_HEADER = mi.header;
  });

  afterAll(async () => {
    for (const [name, value] of [["IDENTITY_ENDPOINT", saved.endpoint], ["IDENTITY_HEADER", saved.header]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await mi?.close();
    await authority?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** What production does: the UAMI's exchange token is the assertion of the multi-tenant app. */
  const appCredential = (clientId: string, tenantId = ids.tenantB) => {
    const identity = new ManagedIdentityCredential({ clientId: ids.uamiClientId });
    return new ClientAssertionCredential(
      tenantId,
      clientId,
      async () => (await identity.getToken(EXCHANGE_SCOPE)).token,
      // The emulator authority's name is not in MSAL's list of Microsoft clouds, so instance discovery
      // (always sent to login.microsoftonline.com) must be skipped; see the report / README.
      { authorityHost: authority.authorityHost, tlsOptions: { ca: ca.caPem }, disableInstanceDiscovery: true },
    );
  };

  it("ManagedIdentityCredential gets the user-assigned identity's token from IDENTITY_ENDPOINT", async () => {
    const token = await new ManagedIdentityCredential({ clientId: ids.uamiClientId }).getToken(ARM_SCOPE);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3600_000);
    expect(decodeJwt(token.token)).toMatchObject({
      tid: ids.tenantA,
      oid: ids.uamiObjectId,
      appid: ids.uamiClientId,
      aud: "https://management.azure.com",
      xms_mirid: ids.uamiResourceId,
    });
    await expect(tokens.verify(token.token, "https://management.azure.com/")).resolves.toMatchObject({ objectId: ids.uamiObjectId });
  });

  it("selects the identity by resource ID and by object ID too", async () => {
    const byResource = await new ManagedIdentityCredential({ resourceId: ids.uamiResourceId }).getToken("https://kusto.example/.default");
    const byObject = await new ManagedIdentityCredential({ objectId: ids.uamiObjectId }).getToken("https://storage.azure.com/.default");
    expect(decodeJwt(byResource.token)).toMatchObject({ oid: ids.uamiObjectId, aud: "https://kusto.example" });
    expect(decodeJwt(byObject.token)).toMatchObject({ oid: ids.uamiObjectId, aud: "https://storage.azure.com" });
  });

  it("fails, with App Service's message, for an identity not assigned to the app", async () => {
    const credential = new ManagedIdentityCredential({ clientId: "99999999-0000-4000-8000-00000000000c" });
    await expect(credential.getToken(ARM_SCOPE)).rejects.toThrow(/No User Assigned or Delegated Managed Identity found/);
  });

  it("the endpoint refuses a request without the secret header, as only the app's worker may call it", async () => {
    const url = `${mi.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent("https://management.azure.com")}&client_id=${ids.uamiClientId}`;
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    const served = await fetch(url, { headers: { "X-IDENTITY-HEADER": mi.header } });
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ token_type: "Bearer", resource: "https://management.azure.com", client_id: ids.uamiClientId, expires_on: expect.stringMatching(/^\d+$/) });
  });

  it("ClientAssertionCredential exchanges the identity's token for the app's token in the other tenant", async () => {
    const token = await appCredential(ids.appId).getToken(ARM_SCOPE);
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({
      tid: ids.tenantB,
      oid: ids.appSpInB,
      appid: ids.appId,
      aud: "https://management.azure.com",
      iss: `https://login.microsoftonline.com/${ids.tenantB}/v2.0`,
    });
    const caller = await tokens.verify(token.token, ["https://management.azure.com/", "https://management.core.windows.net/"]);
    expect(caller).toMatchObject({ tenantId: ids.tenantB, objectId: ids.appSpInB, appId: ids.appId });
  });

  it("does not reach an authority whose certificate the client does not trust", async () => {
    const identity = new ManagedIdentityCredential({ clientId: ids.uamiClientId });
    const untrusting = new ClientAssertionCredential(ids.tenantB, ids.appId, async () => (await identity.getToken(EXCHANGE_SCOPE)).token, {
      authorityHost: authority.authorityHost,
      disableInstanceDiscovery: true,
      retryOptions: { maxRetries: 0 },
    });
    // MSAL swallows the TLS failure of the OpenID configuration fetch and reports the endpoints unresolvable.
    await expect(untrusting.getToken(ARM_SCOPE)).rejects.toThrow(/endpoints_resolution_error/);
  });

  it("refuses an app that has no federated credential for the identity", async () => {
    await expect(appCredential(ids.untrustedAppId).getToken(ARM_SCOPE)).rejects.toThrow(/AADSTS70021/);
  });

  it("refuses a tenant where the app has no service principal", async () => {
    world.load({ tenants: [{ id: "eeeeeeee-0000-4000-8000-000000000005", displayName: "Elsewhere" }], subscriptions: [], principals: [] });
    await expect(appCredential(ids.appId, "eeeeeeee-0000-4000-8000-000000000005").getToken(ARM_SCOPE)).rejects.toThrow(/AADSTS700016/);
  });
});

import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { ArmError } from "../../../../emulator/arm/contract";
import { createTokenService } from "../../../../emulator/identity/tokenService";
import { World } from "../../../../emulator/world/world";

const tenantId = "aaaaaaaa-0000-4000-8000-000000000001";
const objectId = "11111111-0000-4000-8000-00000000000a";
const appId = "11111111-0000-4000-8000-00000000000c";
const arm = "https://management.azure.com";

function world(): World {
  return new World({ tenants: [{ id: tenantId, displayName: "A" }], subscriptions: [], principals: [] });
}

async function rejection(promise: Promise<unknown>): Promise<ArmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArmError);
  return error as ArmError;
}

describe("token service", () => {
  it("mints Entra v2 app tokens with the real issuer form and a key ID its JWKS publishes", async () => {
    const tokens = await createTokenService({ world: world() });
    const token = await tokens.mint({ tenantId, objectId, appId, audience: arm, roles: ["Data.Read"], lifetimeInSeconds: 600 });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      tid: tenantId,
      oid: objectId,
      sub: objectId,
      appid: appId,
      azp: appId,
      aud: arm,
      iss: `https://login.microsoftonline.com/${tenantId}/v2.0`,
      ver: "2.0",
      idtyp: "app",
      roles: ["Data.Read"],
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(claims.nbf).toBe(claims.iat);
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("RS256");
    expect(tokens.jwks().keys.map((k) => k.kid)).toEqual([header.kid]);
    expect(tokens.jwks().keys[0]).not.toHaveProperty("d");
  });

  it("uses a configured authority base for sovereign-cloud issuers", async () => {
    const tokens = await createTokenService({ issuerBase: "https://login.microsoftonline.us/" });
    expect(tokens.issuer(tenantId)).toBe(`https://login.microsoftonline.us/${tenantId}/v2.0`);
  });

  it("verifies its own tokens into the caller identity, with ARM's claim names", async () => {
    const tokens = await createTokenService({ world: world() });
    const caller = await tokens.verify(await tokens.mint({ tenantId, objectId, appId, audience: arm }), arm);
    expect(caller).toMatchObject({ tenantId, objectId, appId });
    expect(caller.claims["http://schemas.microsoft.com/identity/claims/objectidentifier"]).toBe(objectId);
    expect(caller.claims["http://schemas.microsoft.com/identity/claims/tenantid"]).toBe(tenantId);
    expect(caller.claims.appid).toBe(appId);
    expect(caller.claims.aud).toBe(arm);
  });

  it("accepts the audience with or without its trailing slash, and from a list", async () => {
    const tokens = await createTokenService();
    const withSlash = await tokens.mint({ tenantId, objectId, audience: `${arm}/` });
    await expect(tokens.verify(withSlash, arm)).resolves.toMatchObject({ objectId });
    const without = await tokens.mint({ tenantId, objectId, audience: arm });
    await expect(tokens.verify(without, ["https://management.core.windows.net/", `${arm}/`])).resolves.toMatchObject({ objectId });
  });

  it("refuses a token for another audience with InvalidAuthenticationTokenAudience", async () => {
    const tokens = await createTokenService();
    const token = await tokens.mint({ tenantId, objectId, audience: "https://help.kusto.windows.net" });
    const error = await rejection(tokens.verify(token, [arm, "https://management.core.windows.net/"]));
    expect(error.status).toBe(401);
    expect(error.code).toBe("InvalidAuthenticationTokenAudience");
    expect(error.message).toContain("https://help.kusto.windows.net");
    expect(error.headers["WWW-Authenticate"]).toMatch(/^Bearer /);
  });

  it("refuses an expired token with ExpiredAuthenticationToken, but tolerates small clock skew", async () => {
    let now = Date.parse("2025-01-01T10:00:00Z");
    const tokens = await createTokenService({ clock: { now: () => now }, clockSkewInSeconds: 60 });
    const token = await tokens.mint({ tenantId, objectId, audience: arm, lifetimeInSeconds: 3600 });
    now += 3600_000 + 30_000;
    await expect(tokens.verify(token, arm)).resolves.toMatchObject({ objectId });
    now += 60_000;
    const error = await rejection(tokens.verify(token, arm));
    expect([error.status, error.code]).toEqual([401, "ExpiredAuthenticationToken"]);
    expect(error.message).toBe("The access token expiry UTC time '1/1/2025 11:00:00 AM' is earlier than current UTC time '1/1/2025 11:01:30 AM'.");
  });

  it("refuses a token that is not yet valid", async () => {
    let now = Date.parse("2025-01-01T10:00:00Z");
    const tokens = await createTokenService({ clock: { now: () => now }, clockSkewInSeconds: 60 });
    const token = await tokens.mint({ tenantId, objectId, audience: arm });
    now -= 120_000;
    const error = await rejection(tokens.verify(token, arm));
    expect(error.code).toBe("InvalidAuthenticationToken");
  });

  it("refuses a token signed by another key, even with a matching key ID", async () => {
    const ours = await createTokenService();
    const theirs = await createTokenService();
    const foreign = await theirs.mint({ tenantId, objectId, audience: arm });
    expect((await rejection(ours.verify(foreign, arm))).code).toBe("InvalidAuthenticationToken");

    const kid = ours.jwks().keys[0]?.kid;
    const { privateKey } = await import("jose").then((j) => j.generateKeyPair("RS256"));
    const forged = await new SignJWT(decodeJwt(await ours.mint({ tenantId, objectId, audience: arm })))
      .setProtectedHeader({ alg: "RS256", kid })
      .sign(privateKey);
    expect((await rejection(ours.verify(forged, arm))).code).toBe("InvalidAuthenticationToken");
  });

  it("refuses unsigned (alg none) and tampered tokens", async () => {
    const tokens = await createTokenService();
    const genuine = await tokens.mint({ tenantId, objectId, audience: arm });
    const unsigned = new UnsecuredJWT(decodeJwt(genuine)).encode();
    expect((await rejection(tokens.verify(unsigned, arm))).code).toBe("InvalidAuthenticationToken");

    const [header, , signature] = genuine.split(".");
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(genuine), oid: "someone-else" })).toString("base64url");
    expect((await rejection(tokens.verify(`${header}.${payload}.${signature}`, arm))).code).toBe("InvalidAuthenticationToken");
    expect((await rejection(tokens.verify("not-a-jwt", arm))).code).toBe("InvalidAuthenticationToken");
  });

  it("refuses tokens of a tenant the world does not know, or whose issuer is not their tenant's", async () => {
    const tokens = await createTokenService({ world: world() });
    const stranger = await tokens.mint({ tenantId: "dddddddd-0000-4000-8000-000000000004", objectId, audience: arm });
    expect((await rejection(tokens.verify(stranger, arm))).code).toBe("InvalidAuthenticationToken");
    const misissued = await tokens.mint({ tenantId, objectId, audience: arm, extraClaims: { iss: "https://sts.windows.net/x/" } });
    expect((await rejection(tokens.verify(misissued, arm))).code).toBe("InvalidAuthenticationToken");
  });
});

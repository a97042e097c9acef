import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../../../src/lib/auth/caller";
import { createJwtValidator } from "../../../../src/lib/auth/jwtValidator";
import type { Result } from "../../../../src/lib/errors";

const tenant = "11111111-1111-4111-8111-111111111111";
const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
const audience = "api://adx-connection-lifecycle";
const clientIdAudience = "11111111-5555-4555-8555-000000000002";
const kid = "key-1";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let keys: KeyPair;
let otherKeys: KeyPair;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  keys = await generateKeyPair("RS256", { extractable: true });
  otherKeys = await generateKeyPair("RS256", { extractable: true });
  jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid, alg: "RS256", use: "sig" }] };
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: issuer,
  aud: audience,
  tid: tenant,
  oid: "11111111-3333-4333-8333-000000000005",
  azp: "11111111-5555-4555-8555-000000000003",
  roles: ["Connections.Write"],
  iat: now() - 10,
  nbf: now() - 10,
  exp: now() + 3600,
  ...overrides,
});
const sign = (payload: JWTPayload, options: { key?: KeyPair["privateKey"]; kid?: string; alg?: string } = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? "RS256", typ: "JWT", kid: options.kid ?? kid }).sign(options.key ?? keys.privateKey);

const validator = (overrides: Partial<Parameters<typeof createJwtValidator>[0]> = {}) =>
  createJwtValidator({ issuer, audiences: [audience, clientIdAudience], jwksUri: "https://unused.invalid/keys", keySet: createLocalJWKSet(jwks), ...overrides });

const codeOf = (result: Result<Caller>) => {
  if (result.ok) throw new Error("expected a refusal");
  expect(result.error.kind).toBe("unauthorized");
  return result.error.code;
};

describe("createJwtValidator", () => {
  it("accepts a valid token and returns the caller", async () => {
    const result = await validator().validate(`Bearer ${await sign(claims({ upn: "alice@contoso.example" }))}`);
    expect(result).toEqual({
      ok: true,
      value: {
        tenantId: tenant,
        objectId: "11111111-3333-4333-8333-000000000005",
        appId: "11111111-5555-4555-8555-000000000003",
        roles: ["Connections.Write"],
        name: "alice@contoso.example",
      },
    });
  });

  it("reads v1 claims (appid) and names apps by app_displayname; no roles claim means no roles", async () => {
    const { azp: _azp, roles: _roles, ...v1 } = claims({ appid: "app-1", app_displayname: "pipeline" });
    const result = await validator().validate(`bearer ${await sign(v1)}`);
    expect(result.ok && result.value).toMatchObject({ appId: "app-1", name: "pipeline", roles: [] });
  });

  it("accepts any configured audience", async () => {
    expect((await validator().validate(`Bearer ${await sign(claims({ aud: clientIdAudience }))}`)).ok).toBe(true);
  });

  it.each([
    [undefined, "MissingToken"],
    ["", "MissingToken"],
    ["Basic dXNlcjpwYXNz", "MissingToken"],
    ["Bearer", "MissingToken"],
    ["Bearer not-a-jwt", "MalformedToken"],
    ["Bearer a.b.c", "MalformedToken"],
  ])("refuses the header %j with %s", async (header, code) => {
    expect(codeOf(await validator().validate(header))).toBe(code);
  });

  it("refuses an unsigned token (alg none)", async () => {
    const unsigned = new UnsecuredJWT(claims()).encode();
    expect(codeOf(await validator().validate(`Bearer ${unsigned}`))).toBe("UnsupportedAlgorithm");
  });

  it("refuses HS256 signed with the public key (algorithm confusion)", async () => {
    const secret = new TextEncoder().encode(await exportSPKI(keys.publicKey));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid }).sign(secret);
    expect(codeOf(await validator().validate(`Bearer ${token}`))).toBe("UnsupportedAlgorithm");
  });

  it("refuses RS384 and PS256 even with the right key", async () => {
    const rs384 = await generateKeyPair("RS384", { extractable: true });
    expect(codeOf(await validator().validate(`Bearer ${await sign(claims(), { alg: "RS384", key: rs384.privateKey })}`))).toBe("UnsupportedAlgorithm");
    const ps = await generateKeyPair("PS256", { extractable: true });
    expect(codeOf(await validator().validate(`Bearer ${await sign(claims(), { alg: "PS256", key: ps.privateKey })}`))).toBe("UnsupportedAlgorithm");
  });

  it("refuses a token signed by another key, under the known kid or an unknown one", async () => {
    expect(codeOf(await validator().validate(`Bearer ${await sign(claims(), { key: otherKeys.privateKey })}`))).toBe("InvalidSignature");
    expect(codeOf(await validator().validate(`Bearer ${await sign(claims(), { key: otherKeys.privateKey, kid: "unknown" })}`))).toBe("InvalidSignature");
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const [h, , s] = (await sign(claims())).split(".");
    const forged = Buffer.from(JSON.stringify(claims({ roles: ["Connections.Write", "Audit.Run"] }))).toString("base64url");
    expect(codeOf(await validator().validate(`Bearer ${h}.${forged}.${s}`))).toBe("InvalidSignature");
  });

  it.each([
    ["WrongIssuer", { iss: "https://login.microsoftonline.com/22222222-1111-4111-8111-111111111111/v2.0" }],
    ["WrongIssuer", { iss: `https://sts.windows.net/${tenant}/` }],
    ["WrongAudience", { aud: "https://management.azure.com/" }],
    ["WrongTenant", { tid: "22222222-1111-4111-8111-111111111111" }],
    ["TokenExpired", { exp: now() - 3600 }],
    ["TokenNotYetValid", { nbf: now() + 3600 }],
    ["MalformedToken", { oid: undefined }],
    ["MalformedToken", { tid: undefined }],
  ])("refuses with %s when the claims say %j", async (code, overrides) => {
    expect(codeOf(await validator().validate(`Bearer ${await sign(claims(overrides))}`))).toBe(code);
  });

  it("tolerates clock skew within the configured tolerance only", async () => {
    const token = await sign(claims({ exp: now() - 30 }));
    expect((await validator({ clockToleranceInSeconds: 60 }).validate(`Bearer ${token}`)).ok).toBe(true);
    expect(codeOf(await validator({ clockToleranceInSeconds: 0 }).validate(`Bearer ${token}`))).toBe("TokenExpired");
  });

  it("refuses to start without a tenant or an audience", () => {
    expect(() => createJwtValidator({ issuer: "https://issuer.example/", audiences: [audience], jwksUri: "https://x/keys" })).toThrow(/tenant/);
    expect(() => createJwtValidator({ issuer, audiences: [], jwksUri: "https://x/keys" })).toThrow(/audience/);
  });

  describe("with a remote key set", () => {
    let server: Server;
    let requests = 0;
    let base: string;

    beforeAll(async () => {
      server = createServer((req, res) => {
        requests++;
        if (req.url === "/keys") {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
        } else res.writeHead(500).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("fetches the keys once and reuses them", async () => {
      const remote = createJwtValidator({ issuer, audiences: [audience], jwksUri: `${base}/keys` });
      const before = requests;
      for (let i = 0; i < 3; i++) expect((await remote.validate(`Bearer ${await sign(claims())}`)).ok).toBe(true);
      expect(requests - before).toBe(1);
    });

    it("answers a retryable upstream problem, not a 401, when the keys cannot be read", async () => {
      const broken = createJwtValidator({ issuer, audiences: [audience], jwksUri: `${base}/broken` });
      const result = await broken.validate(`Bearer ${await sign(claims())}`);
      expect(result.ok).toBe(false);
      if (!result.ok) expect([result.error.kind, result.error.code]).toEqual(["upstream", "SigningKeysUnavailable"]);
    });
  });
});

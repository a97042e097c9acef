// Locally the app reads API_JWKS_URI from the emulator's authority over HTTPS, trusting its CA only through
// NODE_EXTRA_CA_CERTS (read at process start). This checks that jose's fetch honours it, in a child process.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../../../emulator/tls/certificateAuthority";

const run = promisify(execFile);
const tenant = "11111111-1111-4111-8111-111111111111";
const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;

// Uses the built jose the app bundles; prints the verified oid.
const script = `
const { createRemoteJWKSet, jwtVerify } = await import(process.env.JOSE_ENTRY);
const { payload } = await jwtVerify(process.env.TOKEN, createRemoteJWKSet(new URL(process.env.JWKS_URI)), { issuer: process.env.ISSUER, audience: "api://x", algorithms: ["RS256"] });
process.stdout.write(String(payload.oid));
`;

describe("the JWKS over HTTPS with NODE_EXTRA_CA_CERTS", () => {
  let dir: string;
  let server: Server;
  let caFile: string;
  let jwksUri: string;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "jwks-https-"));
    const ca = await createCertificateAuthority({ dir });
    caFile = ca.caFile;
    const keys = await generateKeyPair("RS256");
    const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256" }] };
    server = createServer({ cert: ca.certPem, key: ca.keyPem }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUri = `https://127.0.0.1:${(server.address() as AddressInfo).port}/${tenant}/discovery/v2.0/keys`;
    token = await new SignJWT({ oid: "the-oid", tid: tenant })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(issuer)
      .setAudience("api://x")
      .setExpirationTime("10m")
      .sign(keys.privateKey);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const verifyInChild = (extraEnv: Record<string, string>) =>
    run(process.execPath, ["--input-type=module", "-e", script], {
      env: {
        PATH: process.env.PATH ?? "",
        JOSE_ENTRY: require.resolve("jose"),
        TOKEN: token,
        JWKS_URI: jwksUri,
        ISSUER: issuer,
        ...extraEnv,
      },
      timeout: 20_000,
    });

  it("verifies a token with keys fetched from the emulator-style authority", async () => {
    const { stdout } = await verifyInChild({ NODE_EXTRA_CA_CERTS: caFile });
    expect(stdout).toBe("the-oid");
  });

  it("fails without the CA: the trust really comes from NODE_EXTRA_CA_CERTS", async () => {
    await expect(verifyInChild({})).rejects.toThrow(/fetch failed|certificate|UNABLE_TO_VERIFY|self[- ]signed/i);
  });
});

// Production's credential chain, unchanged, in a process whose environment (IDENTITY_*, HTTPS_PROXY,
// NO_PROXY, NODE_EXTRA_CA_CERTS) is all that points it at the local Azure.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService, startAuthority, startManagedIdentityEndpoint } from "../../../../emulator/identity";
import type { Authority, AuthorityRequestLogEntry, ManagedIdentityEndpoint } from "../../../../emulator/identity";
import { createCertificateAuthority } from "../../../../emulator/tls/certificateAuthority";
import type { CertificateAuthority } from "../../../../emulator/tls/certificateAuthority";
import { startHostTunnel } from "../../../../emulator/tls/hostTunnel";
import type { HostTunnel } from "../../../../emulator/tls/hostTunnel";
import { identityWorld, ids } from "../../../unit/emulator/identity/identityWorld";

describe("the Entra host tunnel", () => {
  const world = identityWorld();
  let dir: string;
  let ca: CertificateAuthority;
  let mi: ManagedIdentityEndpoint;
  let authority: Authority;
  let tunnel: HostTunnel;
  const log: AuthorityRequestLogEntry[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "identity-tunnel-"));
    ca = await createCertificateAuthority({ dir, hosts: ["login.microsoftonline.com"] });
    const tokens = await createTokenService({ world });
    const uami = world.getPrincipal(ids.uamiObjectId);
    if (!uami) throw new Error("fixture: no UAMI");
    mi = await startManagedIdentityEndpoint({ world, tokens, identities: () => [uami] });
    authority = await startAuthority({ world, tokens, tls: ca, onRequest: (entry) => log.push(entry) });
    tunnel = await startHostTunnel({ routes: { "login.microsoftonline.com": { port: Number(new URL(authority.authorityHost).port) } } });
  });

  afterAll(async () => {
    await tunnel?.close();
    await mi?.close();
    await authority?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("refuses to tunnel hosts that are not part of the local Azure", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(tunnel.proxyUrl, { method: "CONNECT", path: "example.com:443" })
        .on("connect", (res, socket) => {
          socket.destroy();
          resolve(res.statusCode);
        })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it("lets unchanged production credentials reach the local Entra, with or without a configured authority host", async () => {
    const { IDENTITY_ENDPOINT: _e, IDENTITY_HEADER: _h, HTTP_PROXY: _p1, HTTPS_PROXY: _p2, ALL_PROXY: _p3, NO_PROXY: _p4, ...inherited } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(__dirname, "productionCredentialChain.ts")], {
      cwd: join(__dirname, "../../../.."),
      timeout: 45_000,
      env: {
        ...inherited,
        IDENTITY_ENDPOINT: mi.endpoint,
        IDENTITY_HEADER: mi.header,
        HTTPS_PROXY: tunnel.proxyUrl,
        NO_PROXY: "127.0.0.1,localhost",
        NODE_EXTRA_CA_CERTS: ca.caFile,
        TEST_UAMI_CLIENT_ID: ids.uamiClientId,
        TEST_TENANT_ID: ids.tenantB,
        TEST_APP_ID: ids.appId,
        TEST_AUTHORITY_HOST: authority.authorityHost,
      },
    });
    const result = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    const expected = { tid: ids.tenantB, oid: ids.appSpInB, appid: ids.appId, aud: "https://management.azure.com" };
    expect(result.defaultAuthority).toMatchObject(expected);
    expect(result.configuredAuthority).toMatchObject(expected);
    const authorityHost = new URL(authority.authorityHost).host;
    // The default authority is one of MSAL's known clouds: no discovery, straight to the token endpoint.
    // The configured one is not: MSAL asks login.microsoftonline.com's instance discovery, then its own host.
    expect(log.map((e) => `${e.method} ${e.host} ${e.path} ${e.status}`)).toEqual([
      `POST login.microsoftonline.com /${ids.tenantB}/oauth2/v2.0/token 200`,
      `GET login.microsoftonline.com /common/discovery/instance 200`,
      `GET ${authorityHost} /${ids.tenantB}/v2.0/.well-known/openid-configuration 200`,
      `POST ${authorityHost} /${ids.tenantB}/oauth2/v2.0/token 200`,
    ]);
  });
});

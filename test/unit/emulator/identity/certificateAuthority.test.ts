// Lives with the identity tests because the authority is the CA's first user (test/*/emulator/tls is not ours).
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../../../emulator/tls/certificateAuthority";

describe("certificate authority", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function fresh(hosts?: string[]) {
    const dir = await mkdtemp(join(tmpdir(), "ca-"));
    dirs.push(dir);
    return createCertificateAuthority({ dir, hosts });
  }

  it("signs a server certificate for the loopback names and the extra hosts, and writes the CA to ca.pem", async () => {
    const ca = await fresh(["login.microsoftonline.com"]);
    const root = new X509Certificate(ca.caPem);
    const leaf = new X509Certificate(ca.certPem);
    expect(root.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkHost("login.microsoftonline.com")).toBe("login.microsoftonline.com");
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBe("::1");
    expect(leaf.checkHost("management.azure.com")).toBeUndefined();
    expect(leaf.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
    expect(await readFile(ca.caFile, "utf8")).toBe(ca.caPem);
  });

  it("makes a new CA at every start", async () => {
    const [a, b] = await Promise.all([fresh(), fresh()]);
    expect(a.caPem).not.toBe(b.caPem);
    expect(new X509Certificate(a.certPem).verify(new X509Certificate(b.caPem).publicKey)).toBe(false);
  });
});

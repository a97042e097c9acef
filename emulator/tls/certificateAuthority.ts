// A throw-away certificate authority for the local Azure: a fresh CA and one leaf certificate signed by
// it, made at every start (nothing committed), so the emulator's HTTPS servers are trusted like Azure's.
import { webcrypto } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
// @peculiar/x509 resolves its ASN.1 helpers through tsyringe, which needs the Reflect metadata polyfill first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export interface CertificateAuthorityOptions {
  /** Directory that receives `ca.pem` (for NODE_EXTRA_CA_CERTS or `tlsOptions: { ca }`). */
  dir: string;
  /** Extra DNS names or IP addresses for the leaf, besides localhost, 127.0.0.1 and ::1. */
  hosts?: string[];
  /** Validity of both certificates; default 7 days (they live as long as one emulator run). */
  validityInMs?: number;
}

export interface CertificateAuthority {
  /** The CA certificate: what clients trust. */
  caPem: string;
  /** `{dir}/ca.pem`. */
  caFile: string;
  /** The leaf (server) certificate, signed by the CA. */
  certPem: string;
  /** The leaf's private key, PKCS#8 PEM. */
  keyPem: string;
}

const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"];
const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DEFAULT_VALIDITY_IN_MS = 7 * 24 * 3600 * 1000;

export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  // @peculiar/x509 needs a WebCrypto provider; Node's is complete for ECDSA P-256.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const notBefore = new Date(Date.now() - 60_000); // tolerate small clock differences between processes
  const notAfter = new Date(Date.now() + (options.validityInMs ?? DEFAULT_VALIDITY_IN_MS));

  const caKeys = await webcrypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=adx-connection-lifecycle local Azure CA",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const hosts = [...new Set([...DEFAULT_HOSTS, ...(options.hosts ?? [])])];
  const leafKeys = await webcrypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"]);
  const leafCert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${hosts.find((h) => isIP(h) === 0) ?? "localhost"}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIP(h) === 0 ? "dns" : "ip", value: h }))),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", leafKeys.privateKey);
  const caPem = caCert.toString("pem") + "\n";
  const caFile = join(options.dir, "ca.pem");
  await mkdir(options.dir, { recursive: true });
  await writeFile(caFile, caPem);
  return {
    caPem,
    caFile,
    certPem: leafCert.toString("pem") + "\n",
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
  };
}

/** A positive 16-byte serial (high bit clear, as DER INTEGERs must stay positive). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

// Finds credentials in text: JWTs, storage/Event Hubs/IoT keys and connection strings, SAS signatures, long
// base64 keys, and any exact value a test knows to be secret (the emulator's listKeys values, minted tokens).
// Used on the source and configuration (test/reliability/secrets.test.ts) and on every host log the e2e and
// reliability suites write (test/support/hostLogScan.ts); infra/ has its own scan (test/unit/infra/noSecrets).
export interface SecretFinding {
  where: string;
  what: string;
  /** The first characters only: a report must not repeat the secret. */
  excerpt: string;
}

export const secretPatterns: readonly [string, RegExp][] = [
  ["JWT", /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
  ["account key in a connection string", /AccountKey\s*=\s*[A-Za-z0-9+/=]{20,}/i],
  ["shared access key", /SharedAccessKey\s*=\s*[A-Za-z0-9+/=]{20,}/i],
  ["SAS signature", /[?&]sig=[A-Za-z0-9%+/=]{20,}/i],
  ["SharedAccessSignature", /SharedAccessSignature\s+sr=/i],
  ["bearer header value", /Bearer\s+[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/],
  ["base64 key (32+ bytes)", /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/],
];

export function findSecretsInText(where: string, text: string, known: readonly string[] = []): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split("\n").forEach((line, index) => {
    for (const [what, pattern] of secretPatterns) {
      const match = pattern.exec(line);
      if (match) findings.push({ where: `${where}:${index + 1}`, what, excerpt: match[0].slice(0, 12) + "…" });
    }
    for (const value of known) {
      if (value.length >= 16 && line.includes(value)) findings.push({ where: `${where}:${index + 1}`, what: "known secret value", excerpt: value.slice(0, 6) + "…" });
    }
  });
  return findings;
}

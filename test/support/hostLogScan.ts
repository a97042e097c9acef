// Vitest setup file (e2e and reliability projects): after every test, scans what the local hosts wrote to
// .local/**/host.log since the last scan (e2e suites delete their state directory in afterAll, so waiting for
// the end would find nothing) and fails the test that produced a JWT or key in a log. Totals go to
// .local/reliability/logScan-<pid>.json for docs/reliability.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { afterEach } from "vitest";
import { findSecretsInText } from "./secretScan";

const root = resolve(".local");
/** Logs older than this process are another run's (an `npm start`, another checkout's suite): not ours to judge. */
const startedAt = Date.now() - 1000;
const offsets = new Map<string, number>();
const totals = { files: new Set<string>(), bytes: 0, lines: 0, findings: 0 };

function hostLogs(dir: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "azurite") out.push(...hostLogs(path, depth + 1));
    else if (entry.isFile() && entry.name === "host.log") out.push(path);
  }
  return out;
}

/** New bytes of every host log since the last call; returns the findings. */
export function scanHostLogs(known: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const file of hostLogs(root)) {
    let size: number;
    try {
      const stat = statSync(file);
      if (stat.mtimeMs < startedAt && !offsets.has(file)) continue;
      size = stat.size;
    } catch {
      continue; // deleted meanwhile
    }
    const from = offsets.get(file) ?? 0;
    if (size <= from) continue;
    const text = readFileSync(file).subarray(from, size).toString("utf8");
    offsets.set(file, size);
    totals.files.add(file);
    totals.bytes += size - from;
    totals.lines += text.split("\n").length - 1;
    for (const f of findSecretsInText(relative(process.cwd(), file), text, known)) found.push(`${f.where}: ${f.what} (${f.excerpt})`);
  }
  totals.findings += found.length;
  if (totals.files.size > 0) {
    mkdirSync(join(root, "reliability"), { recursive: true });
    const summary = { files: totals.files.size, bytes: totals.bytes, lines: totals.lines, findings: totals.findings };
    writeFileSync(join(root, "reliability", `logScan-${process.pid}.json`), JSON.stringify(summary) + "\n");
  }
  return found;
}

afterEach(() => {
  const found = scanHostLogs();
  if (found.length > 0) throw new Error(`credentials in host logs:\n${found.join("\n")}`);
});

// Cold start: time for a fresh Node process to load the app's entry, as the Functions worker does, three ways,
// interleaved in one run:
// - bundled: dist/index.js as built and deployed (app.js compiled from its V8 code cache, src/boot/loadBundle.ts);
// - bundled, no code cache: the same bundles with their .v8cache files left out (what the cache is worth);
// - unbundled: the plain tsc build (build/tsc/src/index.js, resolving node_modules).
// Each also with its first use: the composition root's SDKs (what the first request adds).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { printTable, writeResults } from "../lib/report";
import { summarize, type Summary } from "../lib/stats";

const runs = Number(process.env.COLDSTART_RUNS ?? 15);
const workerStub = resolve("scripts/workerStub.cjs");

// Loads the entry with @azure/functions-core supplied, reports the require() time, then what the first use adds,
// and how each bundle was compiled (boot.js's code-cache outcomes; none for the unbundled build).
const probe = `
require(${JSON.stringify(workerStub)}).installFunctionsCore();
const { existsSync } = require("node:fs");
const { join, dirname } = require("node:path");
const boot = join(dirname(process.argv[1]), "boot.js");
const t0 = performance.now();
require(process.argv[1]);
const t1 = performance.now();
// In dist/, the root's first use loads sdk.js through boot.js, as app.js does; unbundled, it requires lib/root.js.
if (process.argv[2]) existsSync(boot) ? require(boot).loadBundle(process.argv[2]) : require(process.argv[2]);
const outcomes = existsSync(boot) ? require(boot).codeCacheOutcomes() : {};
process.stdout.write(JSON.stringify({ entry: t1 - t0, firstUse: performance.now() - t1, outcomes }));
`;

interface Variant {
  label: string;
  entry: string;
  /** What the first use loads: the root's packages (bundled: sdk.js, through boot.js; unbundled: lib/root.js). */
  firstUse: string;
}

interface Sample {
  entry: number;
  firstUse: number;
  outcomes: Record<string, string>;
}

function measure(entry: string, then?: string): Sample {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // as the worker starts: V8 flags here would also make V8 refuse the code cache
  const r = spawnSync(process.execPath, ["-e", probe, entry, ...(then ? [then] : [])], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

/** dist/ without its code caches, in a temporary directory (the bundles find each other by relative path). */
function copyWithoutCodeCache(): string {
  const dir = mkdtempSync(join(tmpdir(), "coldstart-nocache-"));
  for (const f of readdirSync("dist")) if (f.endsWith(".js")) copyFileSync(join("dist", f), join(dir, f));
  return dir;
}

export async function main(): Promise<void> {
  execFileSync(process.execPath, ["scripts/build.mjs", "--unbundled"], { stdio: "inherit" });
  const noCache = copyWithoutCodeCache();
  const variants = {
    bundled: { label: "bundled (dist/index.js, code cache)", entry: resolve("dist/index.js"), firstUse: resolve("dist/sdk.js") },
    noCache: { label: "bundled, no code cache", entry: join(noCache, "index.js"), firstUse: join(noCache, "sdk.js") },
    unbundled: { label: "unbundled (build/tsc)", entry: resolve("build/tsc/src/index.js"), firstUse: resolve("build/tsc/src/lib/root.js") },
  } satisfies Record<string, Variant>;
  try {
    for (const v of Object.values(variants)) if (!existsSync(v.entry)) throw new Error(`missing ${v.entry}`);
    const cached = measure(variants.bundled.entry, variants.bundled.firstUse); // also warms the OS file cache
    const refused = Object.entries(cached.outcomes).filter(([, outcome]) => outcome !== "accepted");
    if (refused.length > 0) throw new Error(`the code cache was not used: ${JSON.stringify(refused)}`);
    measure(variants.noCache.entry);
    measure(variants.unbundled.entry);

    const entry = { bundled: [] as number[], noCache: [] as number[], unbundled: [] as number[] };
    const total = { bundled: [] as number[], noCache: [] as number[], unbundled: [] as number[] };
    for (let i = 0; i < runs; i++) {
      for (const key of Object.keys(variants) as (keyof typeof variants)[]) entry[key].push(measure(variants[key].entry).entry);
      // Separate processes for entry + first use, so the entry figures above are not disturbed.
      for (const key of Object.keys(variants) as (keyof typeof variants)[]) {
        const s = measure(variants[key].entry, variants[key].firstUse);
        total[key].push(s.entry + s.firstUse);
      }
    }
    const e = { bundled: summarize(entry.bundled), noCache: summarize(entry.noCache), unbundled: summarize(entry.unbundled) };
    const t = { bundled: summarize(total.bundled), noCache: summarize(total.noCache), unbundled: summarize(total.unbundled) };
    const row = (label: string, s: Summary) => [label, s.median, s.min, s.p95, s.max - s.min] as const;
    printTable(
      `Cold start: require() of the entry in a fresh process (${runs} runs each, ms)`,
      [
        ...(Object.keys(variants) as (keyof typeof variants)[]).map((k) => row(variants[k].label, e[k])),
        ...(Object.keys(variants) as (keyof typeof variants)[]).map((k) => row(`${variants[k].label}: entry + first use`, t[k])),
      ],
      ["entry", "median", "min", "p95", "spread"],
    );
    const pct = (a: Summary, b: Summary) => `${((a.median / b.median) * 100).toFixed(1)}%`;
    const ratio = e.bundled.median / e.unbundled.median;
    console.log(`\nentry, bundled/unbundled: ${pct(e.bundled, e.unbundled)} (target ≤ 25%); without the code cache: ${pct(e.noCache, e.unbundled)}`);
    console.log(`entry + first use, bundled/unbundled: ${pct(t.bundled, t.unbundled)}; without the code cache: ${pct(t.noCache, t.unbundled)}`);
    console.log(`bundled entry median ${e.bundled.median.toFixed(1)} ms (target ≤ 150 ms)`);
    writeResults("coldstart", {
      runs,
      bundledMedianMs: e.bundled.median,
      bundledP95Ms: e.bundled.p95,
      bundledSpreadMs: e.bundled.max - e.bundled.min,
      bundledNoCodeCacheMedianMs: e.noCache.median,
      unbundledMedianMs: e.unbundled.median,
      unbundledP95Ms: e.unbundled.p95,
      unbundledSpreadMs: e.unbundled.max - e.unbundled.min,
      ratio,
      ratioNoCodeCache: e.noCache.median / e.unbundled.median,
      bundledWithFirstUseMedianMs: t.bundled.median,
      bundledNoCodeCacheWithFirstUseMedianMs: t.noCache.median,
      unbundledWithFirstUseMedianMs: t.unbundled.median,
      ratioWithFirstUse: t.bundled.median / t.unbundled.median,
      meetsRatioTarget: ratio <= 0.25,
      meetsLatencyTarget: e.bundled.median <= 150,
    });
  } finally {
    rmSync(noCache, { recursive: true, force: true });
  }
}

// Cold start: time for a fresh Node process to load the app's entry, bundled (dist/index.js, what the
// Functions host loads) vs the plain tsc build (build/tsc/src/index.js, resolving node_modules), interleaved.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { printTable, writeResults } from "../lib/report";
import { summarize } from "../lib/stats";

const runs = Number(process.env.COLDSTART_RUNS ?? 15);
const entries = { bundled: resolve("dist/index.js"), unbundled: resolve("build/tsc/src/index.js") } as const;

// Loads the entry as the worker does, with @azure/functions-core supplied, and reports the require() time.
const probe = `
const Module = require("node:module");
const core = { setProgrammingModel() {}, getProgrammingModel() {}, registerFunction() { return { dispose() {} }; },
  registerHook() { return { dispose() {} }; }, log() {}, Disposable: class { dispose() {} } };
const original = Module.prototype.require;
Module.prototype.require = function (id) { return id === "@azure/functions-core" ? core : original.apply(this, arguments); };
const t0 = performance.now();
require(process.argv[1]);
const t1 = performance.now();
// Then what the first invocation adds: the composition root (src/lib/root, with every Azure SDK it imports).
if (process.argv[2]) require(process.argv[2]);
process.stdout.write(JSON.stringify({ entry: t1 - t0, firstUse: performance.now() - t1 }));
`;

// The first-use half: in dist/ the root is inside index.js (lazily initialized) and its SDKs are sdk.js, so
// "root" there means: every package sdk.js holds, evaluated (an upper bound: the audit's storage SDKs wait
// for the audit). Unbundled: build/tsc/src/lib/root.js, which requires the same packages.
const firstUse = { bundled: resolve("bench/coldstart/touchSdk.cjs"), unbundled: resolve("build/tsc/src/lib/root.js") } as const;

function measure(entry: string, then?: string): { entry: number; firstUse: number } {
  const r = spawnSync(process.execPath, ["-e", probe, entry, ...(then ? [then] : [])], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { entry: number; firstUse: number };
}

export async function main(): Promise<void> {
  execFileSync(process.execPath, ["scripts/build.mjs", "--unbundled"], { stdio: "inherit" });
  for (const e of Object.values(entries)) if (!existsSync(e)) throw new Error(`missing ${e}`);
  measure(entries.bundled); // warm the OS file cache for both, so neither pays for the disk
  measure(entries.unbundled);
  const samples = { bundled: [] as number[], unbundled: [] as number[], bundledTotal: [] as number[], unbundledTotal: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.bundled.push(measure(entries.bundled).entry);
    samples.unbundled.push(measure(entries.unbundled).entry);
    // Separate processes for entry + first use, so the entry figures above are not disturbed.
    const bt = measure(entries.bundled, firstUse.bundled);
    const ut = measure(entries.unbundled, firstUse.unbundled);
    samples.bundledTotal.push(bt.entry + bt.firstUse);
    samples.unbundledTotal.push(ut.entry + ut.firstUse);
  }
  const b = summarize(samples.bundled);
  const u = summarize(samples.unbundled);
  const bt = summarize(samples.bundledTotal);
  const ut = summarize(samples.unbundledTotal);
  const ratio = b.median / u.median;
  printTable(
    `Cold start: require() of the entry in a fresh process (${runs} runs each, ms)`,
    [
      ["bundled (dist/index.js)", b.median, b.min, b.p95, b.max - b.min],
      ["unbundled (build/tsc)", u.median, u.min, u.p95, u.max - u.min],
      ["bundled: entry + first use (root, every SDK)", bt.median, bt.min, bt.p95, bt.max - bt.min],
      ["unbundled: entry + first use (root, every SDK)", ut.median, ut.min, ut.p95, ut.max - ut.min],
    ],
    ["entry", "median", "min", "p95", "spread"],
  );
  console.log(`\nentry + first use, bundled/unbundled: ${((bt.median / ut.median) * 100).toFixed(1)}%`);
  console.log(`\nbundled/unbundled median ratio: ${(ratio * 100).toFixed(1)}% (target ≤ 25%); bundled median ${b.median.toFixed(1)} ms (target ≤ 150 ms)`);
  writeResults("coldstart", {
    runs,
    bundledMedianMs: b.median,
    bundledP95Ms: b.p95,
    bundledSpreadMs: b.max - b.min,
    unbundledMedianMs: u.median,
    unbundledP95Ms: u.p95,
    unbundledSpreadMs: u.max - u.min,
    ratio,
    bundledWithFirstUseMedianMs: bt.median,
    unbundledWithFirstUseMedianMs: ut.median,
    ratioWithFirstUse: bt.median / ut.median,
    meetsRatioTarget: ratio <= 0.25,
    meetsLatencyTarget: b.median <= 150,
  });
}

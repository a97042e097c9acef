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
process.stdout.write(String(performance.now() - t0));
`;

function measure(entry: string): number {
  const r = spawnSync(process.execPath, ["-e", probe, entry], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
  return Number(r.stdout);
}

export async function main(): Promise<void> {
  execFileSync(process.execPath, ["scripts/build.mjs", "--unbundled"], { stdio: "inherit" });
  for (const e of Object.values(entries)) if (!existsSync(e)) throw new Error(`missing ${e}`);
  measure(entries.bundled); // warm the OS file cache for both, so neither pays for the disk
  measure(entries.unbundled);
  const samples = { bundled: [] as number[], unbundled: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.bundled.push(measure(entries.bundled));
    samples.unbundled.push(measure(entries.unbundled));
  }
  const b = summarize(samples.bundled);
  const u = summarize(samples.unbundled);
  const ratio = b.median / u.median;
  printTable(
    `Cold start: require() of the entry in a fresh process (${runs} runs each, ms)`,
    [
      ["bundled (dist/index.js)", b.median, b.min, b.p95, b.max - b.min],
      ["unbundled (build/tsc)", u.median, u.min, u.p95, u.max - u.min],
    ],
    ["entry", "median", "min", "p95", "spread"],
  );
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
    meetsRatioTarget: ratio <= 0.25,
    meetsLatencyTarget: b.median <= 150,
  });
}

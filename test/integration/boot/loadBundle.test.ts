// dist/boot.js (src/boot/loadBundle.ts), which runs the bundles from their V8 code caches, in fresh Node processes
// as the worker would start: a cache is used only when made from the same bytes and accepted by V8, and a bundle
// loads as require() would load it in every case. Also: the caches the build wrote for dist/ are accepted here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBundle } from "../../e2e/ensureBundle";

const boot = resolve("dist/boot.js");
let dir: string;

beforeAll(() => {
  ensureBundle();
  dir = mkdtempSync(join(tmpdir(), "loadBundle-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `script` in a fresh Node (no NODE_OPTIONS) with `boot` bound to dist/boot.js; returns its JSON output. */
function node<T>(script: string, execArgv: string[] = []): T {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [...execArgv, "-e", `const boot = require(${JSON.stringify(boot)});\n${script}`], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** Writes the cache of `file` as the build does: load it, then save what V8 compiled. */
function writeCache(file: string): void {
  node(`boot.loadBundle(${JSON.stringify(file)});
for (const [path, bytes] of boot.createCodeCaches()) require("node:fs").writeFileSync(path, bytes);
process.stdout.write("{}");`);
}

const loadAndReport = (file: string) => `const exported = boot.loadBundle(${JSON.stringify(file)});
process.stdout.write(JSON.stringify({ exported, outcome: boot.codeCacheOutcomes()[${JSON.stringify(file)}] }));`;

function bundle(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe("loadBundle", () => {
  it("runs a bundle from its cache as require() would: same module, paths, relative require", () => {
    bundle("sibling.js", "exports.value = 42;");
    const file = bundle(
      "module.js",
      `exports.dirname = __dirname; exports.filename = __filename; exports.sibling = require("./sibling.js").value;
exports.isModuleExports = module.exports === exports; exports.ran = (globalThis.runs = (globalThis.runs ?? 0) + 1);`,
    );
    writeCache(file);
    const seen = node<{ exported: Record<string, unknown>; outcome: string; sameInstance: boolean; cached: boolean; again: number }>(
      `const exported = boot.loadBundle(${JSON.stringify(file)});
const sameInstance = require(${JSON.stringify(file)}) === exported && boot.loadBundle(${JSON.stringify(file)}) === exported;
process.stdout.write(JSON.stringify({ exported, outcome: boot.codeCacheOutcomes()[${JSON.stringify(file)}],
  sameInstance, cached: require.cache[${JSON.stringify(file)}].loaded, again: globalThis.runs }));`,
    );
    expect(seen.outcome).toBe("accepted");
    expect(seen.exported).toEqual({ dirname: dir, filename: file, sibling: 42, isModuleExports: true, ran: 1 });
    expect(seen.sameInstance).toBe(true);
    expect(seen.cached).toBe(true);
    expect(seen.again).toBe(1); // loaded once, however it is asked for
  });

  it("never runs code from a cache made of other bytes, though V8 alone would (it checks only the length)", () => {
    const file = bundle("swapped.js", `exports.say = function say() { return "AAAA"; }; exports.said = exports.say();`);
    writeCache(file);
    writeFileSync(file, `exports.say = function say() { return "BBBB"; }; exports.said = exports.say();`); // same length
    const seen = node<{ exported: { said: string }; outcome: string }>(loadAndReport(file));
    expect(seen.outcome).toBe("stale");
    expect(seen.exported.said).toBe("BBBB");

    // Why the header's SHA-256 is there: handed the same cache, V8 accepts it and runs the old function.
    const v8Alone = node<{ rejected: boolean; said: string }>(
      `const vm = require("node:vm"), fs = require("node:fs"), Module = require("node:module");
const file = ${JSON.stringify(file)};
const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData: fs.readFileSync(file + ".v8cache").subarray(40) });
const m = { exports: {} };
script.runInThisContext()(m.exports, require, m, file, ${JSON.stringify(dir)});
process.stdout.write(JSON.stringify({ rejected: script.cachedDataRejected, said: m.exports.say() }));`,
    );
    expect(v8Alone).toEqual({ rejected: false, said: "AAAA" });
  });

  it("compiles the bundle itself when V8 refuses the cache (a worker started with heap flags) or there is none", () => {
    const file = bundle("flags.js", `exports.answer = 6 * 7;`);
    writeCache(file);
    expect(node(loadAndReport(file), ["--max-semi-space-size=32"])).toEqual({ exported: { answer: 42 }, outcome: "rejected" });
    const bare = bundle("bare.js", `exports.answer = 6 * 7;`);
    expect(node(loadAndReport(bare))).toEqual({ exported: { answer: 42 }, outcome: "absent" });
  });

  it("lets a failed load fail again on the next attempt, as require() does", () => {
    const file = bundle("throws.js", `globalThis.attempts = (globalThis.attempts ?? 0) + 1; throw new Error("attempt " + globalThis.attempts);`);
    const seen = node<{ errors: string[]; cached: boolean }>(
      `const errors = [];
for (let i = 0; i < 2; i++) try { boot.loadBundle(${JSON.stringify(file)}); } catch (e) { errors.push(e.message); }
process.stdout.write(JSON.stringify({ errors, cached: ${JSON.stringify(file)} in require.cache }));`,
    );
    expect(seen).toEqual({ errors: ["attempt 1", "attempt 2"], cached: false });
  });

  it("with --enable-source-maps, leaves the bundle to require() so its stack traces point into the TypeScript", async () => {
    const source = join(dir, "mapped.ts");
    writeFileSync(source, `export function where(): string {\n  return new Error("here").stack ?? "";\n}\n`);
    const file = join(dir, "mapped.js");
    await build({ entryPoints: [source], bundle: true, platform: "node", format: "cjs", minify: true, sourcemap: "linked", outfile: file, logLevel: "error" });
    writeCache(file);
    const seen = node<{ stack: string; outcome: string }>(
      `const { where } = boot.loadBundle(${JSON.stringify(file)});
process.stdout.write(JSON.stringify({ stack: where(), outcome: boot.codeCacheOutcomes()[${JSON.stringify(file)}] }));`,
      ["--enable-source-maps"],
    );
    expect(seen.outcome).toBe("disabled");
    expect(seen.stack).toContain(`${source}:2:`);
  });
});

describe("the caches of dist/", () => {
  it("are accepted by this Node for every bundle, loaded as the worker loads the entry", () => {
    const seen = node<Record<string, string>>(
      `require(${JSON.stringify(resolve("scripts/workerStub.cjs"))}).installFunctionsCore();
require(${JSON.stringify(resolve("dist/index.js"))});
boot.loadBundle(${JSON.stringify(resolve("dist/sdk.js"))});
boot.loadBundle(${JSON.stringify(resolve("dist/telemetry.js"))});
process.stdout.write(JSON.stringify(boot.codeCacheOutcomes()));`,
    );
    expect(seen).toEqual({ [resolve("dist/app.js")]: "accepted", [resolve("dist/sdk.js")]: "accepted", [resolve("dist/telemetry.js")]: "accepted" });
    // Each cache names the exact bundle it was made from.
    expect(readFileSync(resolve("dist/app.js.v8cache")).subarray(0, 8).toString()).toBe("ADXV8C01");
  });

  it("hold no import(), which a bundle compiled through boot.js cannot run (a code cache drops its callback)", () => {
    const file = bundle("dynamic.js", "exports.loading = import('node:path');");
    const seen = node<{ outcome: string; error: string }>(
      `boot.loadBundle(${JSON.stringify(file)}).loading.catch((e) => process.stdout.write(JSON.stringify({ outcome: boot.codeCacheOutcomes()[${JSON.stringify(file)}], error: e.code })));`,
    );
    expect(seen).toEqual({ outcome: "absent", error: "ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING" });
    // So the build turns import() of a built-in (OpenTelemetry's OTLP exporters import "http") into require().
    for (const bundleFile of ["app.js", "sdk.js", "telemetry.js"]) {
      expect(readFileSync(resolve("dist", bundleFile), "utf8")).not.toMatch(/(^|[^\w$.])import\(/);
    }
  });
});

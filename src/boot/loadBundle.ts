// Loads the bundles of dist/ (app.js, sdk.js, telemetry.js) through V8's code cache, written beside each bundle
// by the build (scripts/writeCodeCache.cjs): V8 then skips parsing and compiling what the cache holds, which is
// most of a cold start's cost once the app is one file. Node 22's module.enableCompileCache() does the same with
// a cache written at run time; this one ships in the package, so the first cold start of an instance has it.
// A cache is used only if it was made from these exact bytes (a SHA-256 in its header) and V8 accepts it (same V8
// version and flags: a worker started with heap flags rejects it); otherwise the bundle compiles as require()
// would compile it. Nothing here writes at run time.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";

/** What happened to a bundle's code cache: used, refused by V8, absent or stale, or not tried. */
export type CodeCacheOutcome = "accepted" | "rejected" | "absent" | "stale" | "disabled";

/** Header of a `.v8cache` file: magic, then the SHA-256 of the bundle it was made from, then V8's data. */
const magic = Buffer.from("ADXV8C01");
const headerLength = magic.length + 32;

export const codeCacheSuffix = ".v8cache";

const scripts = new Map<string, { script: vm.Script; sourceHash: Buffer }>();
const outcomes = new Map<string, CodeCacheOutcome>();

/** `require(file)` for a bundle of dist/: the same module object and cache entry, compiled from its code cache. */
export function loadBundle(file: string): unknown {
  const cached = require.cache[file];
  if (cached) return cached.exports as unknown;
  // With --enable-source-maps, Node maps stack traces only of what its own loader compiled: debugging wins.
  if (!canUseCodeCache()) {
    outcomes.set(file, "disabled");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as unknown;
  }
  const source = readFileSync(file);
  const sourceHash = createHash("sha256").update(source).digest();
  const cache = readCodeCache(file, sourceHash);
  // No importModuleDynamically: on Node 20 a script from a code cache loses it anyway, so the build leaves no
  // import() in a bundle (scripts/build.mjs, builtinImportAsRequire).
  const script = new vm.Script(Module.wrap(source.toString("utf8")), { filename: file, cachedData: cache.data });
  outcomes.set(file, cache.data ? (script.cachedDataRejected ? "rejected" : "accepted") : cache.outcome);
  scripts.set(file, { script, sourceHash });

  // The module object require() would make: in require.cache under its path, so a plain require() of the file,
  // or a second loadBundle(), gets this same instance (one copy of each SDK, as bundleTelemetry.test checks).
  const mod = new Module(file, module);
  mod.filename = file;
  require.cache[file] = mod;
  try {
    const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    run.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  } catch (error) {
    delete require.cache[file]; // as require() does: a later attempt runs it again
    throw error;
  }
  mod.loaded = true;
  return mod.exports;
}

/** How each bundle loaded in this process was compiled (for the cold-start benchmark and diagnostics). */
export function codeCacheOutcomes(): Record<string, CodeCacheOutcome> {
  return Object.fromEntries(outcomes);
}

/**
 * The code caches of every bundle this process loaded, as V8 has compiled them so far (so after a run, they hold
 * the functions that run compiled): file → bytes of its `.v8cache`. The build writes them; nothing else should.
 */
export function createCodeCaches(): Map<string, Buffer> {
  const caches = new Map<string, Buffer>();
  for (const [file, { script, sourceHash }] of scripts) {
    caches.set(file + codeCacheSuffix, Buffer.concat([magic, sourceHash, script.createCachedData()]));
  }
  return caches;
}

function canUseCodeCache(): boolean {
  return !process.sourceMapsEnabled;
}

function readCodeCache(file: string, sourceHash: Buffer): { data?: Buffer; outcome: CodeCacheOutcome } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file + codeCacheSuffix);
  } catch {
    return { outcome: "absent" };
  }
  const made = bytes.subarray(0, headerLength);
  if (made.length < headerLength || !made.subarray(0, magic.length).equals(magic) || !made.subarray(magic.length).equals(sourceHash)) {
    return { outcome: "stale" }; // V8 checks only the source's length: code from other bytes must never run
  }
  return { data: bytes.subarray(headerLength), outcome: "accepted" };
}

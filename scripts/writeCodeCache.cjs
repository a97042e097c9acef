// Writes the V8 code cache of each bundle in dist/ (<bundle>.v8cache, read by src/boot/loadBundle.ts): loads the
// entry as the worker does (registrations run, so the cache holds what they compile), then sdk.js and
// telemetry.js (their top level), and saves what V8 compiled. scripts/build.mjs runs it in a clean Node: a cache
// is accepted only under the V8 version and flags it was made with.
const { renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { installFunctionsCore } = require("./workerStub.cjs");

const dist = process.argv[2];
installFunctionsCore();
require(join(dist, "index.js"));
const boot = require(join(dist, "boot.js"));
boot.loadBundle(join(dist, "sdk.js"));
boot.loadBundle(join(dist, "telemetry.js"));

const outcomes = boot.codeCacheOutcomes();
const disabled = Object.keys(outcomes).filter((file) => outcomes[file] === "disabled");
if (disabled.length > 0) throw new Error(`no code cache can be made here (source maps are on): ${disabled.join(", ")}`);
for (const [file, bytes] of boot.createCodeCaches()) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
}
process.exit(0); // whatever a bundle's top level left scheduled

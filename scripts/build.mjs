// Bundles the app into dist/index.js (what package.json "main" names and the Functions host loads), and the
// telemetry SDK (OpenTelemetry + the Azure Monitor distro, ~10x the app) apart into dist/telemetry.js, which the
// app requires only when telemetry is configured: the distro stays off the cold-start path otherwise.
// `--unbundled` also emits a plain tsc build under build/tsc for the cold-start comparison.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// src/lib/azure/telemetry.ts requires "./telemetrySdk": in the bundle, the file beside dist/index.js.
const telemetrySdkApart = {
  name: "telemetry-sdk-apart",
  setup(b) {
    b.onResolve({ filter: /^\.\/telemetrySdk$/ }, (args) =>
      args.importer.endsWith(join("src", "lib", "azure", "telemetry.ts")) ? { path: "./telemetry.js", external: true } : undefined,
    );
  },
};

const shared = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  // Prefer packages' ESM builds: they tree-shake and scope-hoist, CJS builds do not (cold start).
  mainFields: ["module", "main"],
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  // Supplied at run time by the Functions worker (or the local host), never bundled.
  external: ["@azure/functions-core"],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
};

await Promise.all([
  build({ ...shared, entryPoints: ["src/index.ts"], outfile: "dist/index.js", plugins: [telemetrySdkApart] }),
  build({
    ...shared,
    entryPoints: ["src/lib/azure/telemetrySdk.ts"],
    outfile: "dist/telemetry.js",
    // The distro's ESM build locates itself (config file, @azure/functions-core) with import.meta.url.
    define: { ...shared.define, "import.meta.url": "__importMetaUrl" },
    banner: { js: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  }),
]);

if (process.argv.includes("--unbundled")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

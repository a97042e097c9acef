// Bundles the app into dist/index.js (what package.json "main" names and the Functions host loads).
// `--unbundled` also emits a plain tsc build under build/tsc for the cold-start comparison.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/index.ts"],
  outfile: "dist/index.js",
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
});

if (process.argv.includes("--unbundled")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

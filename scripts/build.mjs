// Bundles the app into dist/index.js (what package.json "main" names and the Functions host loads) with the
// code that registers functions; the packages the composition root needs (the Azure SDKs) into dist/sdk.js,
// which index.js requires on first use; and the telemetry SDK (OpenTelemetry + the Azure Monitor distro, ~10x
// the app) into dist/telemetry.js, required only when telemetry is configured. Loading the entry (the host's
// cold start) thus parses and runs only the registrations.
// `--unbundled` also emits a plain tsc build under build/tsc for the cold-start comparison.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const srcDir = join(root, "src") + "/";
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

// The Azure SDKs and other packages the app imports (all but the few the entry needs to register functions) go
// to dist/sdk.js, which the composition root requires on first use (src/functions/root.ts): loading the entry
// then parses and runs only the registrations. One sdk.js, so every package exists once (RestError & co.).
const keptInEntry = new Set(["@azure/functions", "@azure/functions-core", "zod/mini"]);
/** package → the names src imports from it, or "*" (a namespace import, a require, or a form not parsed here). */
const sdkImports = new Map();
const sdkApart = {
  name: "sdk-apart",
  setup(b) {
    b.onResolve({ filter: /^\.\/sdk\.js$/ }, () => ({ path: "./sdk.js", external: true }));
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!args.importer.startsWith(srcDir) || args.path.startsWith("node:") || keptInEntry.has(args.path)) return undefined;
      const names = args.kind === "import-statement" ? importedNames(readFileSync(args.importer, "utf8"), args.path) : "*";
      const known = sdkImports.get(args.path) ?? new Set();
      sdkImports.set(args.path, known === "*" || names === "*" ? "*" : new Set([...known, ...names]));
      return { path: args.path, namespace: "sdk" };
    });
    b.onLoad({ filter: /.*/, namespace: "sdk" }, (args) => ({ contents: `module.exports = require("./sdk.js").packages[${JSON.stringify(args.path)}];`, loader: "js" }));
  },
};

/** The names `source` imports from `specifier` with `import { a, b as c } from`, or "*" for any other form. */
function importedNames(source, specifier) {
  const quoted = specifier.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const names = new Set();
  for (const m of source.matchAll(new RegExp(`import\\s+(type\\s+)?([^;]*?)\\s+from\\s+["']${quoted}["']`, "g"))) {
    if (m[1]) continue; // import type: erased
    const braces = /^\{([^}]*)\}$/.exec(m[2].trim());
    if (!braces) return "*";
    for (const part of braces[1].split(",").map((x) => x.trim()).filter(Boolean)) {
      if (!part.startsWith("type ")) names.add(part.split(/\s+as\s+/)[0]);
    }
  }
  return names;
}

/** sdk.js: the packages (only the names src uses, so they tree-shake) as `packages[specifier]`. */
function sdkEntry() {
  const lines = [];
  const entries = [];
  [...sdkImports].sort(([a], [b]) => a.localeCompare(b)).forEach(([pkg, names], i) => {
    if (names === "*") {
      lines.push(`import * as p${i} from ${JSON.stringify(pkg)};`);
      entries.push(`${JSON.stringify(pkg)}: p${i}`);
    } else {
      const list = [...names].sort();
      lines.push(`import { ${list.map((n) => `${n} as p${i}_${n}`).join(", ")} } from ${JSON.stringify(pkg)};`);
      entries.push(`${JSON.stringify(pkg)}: { ${list.map((n) => `${n}: p${i}_${n}`).join(", ")} }`);
    }
  });
  return `${lines.join("\n")}\nexport const packages = { ${entries.join(", ")} };\n`;
}

await Promise.all([
  build({ ...shared, entryPoints: ["src/index.ts"], outfile: "dist/index.js", plugins: [telemetrySdkApart, sdkApart] }),
  build({
    ...shared,
    entryPoints: ["src/lib/azure/telemetrySdk.ts"],
    outfile: "dist/telemetry.js",
    // The distro's ESM build locates itself (config file, @azure/functions-core) with import.meta.url.
    define: { ...shared.define, "import.meta.url": "__importMetaUrl" },
    banner: { js: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  }),
]);

await build({ ...shared, stdin: { contents: sdkEntry(), resolveDir: root, sourcefile: "sdk-entry.js", loader: "js" }, outfile: "dist/sdk.js" });

if (process.argv.includes("--unbundled")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

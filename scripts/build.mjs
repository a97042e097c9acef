// Bundles the app for the Functions host into dist/:
// - index.js, what package.json "main" names and the host loads: it runs app.js through boot.js, which compiles
//   each bundle from the V8 code cache written beside it (src/boot/loadBundle.ts, scripts/writeCodeCache.cjs);
// - app.js, the code that registers functions (plus src, whose composition root runs on first use);
// - sdk.js, the packages the composition root needs (the Azure SDKs), which app.js loads on first use;
// - telemetry.js, the telemetry SDK (OpenTelemetry + the Azure Monitor distro, ~10x the app), loaded only when
//   telemetry is configured.
// Loading the entry (the host's cold start) thus parses and runs only the registrations, mostly from the cache.
// Every file is written whole then renamed, so a process loading dist/ meanwhile never reads half a file.
// `--unbundled` also emits a plain tsc build under build/tsc for the cold-start comparison.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const srcDir = join(root, "src") + "/";
const codeCacheSuffix = ".v8cache"; // src/boot/loadBundle.ts
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** A module of app.js that loads a bundle beside it through boot.js (its code cache), as require() would. */
const loadBeside = (bundle) => `module.exports = require("./boot.js").loadBundle(require("node:path").join(__dirname, ${JSON.stringify(bundle)}));`;

// src/lib/azure/telemetry.ts requires "./telemetrySdk": in the bundle, telemetry.js beside app.js.
const telemetrySdkApart = {
  name: "telemetry-sdk-apart",
  setup(b) {
    b.onResolve({ filter: /^\.\/telemetrySdk$/ }, (args) =>
      args.importer.endsWith(join("src", "lib", "azure", "telemetry.ts")) ? { path: "telemetry.js", namespace: "beside" } : undefined,
    );
    // boot.js, not a copy of it: src's imports of the loader (codeCacheOutcomes) must see the one index.js ran.
    b.onResolve({ filter: /^\.\/boot\.js$|\/boot\/loadBundle$/ }, () => ({ path: "./boot.js", external: true }));
    b.onLoad({ filter: /.*/, namespace: "beside" }, (args) => ({ contents: loadBeside(args.path), loader: "js" }));
  },
};

// A script compiled from a V8 code cache cannot run import() on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING:
// the cache drops the callback), so no bundle may keep one: import() of a Node built-in (OpenTelemetry's OTLP
// exporters import "http"/"https") becomes a require() of it, and the build fails on any other kept import().
const builtinImportAsRequire = {
  name: "builtin-import-as-require",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      args.kind === "dynamic-import" && isBuiltin(args.path) ? { path: args.path, namespace: "builtin-import" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "builtin-import" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
  },
};

/** Throws if an output still holds an import() (see builtinImportAsRequire). */
function assertNoDynamicImport(result) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const kept = output.imports.filter((i) => i.kind === "dynamic-import" && i.external).map((i) => i.path);
    if (kept.length > 0) throw new Error(`${file} keeps import() of ${kept.join(", ")}: code-cached bundles cannot run it`);
  }
  return result;
}

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
  write: false, // writeWhole() below
  metafile: true,
  plugins: [builtinImportAsRequire],
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
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (!args.importer.startsWith(srcDir) || args.path.startsWith("node:") || keptInEntry.has(args.path)) return undefined;
      const names = args.kind === "import-statement" ? importedNames(readFileSync(args.importer, "utf8"), args.path) : "*";
      const known = sdkImports.get(args.path) ?? new Set();
      sdkImports.set(args.path, known === "*" || names === "*" ? "*" : new Set([...known, ...names]));
      return { path: args.path, namespace: "sdk" };
    });
    b.onLoad({ filter: /.*/, namespace: "sdk" }, (args) => ({ contents: `${loadBeside("sdk.js")}\nmodule.exports = module.exports.packages[${JSON.stringify(args.path)}];`, loader: "js" }));
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

/** Writes esbuild's output files, each whole: to a temporary name, then renamed over the old one. */
function writeWhole(result) {
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

const results = await Promise.all([
  build({ ...shared, entryPoints: ["src/index.ts"], outfile: "dist/app.js", plugins: [...shared.plugins, telemetrySdkApart, sdkApart] }),
  build({ ...shared, entryPoints: ["src/boot/loadBundle.ts"], outfile: "dist/boot.js", sourcemap: false }),
  build({
    ...shared,
    entryPoints: ["src/lib/azure/telemetrySdk.ts"],
    outfile: "dist/telemetry.js",
    // The distro's ESM build locates itself (config file, @azure/functions-core) with import.meta.url.
    define: { ...shared.define, "import.meta.url": "__importMetaUrl" },
    banner: { js: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  }),
]);
results.push(await build({ ...shared, stdin: { contents: sdkEntry(), resolveDir: root, sourcefile: "sdk-entry.js", loader: "js" }, outfile: "dist/sdk.js" }));
results.push({
  outputFiles: [
    {
      path: join(root, "dist", "index.js"),
      contents: Buffer.from(
        '"use strict";\n// The entry the Functions host loads (package.json "main"): the app, compiled from its V8 code cache.\n' +
          'module.exports = require("./boot.js").loadBundle(require("node:path").join(__dirname, "app.js"));\n',
      ),
    },
  ],
});
results.filter((r) => r.metafile).forEach(assertNoDynamicImport);
results.forEach(writeWhole);
// dist/ holds this build and nothing else (no leftovers of an earlier layout deployed with it).
const written = new Set(results.flatMap((r) => r.outputFiles.map((f) => f.path)));
for (const name of readdirSync(join(root, "dist"))) {
  const path = join(root, "dist", name);
  if (!written.has(path) && !written.has(path.slice(0, -codeCacheSuffix.length)) && !name.endsWith(".tmp")) rmSync(path, { force: true });
}

// The code caches, made by a clean Node (no NODE_OPTIONS: V8 refuses a cache made under other flags) that loads
// the bundles as the worker does; it needs no setting and starts nothing.
execFileSync(process.execPath, [join(root, "scripts", "writeCodeCache.cjs"), join(root, "dist")], {
  stdio: "inherit",
  env: { PATH: process.env.PATH ?? "" },
});

if (process.argv.includes("--unbundled")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

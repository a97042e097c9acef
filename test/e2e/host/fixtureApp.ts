// Builds the host fixture app (test/fixtures/hostApp) into a fresh directory under .local/tmp, as Azure would
// receive it: package.json "main" pointing at an esbuild CJS bundle, host.json beside it.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const repoRoot = resolve(__dirname, "../../..");
const fixtureRoot = join(repoRoot, "test/fixtures/hostApp");

export function createTempDir(prefix: string): string {
  const base = join(repoRoot, ".local/tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}

export async function buildFixtureApp(): Promise<string> {
  const appRoot = createTempDir("hostApp-");
  await build({
    entryPoints: [join(fixtureRoot, "src/index.ts")],
    outfile: join(appRoot, "dist/index.js"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@azure/functions-core"],
    logLevel: "warning",
  });
  copyFileSync(join(fixtureRoot, "host.json"), join(appRoot, "host.json"));
  copyFileSync(join(fixtureRoot, "package.json"), join(appRoot, "package.json"));
  writeFileSync(join(appRoot, ".gitignore"), "*\n");
  return appRoot;
}

export { repoRoot };

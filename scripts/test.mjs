// `npm test`: every check CI makes, in order, failing fast: lint (with the layer rules), type check,
// build (tests load the bundled entry as Azure does), then every vitest suite.
import { spawnSync } from "node:child_process";

const node = process.execPath;
const steps = [
  ["lint", [node, "node_modules/eslint/bin/eslint.js", "."]],
  ["typecheck", [node, "node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["build", [node, "scripts/build.mjs"]],
  ["tests", [node, "node_modules/vitest/vitest.mjs", "run", ...process.argv.slice(2)]],
];

for (const [name, [cmd, ...args]] of steps) {
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n${name} failed (${seconds}s)`);
    process.exit(result.status ?? 1);
  }
  console.log(`${name} ok (${seconds}s)`);
}

// `npm test`: every check CI makes, in order, failing fast: lint (with the layer rules), type check,
// build (tests load the bundled entry as Azure does), then every vitest suite, then least privilege: the
// emulator logs every authorized ARM action to ARM_ACTION_LOG during the suites, and the app's identities
// must have done nothing their custom roles lack (scripts/checkLeastPrivilege.ts).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const node = process.execPath;
const filters = process.argv.slice(2);
const actionLog = resolve(".local", "arm-actions.jsonl");
mkdirSync(join(actionLog, ".."), { recursive: true });
rmSync(actionLog, { force: true });
// The reliability suites write their measured rows here (scripts/reliabilityReport.ts): this run's only.
rmSync(resolve(".local", "reliability"), { recursive: true, force: true });
const withActionLog = { ...process.env, ARM_ACTION_LOG: actionLog };
const steps = [
  ["lint", [node, "node_modules/eslint/bin/eslint.js", "."]],
  ["typecheck", [node, "node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["build", [node, "scripts/build.mjs"]],
  ["tests", [node, "node_modules/vitest/vitest.mjs", "run", ...filters], withActionLog],
  // A filtered run cannot show that every role action is used; it can still show one is missing.
  ["least privilege", [node, "node_modules/tsx/dist/cli.mjs", "scripts/checkLeastPrivilege.ts", "--log", actionLog, ...(filters.length > 0 ? ["--coverage-only"] : [])]],
];

for (const [name, [cmd, ...args], env] of steps) {
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: "inherit", env: env ?? process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n${name} failed (${seconds}s)`);
    process.exit(result.status ?? 1);
  }
  console.log(`${name} ok (${seconds}s)`);
}

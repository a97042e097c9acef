// E2E tests load dist/index.js as Azure would; `npm test` builds it first, a lone vitest run builds it here.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export function ensureBundle(): void {
  if (!existsSync("dist/index.js")) execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}

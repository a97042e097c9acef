// The composition root is required by the first invocation that needs it, not when the host loads the entry:
// loading the entry only registers functions. In dist/, the root's Azure SDKs are in sdk.js beside index.js
// (scripts/build.mjs), so the entry's load neither parses nor runs them; bench/coldstart measures both halves.
import type * as RootModule from "../lib/root";

let loaded: typeof RootModule | undefined;

export function rootModule(): typeof RootModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require("../lib/root") as typeof RootModule);
}

export const getRoot: typeof RootModule.getRoot = () => rootModule().getRoot();

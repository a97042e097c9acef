import { defineConfig } from "vitest/config";

// Four suites, as STYLE.md lays out: unit (pure code), functions (handlers in-process),
// integration (emulator + Azurite with the real SDK clients), e2e (the local host over HTTP).
export default defineConfig({
  test: {
    pool: "forks",
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "functions", include: ["test/functions/**/*.test.ts"], setupFiles: ["test/support/requireTypeScript.ts"] } },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // hostLogScan: every host log an e2e test produces is scanned for JWTs and keys (issue 8).
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], setupFiles: ["test/support/hostLogScan.ts"], testTimeout: 90_000, hookTimeout: 90_000 },
      },
      // Issue 8's campaign (faults, crashes, fuzzing, auth, secrets, concurrency, limits): fast variants in CI,
      // longer ones by env var (docs/reliability.md). Suites write measured rows to .local/reliability/.
      {
        extends: true,
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          setupFiles: ["test/support/hostLogScan.ts"],
          testTimeout: 120_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});

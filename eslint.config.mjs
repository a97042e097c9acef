// Lint, including the layer rules of STYLE.md: they are checked here, not hoped for.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const sdkOnlyInAzure = {
  group: [
    "@azure/arm-*",
    "@azure/identity",
    "@azure/data-tables",
    "@azure/storage-queue",
    "@azure/storage-blob",
    "@azure/eventgrid",
    "@azure/core-rest-pipeline",
  ],
  message: "Azure SDKs are used only in src/lib/azure (adapters).",
};
const functionsRuntime = { group: ["@azure/functions"], message: "src/lib never depends on the Functions runtime." };

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "build/", ".local/", "coverage/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "no-console": "error",
      "no-restricted-imports": ["error", { patterns: [sdkOnlyInAzure] }],
    },
  },
  {
    files: ["src/lib/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [sdkOnlyInAzure, functionsRuntime] }] },
  },
  {
    files: ["src/lib/azure/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [functionsRuntime] }] },
  },
  {
    files: ["src/functions/**/*.ts", "src/index.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [sdkOnlyInAzure] }] },
  },
  {
    files: ["test/**/*.ts", "emulator/**/*.ts", "bench/**/*.ts", "scripts/**/*.{ts,mjs}"],
    rules: { "no-restricted-imports": "off" },
  },
  { files: ["emulator/**/*.ts", "bench/**/*.ts", "scripts/**/*.{ts,mjs}"], rules: { "no-console": "off" } },
  // CommonJS on purpose (loaded by plain Node, before or outside any bundle): require() is its import.
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs" }, rules: { "@typescript-eslint/no-require-imports": "off" } },
);

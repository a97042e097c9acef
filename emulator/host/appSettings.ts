// App settings as the host sees them: local.settings.json "Values" under the process environment, and the
// %NAME% binding expressions that read them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type AppSettings = Readonly<Record<string, string>>;

/** local.settings.json Values (when present) overlaid by the environment: the environment wins, as in Core Tools. */
export function loadAppSettings(appRoot: string, env: Record<string, string | undefined>): AppSettings {
  const settings: Record<string, string> = {};
  const file = join(appRoot, "local.settings.json");
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, unknown> };
    for (const [key, value] of Object.entries(parsed.Values ?? {})) {
      if (value !== undefined && value !== null) settings[key] = String(value);
    }
  }
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

/** Replaces each %NAME% with its app setting; a missing setting is an error, as the host fails indexing then. */
export function resolveSettingExpression(expression: string, settings: AppSettings): string {
  return expression.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = settings[name];
    if (value === undefined) {
      throw new Error(`'%${name}%' does not resolve to a value: app setting '${name}' is not defined.`);
    }
    return value;
  });
}

/** Whether the app settings ask for --enable-source-maps, the one Node argument the host can apply once started. */
export function nodeArgumentsEnableSourceMaps(env: NodeJS.ProcessEnv): boolean {
  const args = env.languageWorkers__node__arguments ?? env["languageWorkers:node:arguments"] ?? "";
  return args.split(/\s+/).includes("--enable-source-maps");
}

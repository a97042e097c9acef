// CLI: starts the local Azure control plane standalone and prints its handle as JSON (Ctrl+C stops it).
// Usage: tsx emulator/main.ts [--world emulator/worlds/demo.json] [--state-dir .local/emulator] [--port 0]
//        [--no-throttling] [--time-scale 1]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startEmulator } from "./index";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      world: { type: "string", default: resolve(__dirname, "worlds", "demo.json") },
      "state-dir": { type: "string", default: resolve(process.cwd(), ".local", "emulator") },
      port: { type: "string", default: "0" },
      "no-throttling": { type: "boolean", default: false },
      "time-scale": { type: "string", default: "1" },
    },
  });
  const handle = await startEmulator({
    stateDir: values["state-dir"] as string,
    world: values.world as string,
    port: Number(values.port),
    throttling: !values["no-throttling"],
    timeScale: Number(values["time-scale"]),
  });
  const { world: _world, tokens: _tokens, close, ...printable } = handle;
  const meta = (JSON.parse(readFileSync(values.world as string, "utf8")) as { meta?: Record<string, string> }).meta;
  console.log(JSON.stringify({ ...printable, meta }, null, 2));
  const stop = () => void close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// `npm run bench` runs every benchmark; `npm run bench -- <name>` runs one (a folder of bench/ with an index.ts).
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const requested = process.argv.slice(2);
const available = readdirSync(join(process.cwd(), "bench"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(process.cwd(), "bench", d.name, "index.ts")))
  .map((d) => d.name)
  .sort();
const unknown = requested.filter((r) => !available.includes(r));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
async function runAll(): Promise<void> {
  for (const name of requested.length > 0 ? requested : available) {
    console.log(`\n=== bench/${name}`);
    const mod = (await import(pathToFileURL(join(process.cwd(), "bench", name, "index.ts")).href)) as { main(): Promise<void> };
    await mod.main();
  }
}

runAll().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// `npm start`: the app on the local Functions host, over the whole local Azure, until Ctrl-C.
// Writes .local/stack.json so scripts and tests can find every endpoint.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startStack } from "./stack";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "7071" },
    world: { type: "string" },
    "state-dir": { type: "string", default: ".local" },
    "no-throttling": { type: "boolean", default: false },
  },
});

async function main(): Promise<void> {
  const stateDir = resolve(values["state-dir"] ?? ".local");
  const stack = await startStack({
    stateDir,
    hostPort: Number(values.port),
    world: values.world ? resolve(values.world) : undefined,
    throttling: !values["no-throttling"],
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local Azure...`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));

  const w = stack.world;
  console.log(`
adx-connection-lifecycle is running on the local Azure.

  Functions host    ${stack.hostUrl}
    health          ${stack.hostUrl}/api/health
  ARM emulator      ${stack.armEndpoint}   (CA: ${stack.caFile})
  Entra authority   ${stack.authorityHost}
  Managed identity  ${stack.identityEndpoint}
  Emulator admin    ${stack.adminUrl}
  Storage (Azurite) ${stack.storage.blobEndpoint} | ${stack.storage.queueEndpoint} | ${stack.storage.tableEndpoint}

  Kusto tenant/subscription   ${w.kustoTenantId ?? "?"} / ${w.kustoSubscriptionId ?? "?"}
  Source tenant/subscription  ${w.sourceTenantId ?? "?"} / ${w.sourceSubscriptionId ?? "?"}

  Everything is described in ${resolve(stateDir, "stack.json")}. Ctrl-C stops it all.
`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// Child-process entry of the local Functions host: provides @azure/functions-core, loads the app's entry as the
// Node worker does, then serves HTTP/Event Grid/admin and runs timers and queue listeners until told to stop.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadAppSettings, nodeArgumentsEnableSourceMaps } from "./appSettings";
import { createCoreApi, createFunctionRegistry, getTriggerBinding, installCoreModule } from "./functionRegistry";
import { loadHostConfig } from "./hostConfig";
import { createHostLogger } from "./hostLogger";
import { hostOptionsVariable, type HostProcessMessage, type HostProcessOptions } from "./hostProcess";
import { createHostServer, describeFunction } from "./httpServer";
import { createInvoker } from "./invoker";
import { startQueueListeners } from "./queueListener";
import { startTimerTriggers } from "./timerTriggers";

const hostVersion = "4.0.0-local";

function readOptions(): HostProcessOptions {
  const fromEnv = process.env[hostOptionsVariable];
  if (fromEnv) return JSON.parse(fromEnv) as HostProcessOptions;
  // Standalone: `tsx emulator/host/main.ts [appRoot] [port]`.
  return { appRoot: resolve(process.argv[2] ?? "."), port: Number(process.argv[3] ?? 7071) };
}

async function loadEntry(appRoot: string): Promise<void> {
  const pkg = JSON.parse(readFileSync(resolve(appRoot, "package.json"), "utf8")) as { main?: string; type?: string };
  const entry = resolve(appRoot, pkg.main ?? "index.js");
  if (entry.endsWith(".mjs") || (pkg.type === "module" && !entry.endsWith(".cjs"))) {
    await import(pathToFileURL(entry).href);
  } else {
    createRequire(entry)(entry);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const appRoot = isAbsolute(options.appRoot) ? options.appRoot : resolve(options.appRoot);
  const logger = createHostLogger(options.logFile ? { logFile: options.logFile } : {});
  const send = (message: HostProcessMessage): void => {
    process.send?.(message);
  };
  process.on("uncaughtException", (err) => logger.system("error", `Uncaught exception: ${err.stack ?? err.message}`));
  process.on("unhandledRejection", (reason) => logger.system("error", `Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

  try {
    // App settings are environment variables in Azure; local.settings.json fills what the environment lacks.
    const settings = loadAppSettings(appRoot, process.env);
    for (const [key, value] of Object.entries(settings)) process.env[key] = value;
    const config = loadHostConfig(appRoot);
    process.chdir(appRoot);

    // As in Azure: the worker runs the app without Node's source-map support unless the app setting
    // languageWorkers__node__arguments passes --enable-source-maps (tsx turned it on for the host's own code).
    process.setSourceMapsEnabled(nodeArgumentsEnableSourceMaps(process.env));

    const registry = createFunctionRegistry();
    installCoreModule(createCoreApi({ registry, hostVersion, log: (level, category, message) => logger.log({ level, category, message }) }));
    await loadEntry(appRoot);
    registry.startupFinished = true;
    if (!registry.programmingModel) throw new Error("The app's entry did not set a programming model: does it import @azure/functions?");
    await registry.programmingModel.getCapabilities?.({});
    for (const fn of registry.functions.values()) getTriggerBinding(fn);

    const invoker = createInvoker(registry, logger);
    await invoker.runAppHook("appStart", { functionAppDirectory: appRoot });
    const timers = startTimerTriggers({ registry, invoker, settings, logger });
    const host = createHostServer({ registry, invoker, routePrefix: config.routePrefix, timers, logger, hostVersion });
    await new Promise<void>((resolveListen, rejectListen) => {
      host.server.once("error", rejectListen);
      host.server.listen(options.port, "127.0.0.1", () => resolveListen());
    });
    const port = (host.server.address() as AddressInfo).port;
    const queues = startQueueListeners({ registry, invoker, settings, config: config.queues, logger });
    for (const fn of registry.functions.values()) {
      logger.system("information", `Function: ${JSON.stringify(describeFunction(fn, [], `http://127.0.0.1:${port}`))}`, { functionName: fn.metadata.name });
    }
    logger.system("information", `Host started on http://127.0.0.1:${port} with ${registry.functions.size} functions.`);

    let stopping = false;
    const stop = async (): Promise<void> => {
      if (stopping) return;
      stopping = true;
      // Hard limit: a hung handler must not keep the host alive.
      setTimeout(() => process.exit(1), 10_000).unref();
      host.server.close();
      host.server.closeAllConnections();
      await Promise.allSettled([queues.stop(), timers.stop(), host.drain()]);
      try {
        await invoker.runAppHook("appTerminate", {});
      } catch (err) {
        logger.system("error", `appTerminate hook failed: ${String(err)}`);
      }
      logger.system("information", "Host stopped.");
      send({ type: "stopped" });
      process.exit(0);
    };
    process.on("message", (message: { type?: string }) => {
      if (message?.type === "stop") void stop();
    });
    // The parent went away (crash, test runner exit): do not linger as an orphan.
    process.on("disconnect", () => void stop());
    process.on("SIGTERM", () => void stop());
    process.on("SIGINT", () => void stop());
    send({ type: "ready", port });
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    logger.system("critical", `Host failed to start: ${message}`);
    send({ type: "failed", message });
    process.exit(1);
  }
}

void main();

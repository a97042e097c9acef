// Starts the local Functions host as a child process (its own module state, env and require proxy) and returns
// a handle; the child is stopped gracefully (appTerminate hooks, pollers) and never outlives its parent.
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { hostOptionsVariable, type HostProcessMessage, type HostProcessOptions } from "./hostProcess";

export interface StartHostOptions {
  appRoot: string;
  /** Defaults to 7071, as Core Tools; 0 picks a free port. */
  port?: number;
  /** App settings for the child, over the parent's environment and local.settings.json. */
  env?: Record<string, string>;
  /** JSON-lines log file; the child's stdout otherwise. */
  logFile?: string;
  startTimeoutInMs?: number;
}

export interface HostHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startHost(options: StartHostOptions): Promise<HostHandle> {
  const appRoot = resolve(options.appRoot);
  const processOptions: HostProcessOptions = { appRoot, port: options.port ?? 7071, ...(options.logFile ? { logFile: resolve(options.logFile) } : {}) };
  const tsxLoader = pathToFileURL(createRequire(__filename).resolve("tsx")).href;
  const child = fork(join(__dirname, "main.ts"), [], {
    cwd: appRoot,
    execArgv: ["--import", tsxLoader],
    env: { ...process.env, ...options.env, [hostOptionsVariable]: JSON.stringify(processOptions) },
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-4000);
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));

  const port = await new Promise<number>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectReady(new Error(`The local Functions host did not start within ${options.startTimeoutInMs ?? 30_000}ms.\n${stderrTail}`));
    }, options.startTimeoutInMs ?? 30_000);
    child.on("message", (message: HostProcessMessage) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolveReady(message.port);
      } else if (message.type === "failed") {
        clearTimeout(timer);
        rejectReady(new Error(`The local Functions host failed to start: ${message.message}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rejectReady(new Error(`The local Functions host exited (code ${code}) before it was ready.\n${stderrTail}`));
    });
  });
  // Neither the child nor its IPC channel keeps the parent alive; the child stops itself on disconnect.
  child.unref();
  child.channel?.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        // Keep the parent alive until the child is gone.
        child.ref();
        child.channel?.ref();
        if (child.connected) child.send({ type: "stop" });
        else child.kill("SIGTERM");
        const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 12_000).unref());
        if ((await Promise.race([exited, timeout])) === "timeout") {
          child.kill("SIGKILL");
          await exited;
        }
      })();
      return stopping;
    },
  };
}

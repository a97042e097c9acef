// Runs Azurite (blob, queue, table) from node_modules as a child process on free ports, for tests, benchmarks
// and `npm start`; the child stops with its handle and never outlives the parent.
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

export interface StartAzuriteOptions {
  /** Directory for Azurite's data (created if missing). */
  location: string;
  /** No access log on the child's stdout. Defaults to true. */
  silent?: boolean;
  /** Fixed ports; 0 (the default) lets the OS pick free ones. */
  ports?: { blob?: number; queue?: number; table?: number };
  startTimeoutInMs?: number;
  /**
   * Serve HTTPS with this certificate (e.g. the emulator CA's leaf): Azure storage is HTTPS, and the Tables SDK
   * refuses plain http for anything but UseDevelopmentStorage=true unless a client opts into insecure connections.
   */
  tls?: { certPem: string; keyPem: string };
}

export interface AzuriteHandle {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

/** Azurite's documented development account (public, local-only). */
export const azuriteAccountName = "devstoreaccount1";
export const azuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export function toAzuriteConnectionString(endpoints: { blobEndpoint: string; queueEndpoint: string; tableEndpoint: string }): string {
  return [
    `DefaultEndpointsProtocol=${endpoints.queueEndpoint.startsWith("https:") ? "https" : "http"}`,
    `AccountName=${azuriteAccountName}`,
    `AccountKey=${azuriteAccountKey}`,
    `BlobEndpoint=${endpoints.blobEndpoint}`,
    `QueueEndpoint=${endpoints.queueEndpoint}`,
    `TableEndpoint=${endpoints.tableEndpoint}`,
  ].join(";") + ";";
}

// Azurite prints e.g. "Azurite Queue service is successfully listening at http://127.0.0.1:41234".
const listeningPattern = /Azurite (Blob|Queue|Table) service is successfully listening at (\S+)/g;

export async function startAzurite(options: StartAzuriteOptions): Promise<AzuriteHandle> {
  const attempts = options.ports ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // With fixed ports another process may hold one; port 0 never collides, so only fixed ports retry.
      if (attempt >= attempts || !String(err).includes("EADDRINUSE")) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function startOnce(options: StartAzuriteOptions): Promise<AzuriteHandle> {
  const location = resolve(options.location);
  mkdirSync(location, { recursive: true });
  const azuriteMain = createRequire(__filename).resolve("azurite/dist/src/azurite.js");
  const tlsArgs: string[] = [];
  if (options.tls) {
    const tlsDir = join(location, "tls");
    mkdirSync(tlsDir, { recursive: true });
    writeFileSync(join(tlsDir, "cert.pem"), options.tls.certPem);
    writeFileSync(join(tlsDir, "key.pem"), options.tls.keyPem, { mode: 0o600 });
    tlsArgs.push("--cert", join(tlsDir, "cert.pem"), "--key", join(tlsDir, "key.pem"));
  }
  const args = [
    "--blobHost", "127.0.0.1", "--blobPort", String(options.ports?.blob ?? 0),
    "--queueHost", "127.0.0.1", "--queuePort", String(options.ports?.queue ?? 0),
    "--tableHost", "127.0.0.1", "--tablePort", String(options.ports?.table ?? 0),
    "--location", location,
    "--skipApiVersionCheck", "--loose", "--disableTelemetry", ...tlsArgs,
    ...(options.silent === false ? [] : ["--silent"]),
  ];
  const child = fork(azuriteMain, args, {
    cwd: location,
    // Azurite shuts down on SIGTERM; this makes it do so when the parent's IPC channel goes away too.
    execArgv: ["--import", `data:text/javascript,process.on("disconnect",()=>process.kill(process.pid,"SIGTERM"))`],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));

  const endpoints = await waitForEndpoints(child, options.startTimeoutInMs ?? 30_000);
  child.unref();
  child.channel?.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();

  let stopping: Promise<void> | undefined;
  return {
    ...endpoints,
    connectionString: toAzuriteConnectionString(endpoints),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.ref();
        // Closing the IPC channel triggers Azurite's own SIGTERM shutdown, and lets its event loop drain.
        if (child.connected) child.disconnect();
        else child.kill("SIGTERM");
        const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5000).unref())]);
        if (timedOut) {
          child.kill("SIGKILL");
          await exited;
        }
      })();
      return stopping;
    },
  };
}

function waitForEndpoints(child: ChildProcess, timeoutInMs: number): Promise<{ blobEndpoint: string; queueEndpoint: string; tableEndpoint: string }> {
  return new Promise((resolveReady, rejectReady) => {
    const found = new Map<string, string>();
    let output = "";
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      rejectReady(new Error(`${message}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`Azurite did not start within ${timeoutInMs}ms.`), timeoutInMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      for (const m of output.matchAll(listeningPattern)) found.set(m[1] ?? "", m[2] ?? "");
      const blob = found.get("Blob");
      const queue = found.get("Queue");
      const table = found.get("Table");
      if (blob && queue && table && !settled) {
        settled = true;
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining so a chatty child never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolveReady({ blobEndpoint: `${blob}/${azuriteAccountName}`, queueEndpoint: `${queue}/${azuriteAccountName}`, tableEndpoint: `${table}/${azuriteAccountName}` });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => fail(`Azurite exited (code ${code}) before it was ready.`));
  });
}

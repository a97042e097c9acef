// Health use case: the app's version and whether its dependencies answer, probed in parallel.

export type ProbeStatus = "ok" | "unreachable" | "notConfigured";

export interface Probe {
  readonly name: string;
  check(abortSignal: AbortSignal): Promise<ProbeStatus>;
}

export interface HealthReport {
  status: "healthy" | "degraded";
  version: string;
  checks: Record<string, { status: ProbeStatus; durationMs: number }>;
  /** How each bundle of this instance was compiled (src/boot/loadBundle.ts): "accepted" means from its code cache. */
  codeCache: Record<string, string>;
}

export interface CheckHealthOptions {
  version: string;
  probes: readonly Probe[];
  codeCache?: Record<string, string>;
  timeoutInMs?: number;
}

export async function checkHealth({ version, probes, codeCache = {}, timeoutInMs = 5000 }: CheckHealthOptions): Promise<HealthReport> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      const started = performance.now();
      const status = await probe.check(AbortSignal.timeout(timeoutInMs)).catch((): ProbeStatus => "unreachable");
      return [probe.name, { status, durationMs: Math.round(performance.now() - started) }] as const;
    }),
  );
  const checks = Object.fromEntries(results);
  const healthy = results.every(([, r]) => r.status !== "unreachable");
  return { status: healthy ? "healthy" : "degraded", version, checks, codeCache };
}

// ARM emulator cost: per-request latency of a real ARM read (token check, RBAC, routing, provider,
// request log) next to a bare HTTPS server answering the same bytes, and sustained throughput
// with concurrent keep-alive clients. No injected latency, throttling off (it would cap the rate).
import { once } from "node:events";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request, Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../../emulator/index";
import { createCertificateAuthority } from "../../emulator/tls/certificateAuthority";
import type { WorldSeed } from "../../emulator/world/types";
import { printTable, writeResults } from "../lib/report";
import { summarize } from "../lib/stats";

const sequential = Number(process.env.BENCH_EMULATOR_SEQUENTIAL ?? 2000);
const throughputRequests = Number(process.env.BENCH_EMULATOR_REQUESTS ?? 10000);
const concurrency = Number(process.env.BENCH_EMULATOR_CONCURRENCY ?? 32);

interface Target {
  url: URL;
  headers: Record<string, string>;
  agent: Agent;
}

function get(target: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(target.url, { method: "GET", headers: target.headers, agent: target.agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function latencies(target: Target, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const status = await get(target);
    out.push(performance.now() - t0);
    if (status !== 200) throw new Error(`unexpected status ${status}`);
  }
  return out;
}

async function throughput(target: Target, n: number, workers: number): Promise<{ rps: number; errors: number }> {
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < n) {
        next++;
        if ((await get(target)) !== 200) errors++;
      }
    }),
  );
  return { rps: n / ((performance.now() - t0) / 1000), errors };
}

export async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "bench-emulator-"));
  const seed = JSON.parse(readFileSync(join(__dirname, "..", "..", "emulator", "worlds", "demo.json"), "utf8")) as WorldSeed;
  const emulator = await startEmulator({ stateDir, world: seed, throttling: false });
  try {
    const cluster = emulator.world.listByType("Microsoft.Kusto/clusters")[0];
    const callerId = seed.meta?.appIdentityObjectId;
    const tenantId = seed.meta?.kustoTenantId;
    if (!cluster || !callerId || !tenantId) throw new Error("the demo world needs a cluster and meta.appIdentityObjectId/kustoTenantId");
    const token = await emulator.tokens.mint({ tenantId, objectId: callerId, audience: "https://management.azure.com/" });
    const baselineCa = await createCertificateAuthority({ dir: join(stateDir, "baseline") });
    const agent = new Agent({ keepAlive: true, ca: [emulator.caPem, baselineCa.caPem], maxSockets: concurrency });
    const arm: Target = {
      url: new URL(`${emulator.armEndpoint}${cluster.id}?api-version=2023-08-15`),
      headers: { authorization: `Bearer ${token}` },
      agent,
    };

    // Baseline: the same TLS, keep-alive and response bytes with no emulator logic at all.
    const body = JSON.stringify(cluster.body);
    const bare = createServer({ cert: baselineCa.certPem, key: baselineCa.keyPem }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    bare.listen(0, "127.0.0.1");
    await once(bare, "listening");
    const port = (bare.address() as { port: number }).port;
    const baseline: Target = { url: new URL(`https://127.0.0.1:${port}${cluster.id}`), headers: {}, agent };

    await latencies(arm, 200); // warm-up: JIT, TLS sessions
    await latencies(baseline, 200);
    const armLat = summarize(await latencies(arm, sequential));
    const bareLat = summarize(await latencies(baseline, sequential));
    const armRate = await throughput(arm, throughputRequests, concurrency);
    const bareRate = await throughput(baseline, throughputRequests, concurrency);
    bare.close();
    agent.destroy();

    const overhead = armLat.median - bareLat.median;
    printTable(
      `ARM emulator: GET cluster, ${sequential} sequential requests; throughput with ${concurrency} keep-alive clients`,
      [
        ["ARM emulator", armLat.median, armLat.p95, armLat.p99, armRate.rps],
        ["bare HTTPS server", bareLat.median, bareLat.p95, bareLat.p99, bareRate.rps],
      ],
      ["server", "median ms", "p95 ms", "p99 ms", "req/s"],
    );
    console.log(`\nemulator overhead per request (median): ${overhead.toFixed(3)} ms (target ≤ 1 ms); throughput ${armRate.rps.toFixed(0)} req/s (target ≥ 1,000)`);
    writeResults("emulator", {
      sequentialRequests: sequential,
      concurrency,
      armMedianMs: armLat.median,
      armP95Ms: armLat.p95,
      armP99Ms: armLat.p99,
      bareMedianMs: bareLat.median,
      overheadMedianMs: overhead,
      armRequestsPerSecond: armRate.rps,
      bareRequestsPerSecond: bareRate.rps,
      armErrors: armRate.errors,
      meetsOverheadTarget: overhead <= 1,
      meetsThroughputTarget: armRate.rps >= 1000,
    });
  } finally {
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

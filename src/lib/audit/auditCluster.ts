// One shard: audits one cluster. Per cluster one list of databases, per database one paged list of data
// connections, access evaluated once per distinct (principal, scope) through the run's shared verifier,
// bounded concurrency, 429 Retry-After honoured. Listing failures make the shard incomplete, never a finding.
import { isAppError } from "../errors";
import { normalizeResourceId, type ManagedConnection, type Requirement } from "../connections/model";
import type { KustoDataConnection } from "../connections/ports";
import { silentLogger } from "../logging/logger";
import type { AuditDeps } from "./deps";
import { auditDatabase, type AccessCheck } from "./findingRules";
import { mapLimit } from "./mapLimit";
import { clusterIdOf, type AuditFinding, type DatabaseCoverage, type ShardMessage, type ShardResult } from "./model";
import { remediate } from "./remediate";
import { retryThrottled } from "./retryThrottled";
import { settleExpiredClaim } from "./settleExpiredClaim";

const describeError = (error: unknown) => (isAppError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));

/** Every live registry record of the cluster (tombstones left out), paged through. */
async function managedOf(deps: AuditDeps, message: ShardMessage): Promise<ManagedConnection[]> {
  const out: ManagedConnection[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await deps.registry.list({ ...message.cluster }, { pageSize: 1000, ...(continuationToken ? { continuationToken } : {}) });
    out.push(...page.items.filter((r) => r.status !== "Deleted"));
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

function requirementsOf(deps: AuditDeps, record: ManagedConnection): Requirement[] {
  const recorded = record.binding.requirements.map((s) => s.requirement);
  return recorded.length > 0 ? recorded : deps.requirementsFor(record.spec, record.authMode);
}

export async function auditCluster(deps: AuditDeps, message: ShardMessage, attempt: number): Promise<ShardResult> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const logger = deps.logger ?? silentLogger;
  const startedAt = now();
  const clusterId = clusterIdOf(message.cluster);
  const calls = { listDatabases: 0, listByDatabase: 0, verify: 0, sourceExists: 0 };
  const problems: string[] = [];

  calls.listDatabases++;
  // No databases, no audit: a failure here fails the attempt (the host retries, then poisons).
  const databases = await retryThrottled(() => deps.inventory.listDatabases(message.cluster));
  let managed = await managedOf(deps, message);
  if (message.mode === "enforce") managed = await settleExpiredClaims(deps, message, managed, problems);
  const byDatabase = new Map<string, ManagedConnection[]>();
  for (const r of managed) {
    const db = r.key.database.toLowerCase();
    byDatabase.set(db, [...(byDatabase.get(db) ?? []), r]);
  }

  // Kusto's connections, one paged list per database; a failed listing is recorded, not concluded from.
  const known = new Set(databases.map((d) => d.toLowerCase()));
  const listings = await mapLimit(databases, deps.settings.databaseConcurrency ?? 4, async (database) => {
    calls.listByDatabase++;
    try {
      return await retryThrottled(async () => {
        const out: KustoDataConnection[] = [];
        for await (const c of deps.kusto.listByDatabase({ ...message.cluster, database })) out.push(c);
        return out;
      });
    } catch (error) {
      problems.push(`listing the data connections of ${database} failed (${describeError(error)})`);
      logger.warn("audit: database listing failed", { runId: message.runId, clusterId, database, error: describeError(error) });
      return undefined;
    }
  });

  // Live access, per connection through the run's verifier (one read per distinct principal and scope).
  const verifier = deps.verifierForRun(message.runId);
  const access = new Map<string, AccessCheck>();
  await mapLimit(managed.filter((r) => r.status !== "Provisioning" && r.status !== "Deleting"), deps.settings.accessConcurrency ?? 16, async (record) => {
    calls.verify++;
    try {
      const statuses = await retryThrottled(() => verifier.verify(record.binding.principal, requirementsOf(deps, record)));
      access.set(record.id.toLowerCase(), { status: statuses.every((s) => s.granted) ? "granted" : "revoked", statuses });
    } catch (error) {
      access.set(record.id.toLowerCase(), { status: "unknown", error: describeError(error) });
    }
  });
  const unknown = [...access.values()].filter((a): a is Extract<AccessCheck, { status: "unknown" }> => a.status === "unknown");
  if (unknown.length > 0) problems.push(`the access of ${unknown.length} connection(s) could not be read (${unknown[0]?.error})`);

  // Sources are probed only behind a binding that looks broken: a healthy audit adds no reads for them.
  const missingSources = await probeSources(deps, managed, access, listings, databases, calls);

  const findings: AuditFinding[] = [];
  const coverage: DatabaseCoverage[] = [];
  databases.forEach((database, i) => {
    const kusto = listings[i];
    const records = byDatabase.get(database.toLowerCase()) ?? [];
    findings.push(...auditDatabase({ cluster: message.cluster, database, managed: records, kusto, access, missingSources }));
    coverage.push({
      name: database,
      listed: kusto !== undefined,
      connections: kusto?.length ?? 0,
      managed: records.length,
      ...(kusto === undefined ? { error: "listing failed" } : {}),
    });
  });
  // Records in a database Kusto no longer has: the listing of databases is complete, so they are missing.
  for (const [database, records] of byDatabase) {
    if (known.has(database)) continue;
    const name = records[0]?.key.database ?? database;
    const found = auditDatabase({ cluster: message.cluster, database: name, managed: records, kusto: [], access, missingSources });
    findings.push(...found.map((f) => (f.type === "connectionMissing" ? { ...f, evidence: { ...f.evidence, databaseMissing: true } } : f)));
    coverage.push({ name, listed: true, connections: 0, managed: records.length, error: "database does not exist" });
  }

  if (message.mode === "enforce") {
    const records = new Map(managed.map((r) => [r.id.toLowerCase(), r]));
    // One at a time: remediations are ARM writes (10/s per principal) and each is journalled.
    for (const finding of findings) {
      if (!message.enforce.includes(finding.type)) continue;
      const record = finding.connectionId ? records.get(finding.connectionId.toLowerCase()) : undefined;
      if (!record) continue;
      finding.remediation = await remediate(deps, { runId: message.runId, finding, record, access: access.get(record.id.toLowerCase()) });
    }
  }
  for (const f of findings) deps.metrics?.auditFinding({ type: f.type, severity: f.severity });

  return {
    runId: message.runId,
    clusterId,
    cluster: message.cluster,
    status: problems.length > 0 ? "incomplete" : "completed",
    attempt,
    startedAt,
    endedAt: now(),
    databases: coverage,
    findings,
    problems,
    armCalls: calls,
    connections: coverage.reduce((n, d) => n + d.connections, 0),
    managed: managed.length,
  };
}

/**
 * Enforce mode: records whose claim expired (their operation died after claiming them) are ended from Kusto's
 * view when it shows the change done; otherwise they stay in flight and unjudged. Tombstones drop out.
 */
async function settleExpiredClaims(deps: AuditDeps, message: ShardMessage, managed: ManagedConnection[], problems: string[]): Promise<ManagedConnection[]> {
  const settled = await mapLimit(managed, deps.settings.accessConcurrency ?? 16, async (record) => {
    if (record.status !== "Provisioning" && record.status !== "Deleting") return record;
    try {
      return await settleExpiredClaim(deps, record, message.runId);
    } catch (error) {
      problems.push(`the expired claim on ${record.key.database}/${record.key.name} could not be settled (${describeError(error)})`);
      return record;
    }
  });
  return settled.filter((r) => r.status !== "Deleted");
}

async function probeSources(
  deps: AuditDeps,
  managed: readonly ManagedConnection[],
  access: ReadonlyMap<string, AccessCheck>,
  listings: readonly (KustoDataConnection[] | undefined)[],
  databases: readonly string[],
  calls: { sourceExists: number },
): Promise<Set<string>> {
  const missing = new Set<string>();
  const probe = deps.sources;
  if (!probe) return missing;
  const failedInKusto = new Set<string>();
  listings.forEach((list, i) => {
    for (const c of list ?? []) {
      if ((c.provisioningState ?? "").toLowerCase() === "failed") failedInKusto.add(`${databases[i]?.toLowerCase()}/${(c.name.split("/").pop() ?? "").toLowerCase()}`);
    }
  });
  const suspects = new Map<string, string>(); // source ID → tenant to read it in
  for (const r of managed) {
    const broken = access.get(r.id.toLowerCase())?.status === "revoked" || failedInKusto.has(`${r.key.database.toLowerCase()}/${r.key.name.toLowerCase()}`);
    if (!broken) continue;
    for (const id of r.sourceResourceIds) suspects.set(normalizeResourceId(id), r.binding.principal.tenantId);
  }
  await mapLimit([...suspects], 8, async ([id, tenantId]) => {
    calls.sourceExists++;
    try {
      if (!(await retryThrottled(() => probe.exists(tenantId, id)))) missing.add(id);
    } catch {
      // Unknown: the connection is judged on its access alone.
    }
  });
  return missing;
}

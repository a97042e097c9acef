// The finding rules of one database (pure): the registry's records, Kusto's listing and the live access of
// each binding in, typed findings out. "Never act on partial information": when the listing failed, nothing
// that depends on it (missing, drift, failed, unmanaged) is concluded.
import type { ManagedConnection, RequirementStatus } from "../connections/model";
import { normalizeResourceId } from "../connections/model";
import type { KustoDataConnection } from "../connections/ports";
import { diffSpec } from "./compareSpec";
import { clusterIdOf, type AuditFinding, type ClusterRef, type Severity } from "./model";

/** The live access of one binding: granted, revoked (some requirement no longer held), or unknown (unreadable). */
export type AccessCheck =
  | { status: "granted"; statuses: RequirementStatus[] }
  | { status: "revoked"; statuses: RequirementStatus[] }
  | { status: "unknown"; error: string };

export interface DatabaseAuditInput {
  cluster: ClusterRef;
  database: string;
  /** Registry records of this database that are not tombstones. */
  managed: readonly ManagedConnection[];
  /** Kusto's connections of the database; undefined when listing them failed. */
  kusto: readonly KustoDataConnection[] | undefined;
  /** Live access per managed connection, by lower-cased connection ID (absent: not checked). */
  access: ReadonlyMap<string, AccessCheck>;
  /** Source resource IDs (lower-cased) confirmed not to exist. */
  missingSources: ReadonlySet<string>;
}

/** Key-based: Kusto keeps a connection string (no identity), and keeps ingesting after the creator's access goes. */
export function isKeyBased(kind: string, properties: Record<string, unknown>): boolean {
  if (kind.toLowerCase() === "iothub") return true;
  const identity = properties.managedIdentityResourceId;
  return typeof identity !== "string" || identity.length === 0;
}

/** A connection's own name: Kusto lists children as `cluster/database/name`. */
export function connectionNameOf(c: Pick<KustoDataConnection, "id" | "name">): string {
  const source = c.name || c.id;
  return (source.split("/").pop() ?? source).toLowerCase();
}

const grantIds = (statuses: readonly RequirementStatus[]) =>
  new Set(statuses.flatMap((s) => s.grants.map((g) => normalizeResourceId(g.roleAssignmentId))));

/** Did the grants behind a still-held binding change (revocation's grant index would miss the new ones)? */
export function grantsChanged(recorded: readonly RequirementStatus[], now: readonly RequirementStatus[]): { added: string[]; removed: string[] } | undefined {
  const before = grantIds(recorded);
  const after = grantIds(now);
  const added = [...after].filter((id) => !before.has(id)).sort();
  const removed = [...before].filter((id) => !after.has(id)).sort();
  return added.length + removed.length > 0 ? { added, removed } : undefined;
}

/** A connection in flight (the API's own operation) is judged when it has ended. */
function isInFlight(record: ManagedConnection): boolean {
  return record.status === "Provisioning" || record.status === "Deleting";
}

export function auditDatabase(input: DatabaseAuditInput): AuditFinding[] {
  const clusterId = clusterIdOf(input.cluster);
  const findings: AuditFinding[] = [];
  const inKusto = new Map((input.kusto ?? []).map((c) => [connectionNameOf(c), c]));
  const managedNames = new Set<string>();
  const base = (record: ManagedConnection) => ({ clusterId, database: input.database, connectionId: record.id, connectionName: record.key.name });

  for (const record of input.managed) {
    managedNames.add(record.key.name.toLowerCase());
    if (isInFlight(record)) continue;
    const keyBased = record.authMode === "key";
    const principal = record.binding.principal;

    const gone = record.sourceResourceIds.filter((id) => input.missingSources.has(normalizeResourceId(id)));
    const access = input.access.get(record.id.toLowerCase());
    if (gone.length > 0) {
      findings.push({
        ...base(record),
        type: "sourceMissing",
        severity: keyBased ? "high" : "medium",
        message: `The source ${gone.join(", ")} no longer exists; the connection is orphaned.`,
        evidence: { missingSources: gone, authMode: record.authMode },
      });
    } else if (access?.status === "revoked") {
      const lost = access.statuses.filter((s) => !s.granted).map((s) => ({ permission: s.requirement.permission, scope: s.requirement.scope, source: s.requirement.source }));
      findings.push({
        ...base(record),
        type: "accessRevoked",
        // A key-based connection keeps ingesting with a stored key: the revocation did not take effect.
        severity: keyBased ? "high" : "medium",
        message: `${principal.kind} ${principal.objectId} no longer holds ${lost.map((l) => `${l.permission} on ${l.scope}`).join("; ")}.`,
        evidence: { principal, authMode: record.authMode, lost, recordedGrants: [...grantIds(record.binding.requirements)] },
      });
    } else if (access?.status === "granted") {
      const changed = grantsChanged(record.binding.requirements, access.statuses);
      if (changed) {
        findings.push({
          ...base(record),
          type: "grantsChanged",
          severity: "low",
          message: "Access still holds, through other role assignments than the binding records: refresh the binding so revocation sees them.",
          evidence: { principal, ...changed },
        });
      }
    }

    if (input.kusto === undefined) continue;
    const current = inKusto.get(record.key.name.toLowerCase());
    if (!current) {
      findings.push({
        ...base(record),
        type: "connectionMissing",
        severity: "medium",
        message: "The registry manages this connection but Kusto does not have it.",
        evidence: { registryStatus: record.status, recordedAt: record.updatedAt },
      });
      continue;
    }
    if ((current.provisioningState ?? "").toLowerCase() === "failed") {
      findings.push({
        ...base(record),
        type: "provisioningFailed",
        severity: "medium",
        message: keyBased ? "Kusto reports the connection Failed." : "Kusto reports the connection Failed (an identity-based connection is disabled when its identity loses access).",
        evidence: { provisioningState: current.provisioningState, authMode: record.authMode },
      });
    }
    const diffs = diffSpec(record.spec, current);
    if (diffs.length > 0) {
      findings.push({
        ...base(record),
        type: "specDrift",
        severity: "medium",
        message: `Kusto's connection differs from the desired spec in ${diffs.map((d) => d.path).join(", ")}.`,
        evidence: { diffs },
      });
    }
  }

  for (const [name, c] of inKusto) {
    if (managedNames.has(name)) continue;
    const keyBased = isKeyBased(c.kind, c.properties);
    const severity: Severity = keyBased ? "high" : "medium";
    findings.push({
      clusterId,
      database: input.database,
      connectionId: c.id,
      connectionName: name,
      type: "unmanagedConnection",
      severity,
      message: keyBased
        ? "A key-based connection this app does not manage: nobody re-checks the access its stored key stands for."
        : "An identity-based connection this app does not manage.",
      evidence: { kind: c.kind, keyBased, provisioningState: c.provisioningState, sources: sourcesOf(c.properties) },
    });
  }
  return findings;
}

function sourcesOf(p: Record<string, unknown>): string[] {
  return [p.eventHubResourceId, p.storageAccountResourceId, p.iotHubResourceId, p.cosmosDbAccountResourceId].filter((v): v is string => typeof v === "string");
}

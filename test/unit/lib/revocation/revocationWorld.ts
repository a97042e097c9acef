// The connections fakes plus revocation's own (assignment and source existence from the fake grant table, an
// in-memory ledger with leases, a failed-events store, counted metrics), and builders of Resource events.
import { createConnectionsService } from "../../../../src/lib/connections/createConnectionsService";
import type { ConnectionKey, DataConnectionSpec, ManagedConnection } from "../../../../src/lib/connections/model";
import type { RevocationDeps } from "../../../../src/lib/revocation/deps";
import type { ResourceEvent } from "../../../../src/lib/revocation/model";
import type { EventClaim, EventLedger, FailedEvent, FailedEventStore, SourceReader } from "../../../../src/lib/revocation/ports";
import type { AppMetrics } from "../../../../src/lib/telemetry/metrics";
import { createConnectionsWorld, ids, keyOf, writer } from "../../../support/fakes/connectionsWorld";

export * from "../../../support/fakes/connectionsWorld";

export interface FakeLedger extends EventLedger {
  rows: Map<string, { state: "processing" | "processed"; leaseUntil: number; token: string }>;
}

export function createFakeLedger(now: () => number = Date.now): FakeLedger {
  let counter = 0;
  const ledger: FakeLedger = {
    rows: new Map(),
    async claim(eventId, { leaseInMs }): Promise<EventClaim> {
      const row = ledger.rows.get(eventId);
      if (row?.state === "processed") return { status: "processed" };
      if (row && row.leaseUntil > now()) return { status: "leased", until: new Date(row.leaseUntil).toISOString() };
      const token = `t${++counter}`;
      ledger.rows.set(eventId, { state: "processing", leaseUntil: now() + leaseInMs, token });
      return { status: "acquired", token };
    },
    async complete(eventId, token) {
      ledger.rows.set(eventId, { state: "processed", leaseUntil: 0, token });
    },
    async release(eventId, token) {
      const row = ledger.rows.get(eventId);
      if (row?.token === token) row.leaseUntil = 0;
    },
  };
  return ledger;
}

export function createFakeFailures(threshold = 3): FailedEventStore & { records: Map<string, FailedEvent> } {
  const records = new Map<string, FailedEvent>();
  return {
    records,
    async recordFailure(event) {
      const at = new Date().toISOString();
      const previous = records.get(event.eventId);
      const record: FailedEvent = { ...event, attempts: (previous?.attempts ?? 0) + 1, firstFailedAt: previous?.firstFailedAt ?? at, lastFailedAt: at };
      records.set(event.eventId, record);
      return record;
    },
    async listDeadLettered({ limit }) {
      return [...records.values()].filter((r) => r.attempts >= threshold).slice(0, limit);
    },
  };
}

export function createCountingMetrics() {
  const counts = { deleted: [] as string[], kept: 0, lags: 0 };
  const metrics: AppMetrics = {
    connectionCreated() {},
    connectionDeleted: (a) => void counts.deleted.push(a.reason),
    connectionKept: () => void counts.kept++,
    eventLag: () => void counts.lags++,
    auditFinding() {},
  };
  return { metrics, counts };
}

export function createRevocationWorld(options: { mode?: "enforce" | "report" } = {}) {
  const world = createConnectionsWorld();
  const service = createConnectionsService(world.deps);
  const deletedSources = new Set<string>();
  const calls = { getRoleAssignment: 0, sourceExists: 0 };
  const sources: SourceReader = {
    async exists(_tenant, resourceId) {
      calls.sourceExists++;
      return !deletedSources.has(resourceId.toLowerCase());
    },
  };
  const ledger = createFakeLedger();
  const failures = createFakeFailures();
  const { metrics, counts } = createCountingMetrics();
  const deps: RevocationDeps = {
    registry: world.registry,
    journal: world.journal,
    kusto: world.kusto,
    // The assignment exists while the fake grant table still holds it.
    assignments: {
      async getRoleAssignment(_tenantId, id) {
        calls.getRoleAssignment++;
        const grant = world.verifier.grants.find((g) => g.roleAssignmentId.toLowerCase() === id.toLowerCase());
        return grant ? { id, scope: grant.scope, roleDefinitionId: "r", principalId: grant.principalObjectId } : undefined;
      },
    },
    verifier: world.verifier,
    sources,
    ledger,
    failures,
    notifier: world.notifier,
    metrics,
    settings: { mode: options.mode ?? "enforce", appTenantId: ids.tenantA, appPrincipalId: ids.appPrincipal, kustoWaitInMs: 50, leaseInMs: 60_000 },
  };

  async function create(name: string, spec: DataConnectionSpec, access: { mode?: "key" | "managedIdentity"; sourceTenantId?: string } = {}): Promise<ManagedConnection> {
    const result = await service.upsert({ caller: writer(), key: keyOf(name), spec, access, correlationId: `create-${name}` });
    if (!result.ok) throw result.error;
    return result.value.connection;
  }

  /** Deletes a role assignment: it disappears from the fake grant table (and so from live reads). */
  function deleteAssignment(roleAssignmentId: string): void {
    world.verifier.grants = world.verifier.grants.filter((g) => g.roleAssignmentId.toLowerCase() !== roleAssignmentId.toLowerCase());
  }

  const record = (key: ConnectionKey) => world.registry.get(key);
  return { ...world, deps, service, create, deleteAssignment, deletedSources, calls, ledger, failures, counts, record };
}

let eventCounter = 0;

export function resourceEvent(operationName: string, resourceUri: string, overrides: Partial<ResourceEvent> & { tenantId?: string } = {}): ResourceEvent {
  const subscriptionId = resourceUri.match(/^\/subscriptions\/([^/]+)/i)?.[1] ?? ids.subA;
  const { tenantId, ...rest } = overrides;
  return {
    id: `evt-${++eventCounter}`,
    type: "Microsoft.Resources.ResourceDeleteSuccess",
    topic: `/subscriptions/${subscriptionId}`,
    subject: resourceUri,
    time: new Date().toISOString(),
    schema: "EventGrid",
    data: {
      operationName,
      resourceUri,
      tenantId: tenantId ?? (subscriptionId === ids.subB ? ids.tenantB : ids.tenantA),
      subscriptionId,
      correlationId: `corr-${eventCounter}`,
      status: "Succeeded",
      actor: { objectId: ids.caller, name: "alice@contoso.example" },
    },
    ...rest,
  };
}

export const deleteAssignmentEvent = (roleAssignmentId: string, overrides: Partial<ResourceEvent> & { tenantId?: string } = {}) =>
  resourceEvent("Microsoft.Authorization/roleAssignments/delete", roleAssignmentId, overrides);

// Revocation's ports as wireRevocation builds them, each wrapped like instrumentedPorts.ts wraps the connection
// ports: the "process" (one host) can die at a named step of a revoke — after it every port call fails, the
// ledger's release and the failure count in the catch block too — and Table Storage can go away for a while.
// Each call builds one host: two calls over the same real adapters are two hosts sharing the stores.
import type { AccessReader } from "../../../src/lib/access/ports";
import type { ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, JournalStore, KustoGateway, Notifier } from "../../../src/lib/connections/ports";
import type { RevocationDeps } from "../../../src/lib/revocation/deps";
import type { EventLedger, FailedEventStore, SourceReader } from "../../../src/lib/revocation/ports";
import { createFaultSwitchboard, type SwitchboardControls } from "./faultSwitchboard";

/** The steps of a revoke between which a host can die, in the order they happen. */
export const revokeCrashPoints = ["afterLedgerClaim", "afterDeletingClaim", "afterIntent", "afterArmAccepted", "beforeRecord"] as const;
export type RevokeCrashPoint = (typeof revokeCrashPoints)[number];

export interface RevocationRealPorts {
  registry: ConnectionRegistry;
  journal: JournalStore;
  kusto: KustoGateway;
  assignments: Pick<AccessReader, "getRoleAssignment">;
  verifier: RevocationDeps["verifier"];
  sources: SourceReader;
  ledger: EventLedger;
  failures: FailedEventStore;
  notifier: Notifier;
  deadStorage: { registry: ConnectionRegistry; journal: JournalStore };
}

export interface RevocationControls extends SwitchboardControls {
  crashAt(point: RevokeCrashPoint): void;
}

export type RevocationPorts = Pick<RevocationDeps, "registry" | "journal" | "kusto" | "assignments" | "verifier" | "sources" | "ledger" | "failures" | "notifier">;

export function instrumentRevocation(real: RevocationRealPorts): { ports: RevocationPorts; controls: RevocationControls } {
  const board = createFaultSwitchboard<RevokeCrashPoint>(real);
  const { guard, registry, journal, afterArmWrite } = board;
  const crashIf = (point: RevokeCrashPoint) => {
    if (board.armed === point) board.crash(point, point);
  };

  const ports: RevocationPorts = {
    registry: {
      ...board.registryReads(),
      async save(connection: ManagedConnection) {
        guard();
        const saved = await registry().save(connection);
        if (connection.status === "Deleting" && connection.operation && !connection.operation.intentId) crashIf("afterDeletingClaim");
        return saved;
      },
    },
    journal: {
      list: async (id, page) => (guard(), journal().list(id, page)),
      async append(entry) {
        guard();
        const appended = await journal().append(entry);
        if (entry.action === "revoke" && entry.phase === "intent") crashIf("afterIntent");
        return appended;
      },
    },
    kusto: {
      getCluster: async (key) => (guard(), real.kusto.getCluster(key)),
      databaseExists: async (key) => (guard(), real.kusto.databaseExists(key)),
      checkNameAvailability: async (key) => (guard(), real.kusto.checkNameAvailability(key)),
      validate: async (key, spec, auth) => (guard(), real.kusto.validate(key, spec, auth)),
      get: async (key) => (guard(), real.kusto.get(key)),
      listByDatabase: (key) => (guard(), real.kusto.listByDatabase(key)),
      resume: async (token, options) => (guard(), real.kusto.resume(token, options)),
      createOrUpdate: async (key, spec, auth, options) => (guard(), real.kusto.createOrUpdate(key, spec, auth, options)),
      async delete(key, options) {
        guard();
        if (board.armed === "afterArmAccepted") {
          // ARM has accepted the DELETE (202 and an operation); the host dies before the LRO ends.
          await real.kusto.delete(key, { ...options, waitInMs: 0 });
          crashIf("afterArmAccepted");
        }
        const state = await real.kusto.delete(key, options);
        afterArmWrite();
        crashIf("beforeRecord");
        return state;
      },
    },
    assignments: { getRoleAssignment: async (tenantId, id) => (guard(), real.assignments.getRoleAssignment(tenantId, id)) },
    verifier: { verify: async (principal, requirements) => (guard(), real.verifier.verify(principal, requirements)) },
    sources: { exists: async (tenantId, id) => (guard(), real.sources.exists(tenantId, id)) },
    ledger: {
      async claim(eventId, options) {
        guard();
        const claim = await real.ledger.claim(eventId, options);
        if (claim.status === "acquired") crashIf("afterLedgerClaim");
        return claim;
      },
      complete: async (eventId, token, summary) => (guard(), real.ledger.complete(eventId, token, summary)),
      release: async (eventId, token) => (guard(), real.ledger.release(eventId, token)),
    },
    failures: {
      recordFailure: async (event) => (guard(), real.failures.recordFailure(event)),
      listDeadLettered: async (options) => (guard(), real.failures.listDeadLettered(options)),
    },
    notifier: { publish: async (event) => (guard(), real.notifier.publish(event)) },
  };

  const controls: RevocationControls = Object.assign(board.controls, {
    crashAt: (point: RevokeCrashPoint) => void (board.armed = point),
  });
  return { ports, controls };
}

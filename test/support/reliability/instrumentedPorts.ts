// The connection ports as the composition root builds them, each wrapped so a test can (a) kill the "process"
// at a named step of create or delete — after the crash every port call fails, as nothing runs in a dead
// process, not even the catch blocks that would journal a failure — and (b) take Table Storage away (a
// registry and journal over a dead port) for a while. The wrappers add nothing else: same adapters, same order.
import type { ConnectionsDeps } from "../../../src/lib/connections/deps";
import type { JournalAction, ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, JournalStore, KustoGateway, Notifier } from "../../../src/lib/connections/ports";
import { createFaultSwitchboard, type SwitchboardControls } from "./faultSwitchboard";

/** The steps between which a create or delete can die, in the order they happen. */
export const crashPoints = ["afterIntent", "afterArmAccepted", "afterArmFinished", "afterRecord", "afterCompletion"] as const;
export type CrashPoint = (typeof crashPoints)[number];
export type CrashedOperation = "create" | "delete";

export { InjectedCrash } from "./faultSwitchboard";

export interface PortControls extends SwitchboardControls {
  /** Crash at this step of the next matching operation (cleared once fired). */
  crashAt(point: CrashPoint, operation: CrashedOperation): void;
}

export interface RealPorts {
  registry: ConnectionRegistry;
  journal: JournalStore;
  kusto: KustoGateway;
  verifier: ConnectionsDeps["verifier"];
  notifier: Notifier;
  /** Registry and journal over a storage endpoint nobody listens on. */
  deadStorage: { registry: ConnectionRegistry; journal: JournalStore };
}

const operationOfAction = (action: JournalAction | "create" | "update" | "delete"): CrashedOperation | undefined =>
  action === "delete" ? "delete" : action === "create" || action === "update" ? "create" : undefined;

export function instrumentPorts(real: RealPorts): { ports: Pick<ConnectionsDeps, "registry" | "journal" | "kusto" | "verifier" | "notifier">; controls: PortControls } {
  const board = createFaultSwitchboard<{ point: CrashPoint; operation: CrashedOperation }>(real);
  const { guard, registry, journal, afterArmWrite } = board;
  const hits = (point: CrashPoint, operation: CrashedOperation | undefined) => board.armed?.point === point && board.armed.operation === operation;
  const crash = (point: CrashPoint): never => board.crash(`${board.armed?.operation}:${point}`, point);

  const ports = {
    registry: {
      ...board.registryReads(),
      async save(connection: ManagedConnection) {
        guard();
        const saved = await registry().save(connection);
        if (hits("afterRecord", operationOfAction(connection.operation?.kind ?? "create"))) crash("afterRecord");
        return saved;
      },
    } satisfies ConnectionRegistry,
    journal: {
      list: async (id, page) => (guard(), journal().list(id, page)),
      async append(entry) {
        guard();
        const appended = await journal().append(entry);
        const operation = operationOfAction(entry.action);
        if (entry.phase === "intent" && hits("afterIntent", operation)) crash("afterIntent");
        if (entry.phase === "completed" && hits("afterCompletion", operation)) crash("afterCompletion");
        return appended;
      },
    } satisfies JournalStore,
    kusto: {
      getCluster: async (key) => (guard(), real.kusto.getCluster(key)),
      databaseExists: async (key) => (guard(), real.kusto.databaseExists(key)),
      checkNameAvailability: async (key) => (guard(), real.kusto.checkNameAvailability(key)),
      validate: async (key, spec, auth) => (guard(), real.kusto.validate(key, spec, auth)),
      get: async (key) => (guard(), real.kusto.get(key)),
      listByDatabase: (key) => (guard(), real.kusto.listByDatabase(key)),
      resume: async (token, options) => (guard(), real.kusto.resume(token, options)),
      async createOrUpdate(key, spec, auth, options) {
        guard();
        if (hits("afterArmAccepted", "create")) {
          // ARM has accepted the PUT (201/202 and an operation); the process dies before the LRO ends.
          await real.kusto.createOrUpdate(key, spec, auth, { ...options, waitInMs: 0 });
          crash("afterArmAccepted");
        }
        const state = await real.kusto.createOrUpdate(key, spec, auth, options);
        afterArmWrite();
        if (hits("afterArmFinished", "create")) crash("afterArmFinished");
        return state;
      },
      async delete(key, options) {
        guard();
        if (hits("afterArmAccepted", "delete")) {
          await real.kusto.delete(key, { ...options, waitInMs: 0 });
          crash("afterArmAccepted");
        }
        const state = await real.kusto.delete(key, options);
        afterArmWrite();
        if (hits("afterArmFinished", "delete")) crash("afterArmFinished");
        return state;
      },
    } satisfies KustoGateway,
    verifier: { verify: async (principal, requirements) => (guard(), real.verifier.verify(principal, requirements)) } satisfies ConnectionsDeps["verifier"],
    notifier: { publish: async (event) => (guard(), real.notifier.publish(event)) } satisfies Notifier,
  };

  const controls: PortControls = Object.assign(board.controls, {
    crashAt(point: CrashPoint, operation: CrashedOperation) {
      board.armed = { point, operation };
    },
  });
  return { ports, controls };
}

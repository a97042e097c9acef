// The connection ports as the composition root builds them, each wrapped so a test can (a) kill the "process"
// at a named step of create or delete — after the crash every port call fails, as nothing runs in a dead
// process, not even the catch blocks that would journal a failure — and (b) take Table Storage away (a
// registry and journal over a dead port) for a while. The wrappers add nothing else: same adapters, same order.
import type { ConnectionsDeps } from "../../../src/lib/connections/deps";
import type { JournalAction, ManagedConnection } from "../../../src/lib/connections/model";
import type { ConnectionRegistry, JournalStore, KustoGateway, Notifier } from "../../../src/lib/connections/ports";

/** The steps between which a create or delete can die, in the order they happen. */
export const crashPoints = ["afterIntent", "afterArmAccepted", "afterArmFinished", "afterRecord", "afterCompletion"] as const;
export type CrashPoint = (typeof crashPoints)[number];
export type CrashedOperation = "create" | "delete";

/** What the wrapped ports throw once the process is "dead". Not an AppError: nothing above may handle it. */
export class InjectedCrash extends Error {
  constructor(readonly point: string) {
    super(`injected crash (${point})`);
    this.name = "InjectedCrash";
  }
}

export interface PortControls {
  /** Crash at this step of the next matching operation (cleared once fired). */
  crashAt(point: CrashPoint, operation: CrashedOperation): void;
  /** Bring the process back (the next invocation is a fresh one). */
  revive(): void;
  readonly dead: boolean;
  /** Points that fired, in order. */
  readonly fired: string[];
  /** Table Storage unreachable (every registry and journal call goes to a dead port) until storageUp(). */
  storageDown(): void;
  storageUp(): void;
  /** Take Table Storage away right after the next Kusto write (PUT or DELETE) returns. */
  storageDownAfterArmWrite(): void;
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
  let armed: { point: CrashPoint; operation: CrashedOperation } | undefined;
  let dead = false;
  let storageIsDown = false;
  let downAfterWrite = false;
  const fired: string[] = [];

  const guard = () => {
    if (dead) throw new InjectedCrash("dead");
  };
  const hits = (point: CrashPoint, operation: CrashedOperation | undefined) => armed?.point === point && armed.operation === operation;
  const crash = (point: CrashPoint): never => {
    dead = true;
    fired.push(`${armed?.operation}:${point}`);
    armed = undefined;
    throw new InjectedCrash(point);
  };
  const registry = () => (storageIsDown ? real.deadStorage.registry : real.registry);
  const journal = () => (storageIsDown ? real.deadStorage.journal : real.journal);
  const afterArmWrite = () => {
    if (downAfterWrite) {
      downAfterWrite = false;
      storageIsDown = true;
    }
  };

  const ports = {
    registry: {
      get: async (key) => (guard(), registry().get(key)),
      list: async (filter, page) => (guard(), registry().list(filter, page)),
      findByRoleAssignment: async (id) => (guard(), registry().findByRoleAssignment(id)),
      findBySourceScope: async (scope) => (guard(), registry().findBySourceScope(scope)),
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

  const controls: PortControls = {
    crashAt(point, operation) {
      armed = { point, operation };
    },
    revive() {
      dead = false;
      armed = undefined;
    },
    get dead() {
      return dead;
    },
    fired,
    storageDown: () => void (storageIsDown = true),
    storageUp() {
      storageIsDown = false;
      downAfterWrite = false;
    },
    storageDownAfterArmWrite: () => void (downAfterWrite = true),
  };
  return { ports, controls };
}

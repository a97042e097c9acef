// The state every instrumented set of ports shares (the connection ports, revocation's): a crash point armed
// for the next matching step, a "process" that stays dead once it fired (every port call then fails, catch
// blocks included), and Table Storage that can go away — now, or right after the next ARM write.
import type { ConnectionRegistry, JournalStore } from "../../../src/lib/connections/ports";

/** What the wrapped ports throw once the process is "dead". Not an AppError: nothing above may handle it. */
export class InjectedCrash extends Error {
  constructor(readonly point: string) {
    super(`injected crash (${point})`);
    this.name = "InjectedCrash";
  }
}

export interface StorageSwitches {
  /** Table Storage unreachable (every registry and journal call goes to a dead port) until storageUp(). */
  storageDown(): void;
  storageUp(): void;
  /** Take Table Storage away right after the next Kusto write returns. */
  storageDownAfterArmWrite(): void;
}

export interface SwitchboardControls extends StorageSwitches {
  /** Bring the process back (the next invocation is a fresh one). */
  revive(): void;
  readonly dead: boolean;
  /** Points that fired, in order. */
  readonly fired: string[];
}

export interface FaultSwitchboard<Armed> {
  /** The crash armed for the next matching step, if any. */
  armed: Armed | undefined;
  /** Throws when the process is dead. */
  guard(): void;
  /** Kills the process at this point: disarms, records `label`, throws InjectedCrash(point). */
  crash(label: string, point: string): never;
  /** The registry and journal to use now (dead ones while storage is down). */
  registry(): ConnectionRegistry;
  journal(): JournalStore;
  /** The registry's read methods, guarded and routed to the dead registry while storage is down. */
  registryReads(): Omit<ConnectionRegistry, "save">;
  /** Call right after an ARM write returned: storage goes away if that was asked. */
  afterArmWrite(): void;
  controls: SwitchboardControls;
}

export function createFaultSwitchboard<Armed>(real: {
  registry: ConnectionRegistry;
  journal: JournalStore;
  deadStorage: { registry: ConnectionRegistry; journal: JournalStore };
}): FaultSwitchboard<Armed> {
  let dead = false;
  let storageIsDown = false;
  let downAfterWrite = false;
  const fired: string[] = [];
  const board: FaultSwitchboard<Armed> = {
    armed: undefined,
    guard() {
      if (dead) throw new InjectedCrash("dead");
    },
    crash(label, point) {
      dead = true;
      fired.push(label);
      board.armed = undefined;
      throw new InjectedCrash(point);
    },
    registry: () => (storageIsDown ? real.deadStorage.registry : real.registry),
    journal: () => (storageIsDown ? real.deadStorage.journal : real.journal),
    registryReads: () => ({
      get: async (key) => (board.guard(), board.registry().get(key)),
      list: async (filter, page) => (board.guard(), board.registry().list(filter, page)),
      findByRoleAssignment: async (id) => (board.guard(), board.registry().findByRoleAssignment(id)),
      findBySourceScope: async (scope) => (board.guard(), board.registry().findBySourceScope(scope)),
    }),
    afterArmWrite() {
      if (downAfterWrite) {
        downAfterWrite = false;
        storageIsDown = true;
      }
    },
    controls: {
      revive() {
        dead = false;
        board.armed = undefined;
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
    },
  };
  return board;
}

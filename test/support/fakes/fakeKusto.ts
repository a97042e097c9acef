// In-memory KustoGateway: clusters with identities, data connections, validation messages, name rules and
// long-running operations that finish after a set number of polls. Every call is counted by method.
import { AppError } from "../../../src/lib/errors";
import { toConnectionId, type ConnectionKey, type DataConnectionSpec } from "../../../src/lib/connections/model";
import type {
  KustoClusterInfo,
  KustoDataConnection,
  KustoGateway,
  KustoOperationState,
  SourceAuthorization,
} from "../../../src/lib/connections/ports";

type Method = "getCluster" | "databaseExists" | "checkNameAvailability" | "validate" | "get" | "listByDatabase" | "createOrUpdate" | "delete" | "resume";

interface PendingOperation {
  kind: "write" | "delete";
  key: ConnectionKey;
  pollsLeft: number;
  fails: boolean;
}

export interface FakeKusto extends KustoGateway {
  readonly clusters: Map<string, KustoClusterInfo>;
  /** By lower-cased connection ID. */
  readonly connections: Map<string, KustoDataConnection>;
  readonly calls: { method: Method; auth?: SourceAuthorization }[];
  count(method?: Method): number;
  /** Messages dataConnectionValidation returns for a spec. */
  validationMessages: (spec: DataConnectionSpec) => string[];
  /** Resume calls a write or delete needs before it is done (0: done within the request's wait). */
  pollsToFinish: number;
  /** The next operations end Failed. */
  failOperations: boolean;
  /** Thrown by the next createOrUpdate/delete (e.g. a 409 or a 403 mapped by the real gateway). */
  failNextWrite?: AppError;
  /** Names checkNameAvailability calls invalid. */
  invalidName?: (name: string) => string | undefined;
  /** Puts a connection straight into Kusto (made outside the app, or by a request that then crashed). */
  seed(key: ConnectionKey, spec: DataConnectionSpec, provisioningState?: string): void;
}

export function createFakeKusto(options: { clusters?: KustoClusterInfo[] } = {}): FakeKusto {
  const operations = new Map<string, PendingOperation>();
  let operationCounter = 0;
  const toKusto = (key: ConnectionKey, spec: DataConnectionSpec, provisioningState: string): KustoDataConnection => ({
    id: toConnectionId(key),
    name: `${key.cluster}/${key.database}/${key.name}`,
    kind: spec.kind,
    ...(spec.location ? { location: spec.location } : {}),
    provisioningState,
    properties: { ...structuredClone(spec.properties), provisioningState },
  });
  const idOf = (key: ConnectionKey) => toConnectionId(key).toLowerCase();
  const record = (method: Method, auth?: SourceAuthorization) => kusto.calls.push({ method, ...(auth ? { auth: { ...auth } } : {}) });
  const setState = (key: ConnectionKey, state: string) => {
    const c = kusto.connections.get(idOf(key));
    if (c) kusto.connections.set(idOf(key), { ...c, provisioningState: state, properties: { ...c.properties, provisioningState: state } });
  };
  const finish = (op: PendingOperation): KustoOperationState => {
    if (op.fails) {
      if (op.kind === "write") setState(op.key, "Failed");
      return { done: true, succeeded: false, error: { code: "OperationFailed", message: "Kusto's operation failed." } };
    }
    if (op.kind === "delete") {
      kusto.connections.delete(idOf(op.key));
      return { done: true, succeeded: true };
    }
    setState(op.key, "Succeeded");
    return { done: true, succeeded: true, result: structuredClone(kusto.connections.get(idOf(op.key))) };
  };
  const start = (op: PendingOperation): KustoOperationState => {
    if (op.pollsLeft <= 0) return finish(op);
    const token = `op-${++operationCounter}`;
    operations.set(token, op);
    return { done: false, resumeToken: token };
  };
  const takeFailure = () => {
    const failure = kusto.failNextWrite;
    kusto.failNextWrite = undefined;
    if (failure) throw failure;
  };
  const kusto: FakeKusto = {
    clusters: new Map((options.clusters ?? []).map((c) => [c.id.toLowerCase(), c])),
    connections: new Map(),
    calls: [],
    count: (method) => (method ? kusto.calls.filter((c) => c.method === method).length : kusto.calls.length),
    validationMessages: () => [],
    pollsToFinish: 0,
    failOperations: false,
    seed(key, spec, provisioningState = "Succeeded") {
      kusto.connections.set(idOf(key), toKusto(key, spec, provisioningState));
    },
    async getCluster(key) {
      record("getCluster");
      const id = `/subscriptions/${key.subscriptionId}/resourceGroups/${key.resourceGroup}/providers/Microsoft.Kusto/clusters/${key.cluster}`;
      return structuredClone(kusto.clusters.get(id.toLowerCase()));
    },
    async databaseExists() {
      record("databaseExists");
      return true;
    },
    async checkNameAvailability(key) {
      record("checkNameAvailability");
      const invalid = kusto.invalidName?.(key.name);
      if (invalid) return { nameAvailable: false, reason: "Invalid", message: invalid };
      if (kusto.connections.has(idOf(key))) return { nameAvailable: false, reason: "AlreadyExists", message: `Name '${key.name}' is already taken.` };
      return { nameAvailable: true };
    },
    async validate(_key, spec, auth) {
      record("validate", auth);
      return kusto.validationMessages(spec);
    },
    async get(key) {
      record("get");
      return structuredClone(kusto.connections.get(idOf(key)));
    },
    async *listByDatabase() {
      record("listByDatabase");
      yield* [...kusto.connections.values()].map((c) => structuredClone(c));
    },
    async createOrUpdate(key, spec, auth) {
      record("createOrUpdate", auth);
      takeFailure();
      const existing = kusto.connections.get(idOf(key));
      if (existing && ["Creating", "Running", "Deleting"].includes(existing.provisioningState ?? "")) {
        throw new AppError("conflict", "OperationInProgress", "Another operation is in progress.");
      }
      kusto.connections.set(idOf(key), toKusto(key, spec, existing ? "Running" : "Creating"));
      return start({ kind: "write", key, pollsLeft: kusto.pollsToFinish, fails: kusto.failOperations });
    },
    async delete(key) {
      record("delete");
      takeFailure();
      if (!kusto.connections.has(idOf(key))) return { done: true, succeeded: true };
      setState(key, "Deleting");
      return start({ kind: "delete", key, pollsLeft: kusto.pollsToFinish, fails: kusto.failOperations });
    },
    async resume(token) {
      record("resume");
      const op = operations.get(token);
      if (!op) throw new AppError("notFound", "OperationNotFound", `no operation ${token}`);
      op.pollsLeft--;
      if (op.pollsLeft > 0) return { done: false, resumeToken: token };
      operations.delete(token);
      return finish(op);
    },
  };
  return kusto;
}

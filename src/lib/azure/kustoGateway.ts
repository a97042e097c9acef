// KustoGateway over @azure/arm-kusto: data connections, name availability, validation, the cluster's
// identities. Long-running operations wait a bounded time, then hand back the poller's state to resume from
// any instance. RestErrors become AppErrors (kustoErrors.ts); nothing above this file sees the SDK.
import type { DataConnectionUnion, KustoManagementClient } from "@azure/arm-kusto";
import type { ConnectionKey, DataConnectionSpec } from "../connections/model";
import type {
  KustoClusterInfo,
  KustoDataConnection,
  KustoGateway,
  KustoOperationState,
  KustoWaitOptions,
  SourceAuthorization,
} from "../connections/ports";
import { normalizeResourceId } from "../connections/model";
import { isKustoNotFound, isTransient, toKustoAppError } from "./kustoErrors";
import { withCorrelationPolicy } from "./telemetryPolicy";

export interface KustoGatewayOptions {
  /** A Kusto client for the subscription; with `auxiliaryTenantId`, one that adds that tenant's auxiliary token. */
  clientFor(subscriptionId: string, auth?: SourceAuthorization): KustoManagementClient;
  /**
   * Longest pause between polls inside the bounded wait (default 1000 ms). Pauses start at 25 ms and double:
   * most data-connection operations end within a second, and a request should not sleep past that.
   */
  pollIntervalInMs?: number;
}

type Db = Pick<ConnectionKey, "subscriptionId" | "resourceGroup" | "cluster" | "database">;

/** What resume needs: the operation, where it is, and the SDK poller's own serialized state. */
interface ResumeToken {
  v: 1;
  op: "write" | "delete";
  key: ConnectionKey;
  auxiliaryTenantId?: string;
  poller: string;
}

const CHECK_NAME_TYPE = "Microsoft.Kusto/clusters/databases/dataConnections";
const LRO_FAILED = /^The long-running operation has failed/;
const RESOURCE_FIELDS = new Set(["id", "name", "type", "kind", "location", "systemData"]);

/** The SDK's flattened model: `properties` lifted to the top level (the serializer nests them again). */
function toSdkModel(spec: DataConnectionSpec): DataConnectionUnion {
  return { kind: spec.kind, ...(spec.location ? { location: spec.location } : {}), ...spec.properties } as DataConnectionUnion;
}

export function toKustoDataConnection(model: DataConnectionUnion | Record<string, unknown>): KustoDataConnection {
  const flat = model as Record<string, unknown>;
  const properties = Object.fromEntries(Object.entries(flat).filter(([k, v]) => !RESOURCE_FIELDS.has(k) && v !== undefined));
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const location = str(flat.location);
  const provisioningState = str(flat.provisioningState);
  return {
    id: str(flat.id) ?? "",
    name: str(flat.name) ?? "",
    kind: str(flat.kind) ?? "",
    ...(location ? { location } : {}),
    ...(provisioningState ? { provisioningState } : {}),
    properties,
  };
}

interface PollerLike {
  isDone(): boolean;
  poll(): Promise<void>;
  toString(): string;
  getResult(): unknown;
  getOperationState(): { status: string; error?: Error };
}

function failedState(error: unknown): KustoOperationState | undefined {
  if (error instanceof Error && LRO_FAILED.test(error.message)) {
    return { done: true, succeeded: false, error: { code: "KustoOperationFailed", message: error.message } };
  }
  return undefined;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createKustoGateway(options: KustoGatewayOptions): KustoGateway {
  const interval = Math.max(1, options.pollIntervalInMs ?? 1000);
  // Every request (LRO polls included) carries the current correlation ID (telemetryPolicy.ts).
  const client = (key: { subscriptionId: string }, auth?: SourceAuthorization) => withCorrelationPolicy(options.clientFor(key.subscriptionId, auth));

  /** Polls until done or the wait is over; a transient polling error leaves the operation resumable. */
  async function settle(poller: PollerLike, token: Omit<ResumeToken, "poller">, waitInMs: number): Promise<KustoOperationState> {
    const deadline = Date.now() + waitInMs;
    let pause = Math.min(25, interval);
    try {
      while (!poller.isDone() && Date.now() < deadline) {
        await delay(Math.min(pause, Math.max(0, deadline - Date.now())));
        pause = Math.min(pause * 2, interval);
        await poller.poll();
      }
    } catch (error) {
      const failed = failedState(error);
      if (failed) return failed;
      if (!isTransient(error)) throw toKustoAppError(error, "polling Kusto's operation");
    }
    if (!poller.isDone()) return { done: false, resumeToken: JSON.stringify({ ...token, poller: poller.toString() } satisfies ResumeToken) };
    const state = poller.getOperationState();
    if (state.status !== "succeeded") {
      return { done: true, succeeded: false, error: { code: "KustoOperationFailed", message: state.error?.message ?? `Kusto's operation ended ${state.status}.` } };
    }
    const result = poller.getResult();
    return { done: true, succeeded: true, ...(token.op === "write" && result ? { result: toKustoDataConnection(result as DataConnectionUnion) } : {}) };
  }

  /** Starts (or, with `resumeFrom`, rebuilds) the SDK poller; its first poll happens inside. */
  async function begin(token: Omit<ResumeToken, "poller">, spec: DataConnectionSpec | undefined, resumeFrom?: string): Promise<PollerLike | KustoOperationState> {
    const { key } = token;
    const c = client(key, token.auxiliaryTenantId ? { auxiliaryTenantId: token.auxiliaryTenantId } : undefined);
    const lro = { updateIntervalInMs: interval, ...(resumeFrom ? { resumeFrom } : {}) };
    try {
      if (token.op === "delete") return await c.dataConnections.beginDelete(key.resourceGroup, key.cluster, key.database, key.name, lro);
      // When resuming, the body is not sent again (the SDK only polls): any valid model will do.
      const body = spec ? toSdkModel(spec) : ({ kind: "EventHub" } as DataConnectionUnion);
      return await c.dataConnections.beginCreateOrUpdate(key.resourceGroup, key.cluster, key.database, key.name, body, lro);
    } catch (error) {
      if (token.op === "delete" && isKustoNotFound(error)) return { done: true, succeeded: true };
      const failed = failedState(error);
      if (failed) return failed;
      throw toKustoAppError(error, token.op === "delete" ? `deleting data connection '${key.name}'` : `writing data connection '${key.name}'`);
    }
  }

  async function run(token: Omit<ResumeToken, "poller">, spec: DataConnectionSpec | undefined, wait: KustoWaitOptions, resumeFrom?: string) {
    const started = await begin(token, spec, resumeFrom);
    return "done" in started ? started : settle(started, token, wait.waitInMs);
  }

  return {
    async getCluster(key) {
      try {
        const cluster = await client(key).clusters.get(key.resourceGroup, key.cluster);
        const identity = cluster.identity;
        const userAssigned: KustoClusterInfo["userAssignedIdentities"] = {};
        for (const [id, value] of Object.entries(identity?.userAssignedIdentities ?? {})) {
          if (value.principalId) userAssigned[normalizeResourceId(id)] = { principalId: value.principalId, clientId: value.clientId ?? "" };
        }
        const hasSystem = identity?.type?.includes("SystemAssigned") && identity.principalId && identity.tenantId;
        return {
          id: cluster.id ?? "",
          location: cluster.location,
          ...(hasSystem ? { systemIdentity: { principalId: identity!.principalId!, tenantId: identity!.tenantId! } } : {}),
          userAssignedIdentities: userAssigned,
        };
      } catch (error) {
        if (isKustoNotFound(error)) return undefined;
        throw toKustoAppError(error, `reading cluster '${key.cluster}'`);
      }
    },

    async databaseExists(key: Db) {
      try {
        await client(key).databases.get(key.resourceGroup, key.cluster, key.database);
        return true;
      } catch (error) {
        if (isKustoNotFound(error)) return false;
        throw toKustoAppError(error, `reading database '${key.database}'`);
      }
    },

    async checkNameAvailability(key) {
      try {
        const r = await client(key).dataConnections.checkNameAvailability(key.resourceGroup, key.cluster, key.database, { name: key.name, type: CHECK_NAME_TYPE });
        return { nameAvailable: r.nameAvailable === true, ...(r.reason ? { reason: r.reason } : {}), ...(r.message ? { message: r.message } : {}) };
      } catch (error) {
        throw toKustoAppError(error, `checking the name '${key.name}'`);
      }
    },

    async validate(key, spec, auth) {
      try {
        const result = await client(key, auth).dataConnections.beginDataConnectionValidationAndWait(
          key.resourceGroup,
          key.cluster,
          key.database,
          { dataConnectionName: key.name, properties: toSdkModel(spec) },
          { updateIntervalInMs: interval },
        );
        return (result.value ?? []).map((v) => v.errorMessage ?? "").filter((m) => m.length > 0);
      } catch (error) {
        throw toKustoAppError(error, `validating data connection '${key.name}'`);
      }
    },

    async get(key) {
      try {
        return toKustoDataConnection(await client(key).dataConnections.get(key.resourceGroup, key.cluster, key.database, key.name));
      } catch (error) {
        if (isKustoNotFound(error)) return undefined;
        throw toKustoAppError(error, `reading data connection '${key.name}'`);
      }
    },

    async *listByDatabase(key: Db) {
      try {
        for await (const c of client(key).dataConnections.listByDatabase(key.resourceGroup, key.cluster, key.database)) yield toKustoDataConnection(c);
      } catch (error) {
        throw toKustoAppError(error, `listing the data connections of '${key.database}'`);
      }
    },

    createOrUpdate(key, spec, auth, wait) {
      return run({ v: 1, op: "write", key, ...(auth.auxiliaryTenantId ? { auxiliaryTenantId: auth.auxiliaryTenantId } : {}) }, spec, wait);
    },

    delete(key, wait) {
      return run({ v: 1, op: "delete", key }, undefined, wait);
    },

    resume(resumeToken, wait) {
      let token: ResumeToken;
      try {
        token = JSON.parse(resumeToken) as ResumeToken;
      } catch {
        throw toKustoAppError(new Error("unreadable resume token"), "resuming Kusto's operation");
      }
      if (token.v !== 1 || !token.poller) throw toKustoAppError(new Error("unknown resume token"), "resuming Kusto's operation");
      const { poller, ...rest } = token;
      return run(rest, undefined, wait, poller);
    },
  };
}

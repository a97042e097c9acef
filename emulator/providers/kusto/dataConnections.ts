// Microsoft.Kusto data connections: list/GET/PUT/PATCH/DELETE as long-running operations, validation and
// name availability. Writes are validated as Kusto does (shape per kind, sources, the principal's access)
// and reads report MI-mode connections whose identity lost access as provisioningState "Failed".
import type { ArmRequest, ArmResponse, EmulatorContext, LroStartOptions, RouteDefinition } from "../../arm/contract";
import { ArmError } from "../../arm/contract";
import type { ResourceRecord } from "../../world/types";
import { invalidRequestContent, resourceNotFound } from "../common/errors";
import { isRecord } from "../common/resourceRoutes";
import { parseDataConnection, type SupportedKind } from "./dataConnectionSchema";
import {
  clusterOfId,
  DATABASE_PATH,
  DATA_CONNECTION_PATH,
  databaseIdOf,
  KUSTO_API_VERSIONS,
  kustoOperation,
  lastSegment,
  propertiesOf,
  requireCluster,
} from "./parents";
import { checkAccess, checkSources, isConnectionHealthy, sourceIds } from "./sourceAccess";

export const DATA_CONNECTION_TYPE = "Microsoft.Kusto/Clusters/Databases/DataConnections";
const CHECK_NAME_TYPE = "Microsoft.Kusto/clusters/databases/dataConnections";
const ACTION = "Microsoft.Kusto/clusters/databases/dataConnections";
/** States in which an operation on the connection is still running (another one gets 409). */
const IN_FLIGHT = new Set(["Creating", "Running", "Deleting"]);
const SUPPORTED_KINDS = new Set<string>(["EventHub", "EventGrid", "IotHub", "CosmosDb"]);
/** Emulator rule for data-connection names (the spec has none): letters, digits, '.', '-', '_'; 1-40 chars. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

function stateOf(record: ResourceRecord): string {
  const state = propertiesOf(record.body).provisioningState;
  return typeof state === "string" ? state : "Succeeded";
}

/** The connection as GET returns it: a Succeeded connection that can no longer ingest shows "Failed". */
export function dataConnectionView(ctx: EmulatorContext, record: ResourceRecord): Record<string, unknown> {
  const body = structuredClone(record.body);
  const kind = String(body.kind ?? "");
  const properties = propertiesOf(body);
  if (stateOf(record) === "Succeeded" && SUPPORTED_KINDS.has(kind)) {
    if (!isConnectionHealthy(ctx, clusterOfId(ctx, record.id), kind as SupportedKind, properties)) properties.provisioningState = "Failed";
  }
  return body;
}

function requireDatabase(ctx: EmulatorContext, req: ArmRequest): { cluster: ResourceRecord; database: ResourceRecord } {
  const cluster = requireCluster(ctx, req);
  const database = ctx.world.getResource(databaseIdOf(req));
  if (!database) throw resourceNotFound("Microsoft.Kusto/Clusters/Databases", `${req.params.clusterName}/${req.params.databaseName}`, req.params.resourceGroupName);
  return { cluster, database };
}

function connectionIdentity(cluster: ResourceRecord, database: ResourceRecord, name: string): { id: string; name: string } {
  const clusterName = lastSegment(cluster.id);
  const databaseName = lastSegment(database.id);
  const prefix = cluster.id.split("/").slice(0, 7).join("/");
  return {
    id: `${prefix}/Clusters/${clusterName}/Databases/${databaseName}/DataConnections/${name}`,
    name: `${clusterName}/${databaseName}/${name}`,
  };
}

function assertNotInFlight(record: ResourceRecord | undefined): void {
  if (record && IN_FLIGHT.has(stateOf(record))) {
    throw new ArmError(
      409,
      "AnotherOperationInProgress",
      `Data connection '${String(record.body.name)}' is in state '${stateOf(record)}': another operation is in progress. Retry when it completes.`,
    );
  }
}

/** Linked resources in other tenants need the identity that speaks for them (401 otherwise, as ARM does). */
function assertLinkedTenants(req: ArmRequest, ctx: EmulatorContext, kind: SupportedKind, properties: Record<string, unknown>): void {
  for (const id of sourceIds(kind, properties)) {
    const tenant = ctx.world.tenantOfResource(id);
    if (tenant && tenant.toLowerCase() !== req.caller.tenantId.toLowerCase()) ctx.identityForTenant(req, tenant);
  }
}

interface Validated {
  kind: SupportedKind;
  location: string | undefined;
  properties: Record<string, unknown>;
  managedIdentityObjectId?: string;
}

/** Every problem Kusto would report for this connection (shape, kind change, sources, access). */
function validate(
  req: ArmRequest,
  ctx: EmulatorContext,
  input: unknown,
  target: { cluster: ResourceRecord; existing: ResourceRecord | undefined; path: string },
): { ok: true; value: Validated } | { ok: false; problems: ArmError[] } {
  const parsed = parseDataConnection(input);
  if (!parsed.ok) return parsed;
  const { kind, properties } = parsed.value;
  const existingKind = target.existing?.body.kind;
  if (typeof existingKind === "string" && existingKind.toLowerCase() !== kind.toLowerCase()) {
    return { ok: false, problems: [new ArmError(400, "DataConnectionKindChangeNotAllowed", `The kind of an existing data connection cannot change from '${existingKind}' to '${kind}'.`)] };
  }
  assertLinkedTenants(req, ctx, kind, properties);
  const sourceProblems = checkSources(ctx.world, kind, properties);
  if (sourceProblems.length > 0) return { ok: false, problems: sourceProblems };
  const access = checkAccess(req, ctx, { kind, properties, cluster: target.cluster, connectionPath: target.path });
  if (access.problems.length > 0) return { ok: false, problems: access.problems };
  return { ok: true, value: { ...parsed.value, managedIdentityObjectId: access.managedIdentityObjectId } };
}

/** Sets the provisioning state when the resource is still in the state the operation left it in. */
function finishState(ctx: EmulatorContext, id: string, from: string, to: string): void {
  const record = ctx.world.getResource(id);
  if (!record || stateOf(record) !== from) return;
  ctx.world.putResource({ ...record.body, properties: { ...propertiesOf(record.body), provisioningState: to } });
}

function startOperation(
  req: ArmRequest,
  ctx: EmulatorContext,
  cluster: ResourceRecord,
  operation: { id: string; kind: string; inFlightState: string; complete(): void; finalBody: boolean },
): Record<string, string> {
  const start: LroStartOptions & { path: string } = {
    ...kustoOperation(req, cluster, operation.kind),
    complete: () => operation.complete(),
    fail: () => finishState(ctx, operation.id, operation.inFlightState, "Failed"),
    finalResult: operation.finalBody
      ? () => {
          const record = ctx.world.getResource(operation.id);
          return record ? { status: 200, body: dataConnectionView(ctx, record) } : { status: 204 };
        }
      : undefined,
  };
  return ctx.lro.start(start).headers;
}

function writeConnection(req: ArmRequest, ctx: EmulatorContext, method: "PUT" | "PATCH"): ArmResponse {
  const { cluster, database } = requireDatabase(ctx, req);
  const requestedName = req.params.dataConnectionName ?? "";
  const { id, name } = connectionIdentity(cluster, database, requestedName);
  const existing = ctx.world.getResource(id);
  if (method === "PATCH" && !existing) throw resourceNotFound(DATA_CONNECTION_TYPE, name, req.params.resourceGroupName);
  if (!existing && !NAME_PATTERN.test(requestedName)) {
    throw new ArmError(400, "InvalidResourceName", `The data connection name '${requestedName}' is invalid: use 1-40 letters, digits, '.', '-' or '_', starting with a letter or digit.`);
  }
  assertNotInFlight(existing);
  let input = req.body;
  if (method === "PATCH" && existing) {
    if (!isRecord(input)) throw invalidRequestContent("The request content was invalid and could not be deserialized: a JSON object is required.");
    input = { ...existing.body, ...input, properties: { ...propertiesOf(existing.body), ...(isRecord(input.properties) ? input.properties : {}) } };
  }
  const result = validate(req, ctx, input, { cluster, existing, path: req.path });
  if (!result.ok) throw result.problems[0] as ArmError;
  const { kind, location, properties, managedIdentityObjectId } = result.value;
  const inFlightState = existing ? "Running" : "Creating";
  const body: Record<string, unknown> = {
    id,
    name,
    type: DATA_CONNECTION_TYPE,
    location: location ?? cluster.body.location,
    kind,
    properties: { ...properties, ...(managedIdentityObjectId ? { managedIdentityObjectId } : {}), provisioningState: inFlightState },
  };
  ctx.world.putResource(body);
  const headers = startOperation(req, ctx, cluster, {
    id,
    kind: existing ? "DataConnectionUpdate" : "DataConnectionCreate",
    inFlightState,
    complete: () => finishState(ctx, id, inFlightState, "Succeeded"),
    finalBody: true,
  });
  const status = method === "PATCH" ? 202 : existing ? 200 : 201;
  return { status, body: structuredClone(body), headers };
}

const listRoute: RouteDefinition = {
  method: "GET",
  path: `${DATABASE_PATH}/dataConnections`,
  apiVersions: KUSTO_API_VERSIONS,
  action: `${ACTION}/read`,
  handler(req, ctx) {
    const { database } = requireDatabase(ctx, req);
    const records = ctx.world.listChildren(database.id, "dataConnections");
    return { status: 200, body: { value: records.map((r) => dataConnectionView(ctx, r)) } };
  },
};

const getRoute: RouteDefinition = {
  method: "GET",
  path: DATA_CONNECTION_PATH,
  apiVersions: KUSTO_API_VERSIONS,
  action: `${ACTION}/read`,
  handler(req, ctx) {
    const { cluster, database } = requireDatabase(ctx, req);
    const { id, name } = connectionIdentity(cluster, database, req.params.dataConnectionName ?? "");
    const record = ctx.world.getResource(id);
    if (!record) throw resourceNotFound(DATA_CONNECTION_TYPE, name, req.params.resourceGroupName);
    return { status: 200, body: dataConnectionView(ctx, record) };
  },
};

const putRoute: RouteDefinition = {
  method: "PUT",
  path: DATA_CONNECTION_PATH,
  apiVersions: KUSTO_API_VERSIONS,
  action: `${ACTION}/write`,
  handler: (req, ctx) => writeConnection(req, ctx, "PUT"),
};

const patchRoute: RouteDefinition = {
  method: "PATCH",
  path: DATA_CONNECTION_PATH,
  apiVersions: KUSTO_API_VERSIONS,
  action: `${ACTION}/write`,
  handler: (req, ctx) => writeConnection(req, ctx, "PATCH"),
};

const deleteRoute: RouteDefinition = {
  method: "DELETE",
  path: DATA_CONNECTION_PATH,
  apiVersions: KUSTO_API_VERSIONS,
  action: `${ACTION}/delete`,
  handler(req, ctx) {
    const { cluster, database } = requireDatabase(ctx, req);
    const { id } = connectionIdentity(cluster, database, req.params.dataConnectionName ?? "");
    const existing = ctx.world.getResource(id);
    if (!existing) return { status: 204 };
    assertNotInFlight(existing);
    ctx.world.putResource({ ...existing.body, properties: { ...propertiesOf(existing.body), provisioningState: "Deleting" } });
    const headers = startOperation(req, ctx, cluster, {
      id,
      kind: "DataConnectionDelete",
      inFlightState: "Deleting",
      complete: () => {
        const current = ctx.world.getResource(id);
        if (current && stateOf(current) === "Deleting") ctx.world.deleteResource(id);
      },
      finalBody: false,
    });
    return { status: 202, headers };
  },
};

const validationRoute: RouteDefinition = {
  method: "POST",
  path: `${DATABASE_PATH}/dataConnectionValidation`,
  apiVersions: KUSTO_API_VERSIONS,
  action: "Microsoft.Kusto/clusters/databases/dataConnectionValidation/action",
  handler(req, ctx) {
    const cluster = requireCluster(ctx, req);
    const database = ctx.world.getResource(databaseIdOf(req));
    const body = isRecord(req.body) ? req.body : {};
    const name = typeof body.dataConnectionName === "string" ? body.dataConnectionName : "";
    const existing = name && database ? ctx.world.getResource(connectionIdentity(cluster, database, name).id) : undefined;
    const path = `${req.path.replace(/\/dataConnectionValidation$/i, "")}/dataConnections/${name}`;
    const result = validate(req, ctx, body.properties, { cluster, existing, path });
    const errors = result.ok ? [] : result.problems.map((p) => p.message);
    // Kusto's own wording and order (KustoDataConnectionValidationAsync.json): source problems, then the database.
    if (!database) errors.push("Database does not exist");
    return { status: 200, body: { value: errors.map((errorMessage) => ({ errorMessage })) }, event: false };
  },
};

const checkNameRoute: RouteDefinition = {
  method: "POST",
  path: `${DATABASE_PATH}/checkNameAvailability`,
  apiVersions: KUSTO_API_VERSIONS,
  action: "Microsoft.Kusto/clusters/databases/checkNameAvailability/action",
  handler(req, ctx) {
    const { cluster, database } = requireDatabase(ctx, req);
    const body = isRecord(req.body) ? req.body : {};
    if (typeof body.name !== "string" || typeof body.type !== "string") {
      throw invalidRequestContent("The request content was invalid: 'name' and 'type' are required.");
    }
    if (body.type.toLowerCase() !== CHECK_NAME_TYPE.toLowerCase()) {
      throw invalidRequestContent(`The type '${body.type}' is invalid; expected '${CHECK_NAME_TYPE}'.`);
    }
    const name = body.name;
    let result: Record<string, unknown> = { name, nameAvailable: true };
    if (!NAME_PATTERN.test(name)) {
      result = { name, nameAvailable: false, reason: "Invalid", message: `Name '${name}' is invalid: use 1-40 letters, digits, '.', '-' or '_', starting with a letter or digit.` };
    } else if (ctx.world.getResource(connectionIdentity(cluster, database, name).id)) {
      result = { name, nameAvailable: false, reason: "AlreadyExists", message: `Name '${name}' is already taken. Please specify a different name.` };
    }
    return { status: 200, body: result, event: false };
  },
};

export const dataConnectionRoutes: RouteDefinition[] = [listRoute, getRoute, putRoute, patchRoute, deleteRoute, validationRoute, checkNameRoute];

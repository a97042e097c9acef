// The ConnectionsService the HTTP functions call: one use case per operation over the injected ports.
import type { ConnectionsDeps } from "./deps";
import { deleteConnection } from "./deleteConnection";
import { getConnection } from "./getConnection";
import { getOperation } from "./getOperation";
import { listConnections } from "./listConnections";
import { listJournal } from "./listJournal";
import type { ConnectionsService } from "./service";
import { upsertConnection } from "./upsertConnection";
import { validateConnection } from "./validateConnection";
import { withCorrelation } from "../telemetry/correlation";

export function createConnectionsService(deps: ConnectionsDeps): ConnectionsService {
  return {
    // The ARM adapters send the request's correlation ID with every call these make (and tag their spans).
    upsert: (input) => withCorrelation(input.correlationId, () => upsertConnection(deps, input)),
    validate: (input) => withCorrelation(input.correlationId, () => validateConnection(deps, input)),
    get: (caller, key) => getConnection(deps, caller, key),
    list: (caller, filter, page) => listConnections(deps, caller, filter, page),
    delete: (caller, key, correlationId) => withCorrelation(correlationId, () => deleteConnection(deps, caller, key, correlationId)),
    journal: (caller, key, page) => listJournal(deps, caller, key, page),
    getOperation: (caller, operationId) => getOperation(deps, caller, operationId),
  };
}

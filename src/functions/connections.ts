// HTTP routes of the connections API: thin registrations over src/lib/http/connectionsApi (which authenticates
// every call with an Entra token in code, hence authLevel anonymous: a function key alone is never the guard).
import { app, type HttpHandler } from "@azure/functions";
import { createConnectionsApi, type ApiHandler, type ConnectionsApiDeps } from "../lib/http/connectionsApi";
import { createInvocationLogger } from "../lib/http/invocationLogger";
import { getRoot } from "./root";

const adapt =
  (handler: ApiHandler): HttpHandler =>
  (request, context) =>
    handler(request, createInvocationLogger(context));

/** The handlers over any service and validator (tests inject fakes). */
export function createConnectionsHandlers(deps: ConnectionsApiDeps) {
  const api = createConnectionsApi(deps);
  return {
    upsert: adapt(api.upsert),
    validate: adapt(api.validate),
    get: adapt(api.get),
    list: adapt(api.list),
    delete: adapt(api.delete),
    journal: adapt(api.journal),
    getOperation: adapt(api.getOperation),
  };
}

export const connectionsHandlers = createConnectionsHandlers({
  getService: () => getRoot().connections,
  getTokenValidator: () => getRoot().tokenValidator,
});

const connection = "connections/{subscriptionId}/{resourceGroup}/{cluster}/{database}/{name}";
const anonymous = "anonymous" as const;
app.http("connectionsList", { methods: ["GET"], authLevel: anonymous, route: "connections", handler: connectionsHandlers.list });
app.http("connectionsUpsert", { methods: ["PUT"], authLevel: anonymous, route: connection, handler: connectionsHandlers.upsert });
app.http("connectionsGet", { methods: ["GET"], authLevel: anonymous, route: connection, handler: connectionsHandlers.get });
app.http("connectionsDelete", { methods: ["DELETE"], authLevel: anonymous, route: connection, handler: connectionsHandlers.delete });
app.http("connectionsValidate", { methods: ["POST"], authLevel: anonymous, route: `${connection}/validate`, handler: connectionsHandlers.validate });
app.http("connectionsJournal", { methods: ["GET"], authLevel: anonymous, route: `${connection}/journal`, handler: connectionsHandlers.journal });

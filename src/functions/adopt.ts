// POST /api/connections/{...}/{name}/adopt: bring an unmanaged connection under management (Connections.Write
// and the access policy; Entra token validated in code, hence authLevel anonymous).
import { app, type HttpHandler } from "@azure/functions";
import { createAdoptHandler, type AdoptApiDeps } from "../lib/audit/http/adoptApi";
import { createInvocationLogger } from "../lib/http/invocationLogger";
import { getRoot } from "./root";

export function createAdoptFunction(deps: AdoptApiDeps): HttpHandler {
  const handler = createAdoptHandler(deps);
  return (request, context) => handler(request, createInvocationLogger(context));
}

app.http("connectionsAdopt", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "connections/{subscriptionId}/{resourceGroup}/{cluster}/{database}/{name}/adopt",
  handler: createAdoptFunction({ adopt: (input) => getRoot().adopt(input), getTokenValidator: () => getRoot().tokenValidator }),
});

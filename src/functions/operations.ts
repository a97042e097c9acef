// GET /api/operations/{id}: a Kusto operation that outlived its request (the Location of a 202).
import { app } from "@azure/functions";
import { connectionsHandlers } from "./connections";

app.http("operationsGet", { methods: ["GET"], authLevel: "anonymous", route: "operations/{id}", handler: connectionsHandlers.getOperation });

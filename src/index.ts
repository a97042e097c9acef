// The app's entry, loaded by the Functions host: importing it only registers functions (and starts telemetry
// when it is configured).
import * as functions from "@azure/functions";
import { startAppTelemetry } from "./lib/appTelemetry";
import "./functions/health";
import "./functions/connections";
import "./functions/operations";
import "./functions/openapi";
import "./functions/notificationsOutbox";
import "./functions/revocationEvents";
import "./functions/events";
import "./functions/auditTimer";
import "./functions/auditShard";
import "./functions/audits";
import "./functions/adopt";

// OpenTelemetry while startup lasts (the Functions instrumentation calls app.setup); loads nothing when not configured.
startAppTelemetry(functions);

// The app's entry, loaded by the Functions host: importing it only registers functions.
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

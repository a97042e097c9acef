// Timer: re-publishes notifications that could not be published when they happened (the notifier's outbox).
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { getRoot } from "./root";

export async function drainNotificationsOutbox(_timer: Timer, context: InvocationContext): Promise<void> {
  const result = await getRoot().notifier.drainOutbox({ maxEvents: 100 });
  if (result.delivered + result.failed > 0) context.log("notifications outbox drained", result);
}

// Every five minutes; a failure rethrows so the host's own handling applies.
app.timer("notificationsOutbox", { schedule: "0 */5 * * * *", handler: drainNotificationsOutbox });

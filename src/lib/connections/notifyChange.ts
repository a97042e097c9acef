// Publishes a connection event; a publish that fails is journalled (the notifier's outbox retries it) and
// never fails the operation.
import type { ConnectionsDeps } from "./deps";
import type { ManagedConnection } from "./model";
import type { ConnectionEventType } from "./ports";
import type { Runtime } from "./runtime";

const NOT_CONFIGURED = "NotConfigured";

export async function notifyChange(
  deps: ConnectionsDeps,
  rt: Runtime,
  type: ConnectionEventType,
  connection: ManagedConnection,
  correlationId: string,
): Promise<void> {
  const data = {
    connectionId: connection.id,
    kind: connection.kind,
    authMode: connection.authMode,
    status: connection.status,
    principal: connection.binding.principal,
    sourceResourceIds: connection.sourceResourceIds,
    correlationId,
  };
  let result: { delivered: boolean; error?: string };
  try {
    result = await deps.notifier.publish({ id: rt.newId(), type, subject: connection.id, time: rt.now(), data });
  } catch (error) {
    // The port promises not to throw; a broken adapter still must not fail the operation.
    result = { delivered: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (result.delivered) return;
  // No topic configured (the notifier's NotConfigured): nothing to retry, so nothing to journal.
  if (result.error === NOT_CONFIGURED) return;
  rt.logger.warn("notification not delivered", { connectionId: connection.id, correlationId, type, error: result.error });
  try {
    await deps.journal.append({
      connectionId: connection.id,
      action: "notify",
      phase: "failed",
      actor: { system: "notifier" },
      correlationId,
      reason: `${type} not delivered; kept for retry`,
      error: { code: "NotificationNotDelivered", message: result.error ?? "unknown" },
    });
  } catch (error) {
    rt.logger.error("journal append failed after a failed notification", { connectionId: connection.id, correlationId, error: String(error) });
  }
}

// The attributes a created connection is counted under: kind, auth mode, and whether its source is in another tenant.
import type { ManagedConnection } from "../connections/model";
import type { AppMetrics } from "./metrics";

export function createdAttributes(connection: Pick<ManagedConnection, "kind" | "authMode" | "binding">): Parameters<AppMetrics["connectionCreated"]>[0] {
  return { kind: connection.kind, authMode: connection.authMode, crossTenant: connection.binding.principal.kind === "crossTenantApp" };
}

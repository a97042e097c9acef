// Metrics port: what the use cases count. Implemented over OpenTelemetry in src/lib/azure; a no-op here.
import type { AuthMode, ConnectionKind } from "../connections/model";

export interface AppMetrics {
  connectionCreated(attributes: { kind: ConnectionKind; authMode: AuthMode; crossTenant: boolean }): void;
  connectionDeleted(attributes: { kind: ConnectionKind; reason: "request" | "revoked" | "sourceDeleted" | "audit" }): void;
  /** A revocation event whose principal still holds access through another grant. */
  connectionKept(attributes: { kind: ConnectionKind }): void;
  /** Time from an event's `eventTime` to its processing. */
  eventLag(milliseconds: number, attributes: { eventType: string }): void;
  auditFinding(attributes: { type: string; severity: string }): void;
}

export const noopMetrics: AppMetrics = {
  connectionCreated() {},
  connectionDeleted() {},
  connectionKept() {},
  eventLag() {},
  auditFinding() {},
};

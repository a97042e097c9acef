// The authenticated caller of the HTTP API and the policy that says what it may touch.
import type { CallerRef } from "../connections/model";
import type { Result } from "../errors";

/** App roles of the API (app registration `appRoles`, the token's `roles` claim). */
export type AppRole = "Connections.Read" | "Connections.Write" | "Audit.Run";

export interface Caller extends CallerRef {
  roles: string[];
}

export interface TokenValidator {
  /** Validates `Authorization: Bearer ...`; AppError unauthorized (401) on anything wrong. */
  validate(authorizationHeader: string | null | undefined): Promise<Result<Caller>>;
}

export interface PolicyRequest {
  action: "read" | "write";
  /** The cluster's ARM ID. */
  clusterId: string;
  database: string;
  /** Source resource IDs the request references (write). */
  sourceResourceIds?: string[];
  /** Tenant of the sources when not the app's own (cross-tenant). */
  sourceTenantId?: string;
}

export interface AccessPolicy {
  /**
   * Which callers may target which clusters, databases, source scopes and tenants, so the app's identity
   * never becomes a confused deputy. AppError forbidden (403, with the rule that failed) when not allowed.
   */
  authorize(caller: Caller, request: PolicyRequest): Result<void>;
}

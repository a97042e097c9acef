// Domain records → the API's JSON (responseSchemas.ts): flat, camelCase, and without internals such as the
// poller's resume token.
import type { Binding, JournalEntry, ManagedConnection } from "../connections/model";
import type { OperationView, ValidationReport } from "../connections/service";
import type { ConnectionView, JournalEntryView, OperationViewBody, ValidationReportView } from "./responseSchemas";

export function operationHref(operationId: string): string {
  return `/api/operations/${encodeURIComponent(operationId)}`;
}

export function connectionHref(key: ManagedConnection["key"]): string {
  return `/api/connections/${[key.subscriptionId, key.resourceGroup, key.cluster, key.database, key.name].map(encodeURIComponent).join("/")}`;
}

export function toBindingView(binding: Binding): ConnectionView["binding"] {
  return {
    principal: {
      tenantId: binding.principal.tenantId,
      objectId: binding.principal.objectId,
      kind: binding.principal.kind,
      ...(binding.principal.resourceId === undefined ? {} : { resourceId: binding.principal.resourceId }),
    },
    requirements: binding.requirements.map((status) => ({
      source: status.requirement.source,
      scope: status.requirement.scope,
      permission: status.requirement.permission,
      permissionKind: status.requirement.permissionKind,
      granted: status.granted,
      grants: status.grants.map((g) => ({ roleAssignmentId: g.roleAssignmentId, roleDefinitionId: g.roleDefinitionId, scope: g.scope, assigneeObjectId: g.assigneeObjectId })),
    })),
    verifiedAt: binding.verifiedAt,
  };
}

const callerView = (c: ManagedConnection["createdBy"]): ConnectionView["createdBy"] => ({
  tenantId: c.tenantId,
  objectId: c.objectId,
  ...(c.appId === undefined ? {} : { appId: c.appId }),
  ...(c.name === undefined ? {} : { name: c.name }),
});

export function toConnectionView(c: ManagedConnection): ConnectionView {
  return {
    id: c.id,
    subscriptionId: c.key.subscriptionId,
    resourceGroup: c.key.resourceGroup,
    cluster: c.key.cluster,
    database: c.key.database,
    name: c.key.name,
    kind: c.kind,
    authMode: c.authMode,
    status: c.status,
    ...(c.provisioningState === undefined ? {} : { provisioningState: c.provisioningState }),
    spec: { kind: c.spec.kind, ...(c.spec.location === undefined ? {} : { location: c.spec.location }), properties: c.spec.properties },
    binding: toBindingView(c.binding),
    sourceResourceIds: c.sourceResourceIds,
    ...(c.operation === undefined
      ? {}
      : { operation: { id: c.operation.id, kind: c.operation.kind, startedAt: c.operation.startedAt, href: operationHref(c.operation.id) } }),
    createdBy: callerView(c.createdBy),
    createdAt: c.createdAt,
    updatedBy: callerView(c.updatedBy),
    updatedAt: c.updatedAt,
    ...(c.etag === undefined ? {} : { etag: c.etag }),
  };
}

export function toValidationReportView(report: ValidationReport): ValidationReportView {
  return {
    valid: report.valid,
    problems: report.problems.map(({ code, message, path }) => ({ code, message, ...(path === undefined ? {} : { path }) })),
    ...(report.binding === undefined ? {} : { binding: toBindingView(report.binding) }),
  };
}

export function toOperationView(op: OperationView): OperationViewBody {
  return {
    id: op.id,
    kind: op.kind,
    status: op.status,
    connectionId: op.connectionId,
    startedAt: op.startedAt,
    ...(op.error === undefined ? {} : { error: { code: op.error.code, message: op.error.message } }),
  };
}

export function toJournalEntryView(e: JournalEntry): JournalEntryView {
  return {
    id: e.id,
    connectionId: e.connectionId,
    at: e.at,
    action: e.action,
    phase: e.phase,
    ...(e.intentId === undefined ? {} : { intentId: e.intentId }),
    actor: "system" in e.actor ? { system: e.actor.system } : callerView(e.actor),
    correlationId: e.correlationId,
    ...(e.reason === undefined ? {} : { reason: e.reason }),
    ...(e.before === undefined ? {} : { before: e.before }),
    ...(e.after === undefined ? {} : { after: e.after }),
    ...(e.error === undefined ? {} : { error: { code: e.error.code, message: e.error.message } }),
  };
}

/** An HTTP ETag from the registry's token (Table Storage's are already quoted, weak ones start with W/). */
export function toEtagHeader(etag: string | undefined): Record<string, string> {
  if (!etag) return {};
  return { etag: /^(W\/)?".*"$/.test(etag) ? etag : `"${etag.replace(/"/g, "")}"` };
}

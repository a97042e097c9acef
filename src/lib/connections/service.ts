// What the HTTP functions call: one use case per operation. Authorization (app roles and the access
// policy) happens inside, so every entry point shares it; authentication happened before (Caller).
import type { Caller } from "../auth/caller";
import type { Problem, Result } from "../errors";
import type { Page } from "../paging";
import type {
  AccessRequest,
  Binding,
  ConnectionKey,
  DataConnectionSpec,
  JournalEntry,
  ManagedConnection,
} from "./model";
import type { ListConnectionsFilter } from "./ports";

export interface UpsertInput {
  caller: Caller;
  key: ConnectionKey;
  /** Already schema-validated (src/lib/connections/schema). */
  spec: DataConnectionSpec;
  access: AccessRequest;
  correlationId: string;
}

export type UpsertOutcome =
  /** 201 / 200: the connection exists in Kusto and the registry as asked. */
  | { status: "created" | "updated" | "unchanged"; connection: ManagedConnection }
  /** 202: Kusto's operation outlived the bounded wait; poll GET /api/operations/{operationId}. */
  | { status: "accepted"; connection: ManagedConnection; operationId: string };

export interface ValidationReport {
  valid: boolean;
  /** Every problem found: policy, name availability, Kusto's validation, access. */
  problems: Problem[];
  /** The binding the connection would have (principal, requirements, grants found). */
  binding?: Binding;
}

export type DeleteOutcome = { status: "deleted" } | { status: "accepted"; operationId: string };

export interface OperationView {
  id: string;
  kind: "create" | "update" | "delete";
  status: "Running" | "Succeeded" | "Failed";
  connectionId: string;
  startedAt: string;
  error?: { code: string; message: string };
}

export interface ConnectionsService {
  upsert(input: UpsertInput): Promise<Result<UpsertOutcome>>;
  /** Dry run: changes nothing, writes nothing. */
  validate(input: UpsertInput): Promise<Result<ValidationReport>>;
  get(caller: Caller, key: ConnectionKey): Promise<Result<ManagedConnection>>;
  list(caller: Caller, filter: ListConnectionsFilter, page: { pageSize: number; continuationToken?: string }): Promise<Result<Page<ManagedConnection>>>;
  delete(caller: Caller, key: ConnectionKey, correlationId: string): Promise<Result<DeleteOutcome>>;
  journal(caller: Caller, key: ConnectionKey, page: { pageSize: number; continuationToken?: string }): Promise<Result<Page<JournalEntry>>>;
  getOperation(caller: Caller, operationId: string): Promise<Result<OperationView>>;
}

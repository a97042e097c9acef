// The registry's tables by role: `{prefix}{Role}` names, each created on first use (idempotently: the SDK's
// createTable ignores TableAlreadyExists), once per process unless creation failed.
import type { TableClient } from "@azure/data-tables";
import { toRegistryError } from "./tableErrors";

export interface TableSetOptions {
  /** Builds a client for a table name (the composition root's factory; tests pass tlsOptions through it). */
  tableClient(name: string): TableClient;
  /** Letters and digits (REGISTRY_TABLE_PREFIX). */
  tablePrefix: string;
}

export type TableRole = "Connections" | "GrantIndex" | "SourceIndex" | "IndexLedger" | "Journal" | "Outbox" | "AuditRuns" | "EventLedger" | "FailedEvents";

export interface TableSet {
  /** The client of a role's table, after the table exists. */
  get(role: TableRole): Promise<TableClient>;
  name(role: TableRole): string;
}

export function createTableSet(options: TableSetOptions): TableSet {
  if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(options.tablePrefix)) {
    throw new Error(`table prefix '${options.tablePrefix}' must be a letter then letters or digits`);
  }
  const ready = new Map<TableRole, Promise<TableClient>>();
  const name = (role: TableRole): string => `${options.tablePrefix}${role}`;
  return {
    name,
    get(role) {
      let pending = ready.get(role);
      if (!pending) {
        const client = options.tableClient(name(role));
        pending = client.createTable().then(
          () => client,
          (error: unknown) => {
            ready.delete(role); // the next call tries again
            throw toRegistryError(error, `creating table ${name(role)}`);
          },
        );
        ready.set(role, pending);
      }
      return pending;
    },
  };
}

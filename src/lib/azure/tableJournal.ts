// JournalStore over Azure Table Storage: an append-only table (insert only, never update or delete), one
// partition per connection, newest first (see src/lib/registry/journalEntity.ts for the keys).
import { randomBytes } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { JournalEntry } from "../connections/model";
import type { JournalStore } from "../connections/ports";
import { AppError } from "../errors";
import type { Page } from "../paging";
import { JsonTooLargeError } from "../registry/jsonProperties";
import { createJournalClock, fromJournalEntity, journalPartitionKey, journalRowKey, toJournalEntity } from "../registry/journalEntity";
import { tableStatus, toRegistryError } from "./tableErrors";
import { readContinuationToken, readPage } from "./tablePaging";
import { createTableSet, type TableSetOptions } from "./tableSet";

export interface TableJournalOptions extends TableSetOptions {
  /** Injected for tests; default Date.now. */
  now?: () => number;
}

export function createTableJournal(options: TableJournalOptions): JournalStore {
  const tables = createTableSet(options);
  const clock = createJournalClock(options.now);

  return {
    async append(input) {
      const client = await tables.get("Journal");
      // A collision of the random suffix within one millisecond is astronomically unlikely; retry anyway.
      for (let attempt = 1; ; attempt++) {
        const { atMs, sequence } = clock();
        const entry: JournalEntry = { ...input, id: journalRowKey(atMs, sequence, randomBytes(6).toString("hex")), at: new Date(atMs).toISOString() };
        let entity;
        try {
          entity = toJournalEntity(entry);
        } catch (error) {
          if (error instanceof JsonTooLargeError) {
            throw new AppError("tooLarge", "JournalEntryTooLarge", `The journal entry's ${error.property} is too large (${error.length} characters).`);
          }
          throw error;
        }
        try {
          await client.createEntity(entity);
          return entry;
        } catch (error) {
          if (tableStatus(error) === 409 && attempt < 3) continue;
          throw toRegistryError(error, `appending to the journal of ${input.connectionId}`);
        }
      }
    },

    async list(connectionId, page): Promise<Page<JournalEntry>> {
      const client = await tables.get("Journal");
      const result = await readPage(
        client,
        odata`PartitionKey eq ${journalPartitionKey(connectionId)}`,
        page.pageSize,
        readContinuationToken(page.continuationToken),
        `listing the journal of ${connectionId}`,
      );
      return { items: result.items.map(fromJournalEntity), ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}) };
    },
  };
}

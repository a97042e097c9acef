// In-memory JournalStore: append-only, newest first, paged.
import type { JournalEntry } from "../../../src/lib/connections/model";
import type { JournalStore } from "../../../src/lib/connections/ports";

export interface FakeJournal extends JournalStore {
  readonly entries: JournalEntry[];
  /** Entries of one connection, oldest first (easier to assert on). */
  of(connectionId: string): JournalEntry[];
  /** Makes the next append throw (a storage outage). */
  failNextAppend?: Error;
}

export function createFakeJournal(options: { now?: () => Date } = {}): FakeJournal {
  const entries: JournalEntry[] = [];
  let counter = 0;
  const journal: FakeJournal = {
    entries,
    of: (connectionId) => entries.filter((e) => e.connectionId.toLowerCase() === connectionId.toLowerCase()),
    async append(entry) {
      if (journal.failNextAppend) {
        const error = journal.failNextAppend;
        journal.failNextAppend = undefined;
        throw error;
      }
      const full: JournalEntry = { ...structuredClone(entry), id: `j${++counter}`, at: (options.now?.() ?? new Date()).toISOString() };
      entries.push(full);
      return structuredClone(full);
    },
    async list(connectionId, page) {
      const newestFirst = journal.of(connectionId).slice().reverse();
      const start = page.continuationToken ? Number(page.continuationToken) : 0;
      const next = start + page.pageSize;
      return {
        items: newestFirst.slice(start, next).map((e) => structuredClone(e)),
        ...(next < newestFirst.length ? { continuationToken: String(next) } : {}),
      };
    },
  };
  return journal;
}

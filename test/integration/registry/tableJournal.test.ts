// The journal against Azurite (HTTPS): append-only entries, newest first, paged, per connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTableJournal } from "../../../src/lib/azure/tableJournal";
import { AppError } from "../../../src/lib/errors";
import type { JournalEntry } from "../../../src/lib/connections/model";
import { managedConnection } from "../../unit/lib/registry/connectionFixture";
import { startAzuriteTables, type AzuriteTables } from "./azuriteHarness";

let tables: AzuriteTables;
beforeAll(async () => {
  tables = await startAzuriteTables();
});
afterAll(async () => {
  await tables?.close();
});

const connection = managedConnection();
const base = { connectionId: connection.id, actor: { system: "test" }, correlationId: "corr-1" } as const;

describe("table journal", () => {
  it("appends an intent and its completion, and lists the completion first", async () => {
    const journal = createTableJournal({ tableClient: tables.tableClient, tablePrefix: tables.newPrefix() });
    const intent = await journal.append({ ...base, action: "create", phase: "intent", after: connection });
    const done = await journal.append({ ...base, action: "create", phase: "completed", intentId: intent.id, before: undefined, after: { ...connection, status: "Succeeded" } });
    expect(intent.id).not.toBe(done.id);
    expect(Date.parse(intent.at)).toBeLessThanOrEqual(Date.parse(done.at));
    const page = await journal.list(connection.id.toUpperCase(), { pageSize: 10 });
    expect(page.items.map((e) => [e.phase, e.intentId])).toEqual([
      ["completed", intent.id],
      ["intent", undefined],
    ]);
    expect(page.items[1]).toEqual(intent);
    expect(page.continuationToken).toBeUndefined();
  });

  it("keeps every entry of many concurrent appends, newest first, across pages", async () => {
    let fake = Date.parse("2025-01-01T00:00:00Z");
    // Several appends share a millisecond: the in-process sequence must keep them apart and ordered.
    const journal = createTableJournal({ tableClient: tables.tableClient, tablePrefix: tables.newPrefix(), now: () => Math.floor((fake += 0.4)) });
    const appended: JournalEntry[] = [];
    await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        appended.push(await journal.append({ ...base, action: "update", phase: "intent", reason: `n${i}` }));
      }),
    );
    const seen: JournalEntry[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await journal.list(connection.id, { pageSize: 7, ...(token ? { continuationToken: token } : {}) });
      seen.push(...page.items);
      token = page.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(25);
    expect(new Set(seen.map((e) => e.id)).size).toBe(25);
    // RowKeys ascend (the table's order) while times descend: newest first.
    const ids = seen.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    const ats = seen.map((e) => Date.parse(e.at));
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    // Appends of one process list in the reverse of the order they were made, even within a millisecond.
    expect(seen.map((e) => e.reason)).toEqual(Array.from({ length: 25 }, (_, i) => `n${24 - i}`));
    expect(appended).toHaveLength(25);
  });

  it("keeps connections' journals apart", async () => {
    const journal = createTableJournal({ tableClient: tables.tableClient, tablePrefix: tables.newPrefix() });
    const other = managedConnection({ key: { ...connection.key, name: "other" } });
    await journal.append({ ...base, action: "create", phase: "intent" });
    await journal.append({ ...base, connectionId: other.id, action: "delete", phase: "intent" });
    expect((await journal.list(connection.id, { pageSize: 10 })).items.map((e) => e.action)).toEqual(["create"]);
    expect((await journal.list(other.id, { pageSize: 10 })).items.map((e) => e.action)).toEqual(["delete"]);
  });

  it("refuses a forged continuation token", async () => {
    const journal = createTableJournal({ tableClient: tables.tableClient, tablePrefix: tables.newPrefix() });
    const error = await journal.list(connection.id, { pageSize: 5, continuationToken: Buffer.from("{}").toString("base64") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("InvalidContinuationToken");
  });
});

// Enforce mode claims a record before its ARM change, as the API's use cases do: it never interleaves with a
// concurrent request or revocation, and a record changed since the shard read it is left to the next run.
import { describe, expect, it } from "vitest";
import type { AuditFinding } from "../../../../src/lib/audit/model";
import { remediate } from "../../../../src/lib/audit/remediate";
import type { ManagedConnection } from "../../../../src/lib/connections/model";
import { keyOf, specs } from "../../../support/fakes/demoIds";
import { createAuditWorld } from "./support/auditWorld";

const sourceMissing = (record: ManagedConnection): AuditFinding => ({
  type: "sourceMissing",
  severity: "high",
  clusterId: "",
  connectionId: record.id,
  connectionName: record.key.name,
  message: "the source is gone",
  evidence: {},
});

async function managed(name: string) {
  const w = createAuditWorld({ mode: "enforce" });
  await w.manage(name, specs.eventHub());
  const record = (await w.deps.registry.get(keyOf(name))) as ManagedConnection;
  return { w, record };
}

describe("audit remediation and claims", () => {
  it("claims the record, deletes once, and journals intent and outcome", async () => {
    const { w, record } = await managed("orphan");
    const result = await remediate(w.deps, { runId: "run-1", finding: sourceMissing(record), record, access: undefined });
    expect(result).toMatchObject({ action: "delete", status: "done" });
    expect(w.kusto.count("delete")).toBe(1);
    expect((await w.deps.registry.get(keyOf("orphan")))?.status).toBe("Deleted");
    expect(w.journal.of(record.id).filter((e) => e.action === "remediate").map((e) => e.phase)).toEqual(["intent", "completed"]);
  });

  it("leaves a connection another operation has claimed, with no ARM call", async () => {
    const { w, record } = await managed("busy");
    const claimed = await w.deps.registry.save({
      ...record,
      status: "Deleting",
      operation: { id: "op-other", kind: "delete", startedAt: new Date().toISOString(), claimedUntil: new Date(Date.now() + 60_000).toISOString() },
    });
    const result = await remediate(w.deps, { runId: "run-2", finding: sourceMissing(claimed), record: claimed, access: undefined });
    expect(result).toMatchObject({ action: "delete", status: "skipped" });
    expect(w.kusto.count("delete")).toBe(0);
  });

  it("leaves a connection changed since the shard read it (stale ETag), journalled as skipped, with no ARM call", async () => {
    const { w, record } = await managed("moved");
    await w.deps.registry.save({ ...record, updatedAt: new Date().toISOString() }); // a concurrent update
    const result = await remediate(w.deps, { runId: "run-3", finding: sourceMissing(record), record, access: undefined });
    expect(result).toMatchObject({ action: "delete", status: "skipped" });
    expect(w.kusto.count("delete")).toBe(0);
    expect(w.journal.of(record.id).filter((e) => e.action === "remediate").map((e) => e.phase)).toEqual(["intent", "skipped"]);
    expect((await w.deps.registry.get(keyOf("moved")))?.status).toBe("Succeeded");
  });
});

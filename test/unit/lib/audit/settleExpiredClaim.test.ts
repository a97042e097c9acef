// Regression (found by test/reliability/auditFaults.test.ts): a remediation whose registry write failed after
// its ARM write left the record claimed (Provisioning) and its journal intent open for good, because shards
// skip records in flight. Enforce mode now ends an expired claim from Kusto's view, as the API's poll does.
import { describe, expect, it } from "vitest";
import { runShard } from "../../../../src/lib/audit/runShard";
import type { ManagedConnection } from "../../../../src/lib/connections/model";
import { keyOf, specs } from "../../../support/fakes/demoIds";
import { createAuditWorld } from "./support/auditWorld";

const minute = 60_000;

/** A record as an operation that died after claiming it leaves it: claim with a lease, journal intent, no end. */
async function claimed(mode: "report" | "enforce", name: string, kind: "create" | "delete", options: { inKusto?: boolean } = {}) {
  const w = createAuditWorld({ mode });
  const record = await w.manage(name, specs.eventHub(), "telemetry", { inKusto: options.inKusto ?? true });
  const intent = await w.journal.append({ connectionId: record.id, action: "remediate", phase: "intent", actor: { system: "audit" }, correlationId: "run-0", reason: "audit run-0: connectionMissing" });
  const now = w.deps.now!().getTime();
  const claim: ManagedConnection = {
    ...record,
    status: kind === "delete" ? "Deleting" : "Provisioning",
    operation: { id: `op-${name}`, kind, startedAt: new Date(now).toISOString(), intentId: intent.id, claimedUntil: new Date(now + 2 * minute).toISOString() },
  };
  await w.registry.save(claim);
  return { w, record, intent };
}

const phasesOf = (w: ReturnType<typeof createAuditWorld>, id: string) => w.journal.of(id).map((e) => `${e.phase}${e.intentId ? `:${e.intentId}` : ""}`);

describe("an expired claim in an enforce run", () => {
  it("is left alone while its lease holds, then ended from Kusto's view: the record Succeeded, the intent completed", async () => {
    const { w, record, intent } = await claimed("enforce", "restored", "create");

    const early = await runShard(w.deps, w.message(), 1);
    expect((await w.registry.get(keyOf("restored")))?.status).toBe("Provisioning");
    expect(early.findings.filter((f) => f.connectionName === "restored")).toEqual([]);

    w.advance(3 * minute);
    const later = await runShard(w.deps, w.message("20250601T120300Z-next"), 1);
    const settled = await w.registry.get(keyOf("restored"));
    expect(settled).toMatchObject({ status: "Succeeded", operation: { id: "op-restored", endedAt: expect.any(String) } });
    expect(settled?.operation?.claimedUntil).toBeUndefined();
    expect(phasesOf(w, record.id)).toEqual([`intent`, `completed:${intent.id}`]);
    expect(later.status).toBe("completed");
    // Judged again like any managed connection: healthy, so no finding; no ARM write.
    expect(later.findings.filter((f) => f.connectionName === "restored")).toEqual([]);
    expect(w.kusto.count("createOrUpdate") + w.kusto.count("delete")).toBe(0);
    expect(w.notifier.published.map((e) => e.type)).toEqual(["adx.connection.created"]);
  });

  it("ends a delete claim whose connection Kusto no longer has as a tombstone", async () => {
    const { w, record, intent } = await claimed("enforce", "gone", "delete", { inKusto: false });
    w.advance(3 * minute);
    const result = await runShard(w.deps, w.message(), 1);
    expect((await w.registry.get(keyOf("gone")))?.status).toBe("Deleted");
    expect(phasesOf(w, record.id)).toEqual([`intent`, `completed:${intent.id}`]);
    expect(result.findings.filter((f) => f.connectionName === "gone")).toEqual([]);
    expect(result.managed).toBe(0);
  });

  it("leaves a create claim Kusto does not show done (the next PUT takes it over), and writes nothing", async () => {
    const { w, record } = await claimed("enforce", "never-made", "create", { inKusto: false });
    w.advance(3 * minute);
    await runShard(w.deps, w.message(), 1);
    expect((await w.registry.get(keyOf("never-made")))?.status).toBe("Provisioning");
    expect(phasesOf(w, record.id)).toEqual(["intent"]);
  });

  it("records Kusto's Failed connection as Failed, the intent failed", async () => {
    const { w, record, intent } = await claimed("enforce", "broken", "create");
    w.kusto.seed(keyOf("broken"), specs.eventHub(), "Failed");
    w.advance(3 * minute);
    await runShard(w.deps, w.message(), 1);
    expect((await w.registry.get(keyOf("broken")))?.status).toBe("Failed");
    expect(phasesOf(w, record.id)).toEqual([`intent`, `failed:${intent.id}`]);
  });

  it("is never settled by a report-mode run (report mode writes nothing)", async () => {
    const { w, record } = await claimed("report", "restored", "create");
    w.advance(3 * minute);
    await runShard(w.deps, w.message(), 1);
    expect((await w.registry.get(keyOf("restored")))?.status).toBe("Provisioning");
    expect(phasesOf(w, record.id)).toEqual(["intent"]);
  });
});

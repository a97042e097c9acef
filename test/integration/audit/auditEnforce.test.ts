// The audit as the host wires it (wireAudit), in-process over the emulator and Azurite with the real adapters:
// shards through the real queue (base64, as the host decodes), report vs enforce on a binding whose role
// assignment was removed behind the app's back, and the ARM reads a shard makes.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { QueueServiceClient, type StoragePipelineOptions } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../../emulator/stack";
import { parseShardMessage } from "../../../src/lib/audit/runShard";
import type { Caller } from "../../../src/lib/auth/caller";
import { wireAudit, wireConnections } from "../../../src/lib/root";
import { adminOf, loggedRequests, mintToken } from "../../support/emulatorAdmin";
import { httpsJson } from "../../support/httpsJson";
import { inProcessApp } from "../../support/inProcessApp";

describe("the audit over the real adapters", () => {
  let stack: Stack;
  let stateDir: string;
  let m: Record<string, string>;
  let env: Record<string, string>;
  const alice = (): Caller => ({ tenantId: m.kustoTenantId!, objectId: m.adminUserObjectId!, name: "alice", roles: ["Connections.Read", "Connections.Write", "Audit.Run"] });
  const tls = () => ({ tlsOptions: { ca: stack.emulator.caPem } });

  /** Starts a run and runs its shards from the real queue, as the host's queue trigger would. */
  async function audit(mode: "report" | "enforce") {
    const app = inProcessApp(stack, { ...env, AUDIT_MODE: mode, AUDIT_QUEUE: `audit-${mode}` });
    const { service } = wireAudit(app.settings, app.clients, { storageClientOptions: tls() });
    const started = await service.start(alice());
    if (!started.ok) throw started.error;
    const queue = QueueServiceClient.fromConnectionString(stack.storage.connectionString, tls() as StoragePipelineOptions).getQueueClient(`audit-${mode}`);
    const received = await queue.receiveMessages({ numberOfMessages: 32 });
    for (const message of received.receivedMessageItems) {
      await service.runShard(parseShardMessage(Buffer.from(message.messageText, "base64").toString("utf8")), message.dequeueCount);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    }
    const report = await service.getReport(alice(), started.value.runId);
    if (!report.ok) throw report.error;
    return { report: report.value, messages: received.receivedMessageItems.length };
  }

  beforeAll(async () => {
    mkdirSync(join(process.cwd(), ".local"), { recursive: true });
    stateDir = mkdtempSync(join(process.cwd(), ".local", "audit-it-"));
    stack = await startStack({ stateDir, host: false, timeScale: 0, writeStackFile: false });
    m = stack.world;
    env = { REGISTRY_TABLE_PREFIX: `au${process.pid}`, KUSTO_WAIT_MS: "5000", AUDIT_SUBSCRIPTIONS: m.kustoSubscriptionId as string };
    const app = inProcessApp(stack, env);
    const connections = wireConnections(app.settings, app.clients, app.policy).service;
    const properties = { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "Events", dataFormat: "JSON" };
    const key = { subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database: "telemetry", name: "it-audit-mi" };
    const created = await connections.upsert({ caller: alice(), key, spec: { kind: "EventHub", location: m.location, properties }, access: { mode: "managedIdentity", managedIdentityResourceId: m.kustoClusterResourceId }, correlationId: "it-audit" });
    if (!created.ok) throw created.error;

    // Someone removes the cluster identity's receive role on the hub directly in Azure (no event reaches the app).
    const owner = await mintToken(adminOf(stack), m.adminUserObjectId!, "https://management.azure.com/");
    const listed = await httpsJson(`${stack.armEndpoint}${m.eventHubResourceId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`principalId eq '${m.kustoClusterPrincipalId}'`)}`, { ca: stack.emulator.caPem, token: owner });
    const assignments = (listed.body as { value: { id: string; properties: { scope: string } }[] }).value.filter((a) => a.properties.scope.toLowerCase() === m.eventHubResourceId!.toLowerCase());
    expect(assignments).toHaveLength(1);
    const removed = await httpsJson(`${stack.armEndpoint}${assignments[0]!.id}?api-version=2022-04-01`, { ca: stack.emulator.caPem, token: owner, method: "DELETE" });
    expect(removed.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("report mode: finds the revoked binding and Kusto's Failed state, changes nothing, reads each database once", async () => {
    await httpsJson(`${stack.adminUrl}/requests`, { ca: stack.emulator.caPem, method: "DELETE" });
    const { report, messages } = await audit("report");
    expect(messages).toBe(1);
    expect(report.status).toBe("completed");
    const findings = report.clusters.flatMap((c) => c.findings).filter((f) => f.connectionName === "it-audit-mi");
    expect(findings.map((f) => [f.type, f.severity]).sort()).toEqual([
      ["accessRevoked", "medium"],
      ["provisioningFailed", "medium"],
    ]);
    expect(findings.every((f) => f.remediation === undefined)).toBe(true);

    const requests = await loggedRequests(adminOf(stack));
    const app = requests.filter((r) => r.principal?.objectId === m.appIdentityObjectId);
    expect(app.filter((r) => r.method !== "GET")).toEqual([]);
    expect(app.filter((r) => /\/databases\/[^/]+\/dataConnections$/i.test(r.path)).map((r) => r.path.split("/").at(-2)).sort()).toEqual(["audit", "telemetry"]);
    expect(app.filter((r) => /\/clusters\/[^/]+\/databases$/i.test(r.path))).toHaveLength(1);
    expect(app.filter((r) => /\/providers\/Microsoft\.Kusto\/clusters$/i.test(r.path))).toHaveLength(1);
    expect(app.filter((r) => /roleAssignments$/i.test(r.path))).toHaveLength(1);
  });

  it("enforce mode: deletes the revoked connection after a live re-check, and the next run finds nothing left", async () => {
    const { report } = await audit("enforce");
    const revoked = report.clusters.flatMap((c) => c.findings).find((f) => f.type === "accessRevoked");
    expect(revoked?.remediation).toEqual({ action: "delete", status: "done" });
    const connections = await loggedRequests(adminOf(stack), { path: "/dataConnections/it-audit-mi", method: "DELETE" });
    expect(connections.filter((r) => r.status < 300)).toHaveLength(1);

    const again = await audit("enforce");
    expect(again.report.summary.findings).toBe(0);
    expect(again.report.summary.managed).toBe(0);
  });
});

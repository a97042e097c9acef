// The emulator's side of the least-privilege measurement: with an action log, every authorized ARM action (the
// route's, or a provider's linked check) becomes one JSON line naming the principal, the action and the scope;
// denied requests leave no line, and routes any valid token may call are marked apart.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../../emulator/index";
import demo from "../../../emulator/worlds/demo.json";
import { evaluateLeastPrivilege, measuredRoles, parseActionLog } from "../../../scripts/checkLeastPrivilege";
import contract from "../../../infra/contract/customRoleActions.json";
import { httpsJson } from "../../support/httpsJson";
import type { WorldSeed } from "../../../emulator/world/types";

const m = demo.meta;
const KUSTO = "api-version=2023-08-15";
const database = `/subscriptions/${m.kustoSubscriptionId}/resourceGroups/${m.kustoResourceGroup}/providers/Microsoft.Kusto/clusters/${m.kustoClusterName}/databases/telemetry`;

describe("the emulator's ARM action log", () => {
  let dir: string;
  let logFile: string;
  let emulator: EmulatorHandle;
  let token: string;
  const arm = (path: string, init: { method?: string; body?: unknown } = {}) => httpsJson(`${emulator.armEndpoint}${path}`, { ca: emulator.caPem, token, ...init });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "action-log-"));
    logFile = join(dir, "actions.jsonl");
    emulator = await startEmulator({ stateDir: dir, world: demo as unknown as WorldSeed, timeScale: 0, throttling: false, actionLogFile: logFile });
    token = await emulator.tokens.mint({ tenantId: m.kustoTenantId, objectId: m.appIdentityObjectId, audience: "https://management.azure.com/" });
  });

  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("logs the app identity's authorized actions, Kusto's linked key-mode check, and nothing denied", async () => {
    expect((await arm(`${database}/dataConnections?${KUSTO}`)).status).toBe(200);
    const created = await arm(`${database}/dataConnections/log-eh?${KUSTO}`, {
      method: "PUT",
      body: { kind: "EventHub", location: m.location, properties: { eventHubResourceId: m.eventHubResourceId, consumerGroup: m.eventHubConsumerGroup, tableName: "T", dataFormat: "JSON" } },
    });
    expect(created.status).toBeLessThan(300);
    const denied = await arm(`/subscriptions/${m.kustoSubscriptionId}/providers/Microsoft.Authorization/roleAssignments/5d6f0a4e-0000-4000-8000-000000000001?api-version=2022-04-01`, { method: "DELETE" });
    expect(denied.status).toBe(403);
    expect((await arm(`/providers/Microsoft.Kusto/operations?${KUSTO}`)).status).toBe(200);

    const entries = parseActionLog(readFileSync(logFile, "utf8"));
    const app = { objectId: m.appIdentityObjectId, tenantId: m.kustoTenantId };
    expect(entries).toContainEqual(expect.objectContaining({ principal: app, action: "Microsoft.Kusto/clusters/databases/dataConnections/read", via: "request", method: "GET" }));
    expect(entries).toContainEqual(
      expect.objectContaining({ principal: app, action: "Microsoft.Kusto/clusters/databases/dataConnections/write", scope: expect.stringMatching(/dataConnections\/log-eh$/), via: "request" }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ principal: app, action: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", scope: m.eventHubNamespaceResourceId, via: "linked" }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ principal: app, action: "Microsoft.Kusto/operations/read", via: "authenticatedOnly" }));
    expect(entries.some((e) => e.action === "Microsoft.Authorization/roleAssignments/delete")).toBe(false);
  });

  it("feeds the check: the app role covers what the app identity did here", () => {
    const report = evaluateLeastPrivilege({
      entries: parseActionLog(readFileSync(logFile, "utf8")),
      roles: measuredRoles(contract, m as Record<string, string>),
      coverageOnly: true,
    });
    expect(report.roles[0]?.performed.length).toBeGreaterThanOrEqual(3);
    expect(report.roles.flatMap((r) => r.uncovered)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("takes its file from ARM_ACTION_LOG by default, and is off with actionLogFile \"\"", async () => {
    const fromEnv = join(dir, "env.jsonl");
    const saved = process.env.ARM_ACTION_LOG;
    process.env.ARM_ACTION_LOG = fromEnv;
    try {
      const viaEnv = await startEmulator({ stateDir: join(dir, "env"), world: demo as unknown as WorldSeed, throttling: false });
      const off = await startEmulator({ stateDir: join(dir, "off"), world: demo as unknown as WorldSeed, throttling: false, actionLogFile: "" });
      for (const e of [viaEnv, off]) {
        const t = await e.tokens.mint({ tenantId: m.kustoTenantId, objectId: m.appIdentityObjectId, audience: "https://management.azure.com/" });
        expect((await httpsJson(`${e.armEndpoint}${database}/dataConnections?${KUSTO}`, { ca: e.caPem, token: t })).status).toBe(200);
        await e.close();
      }
      // One line: the emulator that read ARM_ACTION_LOG; the one turned off wrote nothing although the variable was set.
      expect(parseActionLog(readFileSync(fromEnv, "utf8"))).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.ARM_ACTION_LOG;
      else process.env.ARM_ACTION_LOG = saved;
    }
  });
});

// The production bundle on the local host over the whole local Azure: what `npm start` runs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../emulator/stack";
import { adminOf, loggedRequests } from "../support/emulatorAdmin";
import { ensureBundle } from "./ensureBundle";

describe("the app on the local stack", () => {
  let stack: Stack;
  let stateDir: string;

  beforeAll(async () => {
    ensureBundle();
    stateDir = mkdtempSync(join(tmpdir(), "e2e-health-"));
    stack = await startStack({ stateDir });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("answers /api/health with the version and storage and ARM reachable through the managed identity", async () => {
    const response = await fetch(`${stack.hostUrl}/api/health`);
    const body = (await response.json()) as { status: string; version: string; checks: Record<string, { status: string }>; codeCache: Record<string, string> };
    expect(body.checks.storage?.status).toBe("ok");
    expect(body.checks.arm?.status).toBe("ok");
    expect(response.status).toBe(200);
    expect(body.status).toBe("healthy");
    expect(body.version).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
    // The host runs the app as Azure's worker does (no source maps, no V8 flags): the bundles compiled from the
    // code caches the build wrote, the entry's app.js and the root's sdk.js (health's first use loaded it).
    expect(body.codeCache).toEqual({ "app.js": "accepted", "sdk.js": "accepted" });
  });

  it("reached ARM as the app's user-assigned identity, which the emulator logged", async () => {
    const entries = await loggedRequests(adminOf(stack), { path: "/providers/Microsoft.Kusto/operations" });
    const probe = entries.find((e) => e.path.toLowerCase().startsWith("/providers/microsoft.kusto/operations"));
    expect(probe?.status).toBe(200);
    expect(probe?.principal?.objectId).toBe(stack.world.appIdentityObjectId);
    expect(probe?.principal?.tenantId).toBe(stack.world.kustoTenantId);
  });

  it("describes itself in stack.json", () => {
    const described = JSON.parse(readFileSync(join(stateDir, "stack.json"), "utf8")) as Record<string, unknown>;
    for (const key of ["hostUrl", "armEndpoint", "caFile", "identityEndpoint", "identityHeader", "authorityHost", "storage", "world"]) {
      expect(described[key], key).toBeDefined();
    }
  });
});

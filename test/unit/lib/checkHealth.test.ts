import { describe, expect, it } from "vitest";
import { checkHealth, type Probe } from "../../../src/lib/health/checkHealth";

const probe = (name: string, check: Probe["check"]): Probe => ({ name, check });

describe("checkHealth", () => {
  it("is healthy when every probe answers ok or is not configured", async () => {
    const report = await checkHealth({
      version: "1.2.3",
      probes: [probe("storage", async () => "ok"), probe("arm", async () => "notConfigured")],
    });
    expect(report.status).toBe("healthy");
    expect(report.version).toBe("1.2.3");
    expect(report.checks.storage?.status).toBe("ok");
    expect(report.checks.arm?.status).toBe("notConfigured");
  });

  it("is degraded, not failed, when a probe throws", async () => {
    const report = await checkHealth({
      version: "1",
      probes: [probe("storage", async () => "ok"), probe("arm", async () => Promise.reject(new Error("ECONNREFUSED")))],
    });
    expect(report.status).toBe("degraded");
    expect(report.checks.arm?.status).toBe("unreachable");
  });

  it("gives up on a probe that outlives the timeout", async () => {
    const hanging = probe("arm", (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))));
    const report = await checkHealth({ version: "1", probes: [hanging], timeoutInMs: 20 });
    expect(report.checks.arm?.status).toBe("unreachable");
  });
});

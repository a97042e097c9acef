// Least privilege, measured: reads the emulator's ARM action log (ARM_ACTION_LOG, written during the
// integration and e2e suites), keeps what the app's identities did, and checks it against the custom roles
// of infra/contract/customRoleActions.json: every action performed is in the role, and every action in the
// role was performed or says why not. `npm test` runs it after vitest; exit code 1 when either fails.
//
//   npx tsx scripts/checkLeastPrivilege.ts [--log file] [--coverage-only]
//
// --coverage-only (a partial test run): only "the role covers what was done" is checked.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface LoggedAction {
  principal: { objectId: string; tenantId?: string };
  action: string;
  scope: string;
  kind: "action" | "dataAction";
  via: "request" | "authenticatedOnly" | "linked";
}

export interface RoleAction {
  action: string;
  reason: string;
  /** Why the suites do not perform it yet (required when they do not). */
  unexercised?: string;
}

export interface MeasuredRole {
  name: string;
  /** Object IDs whose actions this role must cover. */
  principals: readonly string[];
  actions: readonly RoleAction[];
}

export interface RoleReport {
  name: string;
  /** Distinct actions performed (lower-cased), with how often and whether the role covers them. */
  performed: { action: string; kind: "action" | "dataAction"; count: number; scopes: number; covered: boolean }[];
  /** Performed but not in the role: the role misses them (fails). */
  uncovered: string[];
  /** In the role, never performed, without a reason (fails in a full run). */
  unused: string[];
  /** In the role, never performed, with the reason given. */
  notYetExercised: { action: string; reason: string }[];
  /** Performed although the contract says unexercised: the note is stale (warning). */
  staleNotes: string[];
}

export interface LeastPrivilegeReport {
  roles: RoleReport[];
  /** Actions the app's identities performed on routes ARM serves to any valid token (need no role). */
  authenticatedOnly: string[];
  ok: boolean;
}

/** RBAC's matching: case-insensitive, `*` matches any run of characters, `/` included. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/** One JSON object per line; blank lines skipped; a malformed line is an error naming it. */
export function parseActionLog(text: string): LoggedAction[] {
  const entries: LoggedAction[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`action log line ${index + 1} is not JSON`);
    }
    if (!isLoggedAction(value)) throw new Error(`action log line ${index + 1} lacks principal.objectId, action, scope, kind or via`);
    entries.push(value);
  }
  return entries;
}

function isLoggedAction(value: unknown): value is LoggedAction {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const principal = v.principal as Record<string, unknown> | undefined;
  return (
    typeof principal?.objectId === "string" &&
    typeof v.action === "string" &&
    typeof v.scope === "string" &&
    (v.kind === "action" || v.kind === "dataAction") &&
    (v.via === "request" || v.via === "authenticatedOnly" || v.via === "linked")
  );
}

export interface EvaluateOptions {
  entries: readonly LoggedAction[];
  roles: readonly MeasuredRole[];
  /** A partial run: unused role actions are not reported as failures. */
  coverageOnly?: boolean;
}

export function evaluateLeastPrivilege({ entries, roles, coverageOnly = false }: EvaluateOptions): LeastPrivilegeReport {
  const authenticatedOnly = new Set<string>();
  const reports = roles.map((role): RoleReport => {
    const principals = new Set(role.principals.map((p) => p.toLowerCase()));
    const performed = new Map<string, { action: string; kind: "action" | "dataAction"; count: number; scopes: Set<string> }>();
    for (const entry of entries) {
      if (!principals.has(entry.principal.objectId.toLowerCase())) continue;
      if (entry.via === "authenticatedOnly") {
        authenticatedOnly.add(entry.action.toLowerCase());
        continue;
      }
      const key = `${entry.kind}:${entry.action.toLowerCase()}`;
      const seen = performed.get(key) ?? { action: entry.action.toLowerCase(), kind: entry.kind, count: 0, scopes: new Set<string>() };
      seen.count += 1;
      seen.scopes.add(entry.scope.toLowerCase());
      performed.set(key, seen);
    }
    // Role actions are control-plane `actions`: they never grant a dataAction.
    const covers = (p: { action: string; kind: string }) => p.kind === "action" && role.actions.some((a) => actionMatches(a.action, p.action));
    const list = [...performed.values()]
      .map((p) => ({ action: p.action, kind: p.kind, count: p.count, scopes: p.scopes.size, covered: covers(p) }))
      .sort((a, b) => a.action.localeCompare(b.action));
    const used = (a: RoleAction) => list.some((p) => p.kind === "action" && actionMatches(a.action, p.action));
    return {
      name: role.name,
      performed: list,
      uncovered: list.filter((p) => !p.covered).map((p) => (p.kind === "dataAction" ? `${p.action} (dataAction)` : p.action)),
      unused: coverageOnly ? [] : role.actions.filter((a) => !used(a) && !a.unexercised).map((a) => a.action),
      notYetExercised: role.actions.filter((a) => !used(a) && a.unexercised).map((a) => ({ action: a.action, reason: a.unexercised as string })),
      staleNotes: role.actions.filter((a) => used(a) && a.unexercised).map((a) => a.action),
    };
  });
  return {
    roles: reports,
    authenticatedOnly: [...authenticatedOnly].sort(),
    ok: reports.every((r) => r.uncovered.length === 0 && r.unused.length === 0),
  };
}

interface RoleContract {
  roleName: string;
  actions: RoleAction[];
}

export interface CustomRoleContract {
  appRole: RoleContract;
  sourceTenantRole: RoleContract;
}

/**
 * The app's identities in a world's meta, by role: the UAMI acts on the Kusto side (appRole); the multi-tenant
 * app's SP in the source tenant acts there (sourceTenantRole); its SP in the Kusto tenant must do nothing.
 */
export function measuredRoles(contract: CustomRoleContract, meta: Record<string, string>): MeasuredRole[] {
  const ids = (...keys: string[]) => keys.map((k) => meta[k]).filter((v): v is string => typeof v === "string" && v !== "");
  return [
    { name: contract.appRole.roleName, principals: ids("appIdentityObjectId"), actions: contract.appRole.actions },
    { name: contract.sourceTenantRole.roleName, principals: ids("multiTenantAppServicePrincipalIdSourceTenant"), actions: contract.sourceTenantRole.actions },
    { name: "(no role: the multi-tenant app in the Kusto tenant)", principals: ids("multiTenantAppServicePrincipalIdKustoTenant"), actions: [] },
  ];
}

export function formatReport(report: LeastPrivilegeReport, coverageOnly: boolean): string {
  const lines: string[] = [];
  for (const role of report.roles) {
    lines.push(`${role.name}:`);
    for (const p of role.performed) {
      lines.push(`  ${p.covered ? "ok     " : "MISSING"} ${p.action}${p.kind === "dataAction" ? " (dataAction)" : ""}  ×${p.count} on ${p.scopes} scope(s)`);
    }
    if (role.performed.length === 0) lines.push("  (nothing performed)");
    for (const n of role.notYetExercised) lines.push(`  not yet exercised: ${n.action} (${n.reason})`);
    for (const u of role.unused) lines.push(`  UNUSED (no reason given): ${u}`);
    for (const s of role.staleNotes) lines.push(`  warning: ${s} is exercised now; remove its "unexercised" note`);
  }
  if (report.authenticatedOnly.length > 0) lines.push(`needs no role (any valid token): ${report.authenticatedOnly.join(", ")}`);
  const missing = report.roles.flatMap((r) => r.uncovered.map((a) => `${r.name}: ${a}`));
  if (missing.length > 0) lines.push(`\nThe custom roles miss actions the app performs (add them to infra/contract/customRoleActions.json):\n  ${missing.join("\n  ")}`);
  const unused = report.roles.flatMap((r) => r.unused.map((a) => `${r.name}: ${a}`));
  if (unused.length > 0) lines.push(`\nRole actions nobody performed and no reason why (remove them, or add "unexercised"):\n  ${unused.join("\n  ")}`);
  lines.push(report.ok ? `least privilege ok${coverageOnly ? " (coverage only: a partial run)" : ""}` : "least privilege FAILED");
  return lines.join("\n");
}

function main(argv: string[]): number {
  const repo = resolve(__dirname, "..");
  const logAt = argv.indexOf("--log");
  const logFile = logAt >= 0 ? argv[logAt + 1] : (process.env.ARM_ACTION_LOG ?? join(repo, ".local", "arm-actions.jsonl"));
  const coverageOnly = argv.includes("--coverage-only");
  if (!logFile || !existsSync(logFile)) {
    if (coverageOnly) {
      console.log("least privilege: no action log (no emulator ran in this partial run); nothing to check");
      return 0;
    }
    console.error(`least privilege: no action log at ${logFile ?? "(none)"}; run the suites with ARM_ACTION_LOG set (npm test does)`);
    return 1;
  }
  const contract = JSON.parse(readFileSync(join(repo, "infra", "contract", "customRoleActions.json"), "utf8")) as CustomRoleContract;
  const world = JSON.parse(readFileSync(join(repo, "emulator", "worlds", "demo.json"), "utf8")) as { meta: Record<string, string> };
  const report = evaluateLeastPrivilege({ entries: parseActionLog(readFileSync(logFile, "utf8")), roles: measuredRoles(contract, world.meta), coverageOnly });
  console.log(formatReport(report, coverageOnly));
  return report.ok ? 0 : 1;
}

if (process.argv[1] && /checkLeastPrivilege\.ts$/.test(process.argv[1])) process.exit(main(process.argv.slice(2)));

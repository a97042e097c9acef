// Structural sanity of infra/ that needs no Bicep CLI (its installer downloads a binary, which this machine cannot):
// balanced brackets, parameters used, module paths that exist, registry modules pinned, UPPER_SNAKE outputs for
// azd, built-in role GUIDs named, role assignments named guid(scope, principal, role), contract files that load.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import customRoleActions from "../../../infra/contract/customRoleActions.json";
import storage from "../../../infra/contract/storage.json";
import { blockAt, codeOf, infraDir, moduleReferences, outputNames, paramNames, readBicepFiles, repoRoot, unbalancedBracket } from "./bicepText";

const files = readBicepFiles();
const entryTemplates = ["infra/main.bicep", "infra/source-tenant/main.bicep"];

/** Built-in roles infra/ assigns, and Event Grid's first-party app: each GUID's comment must name it. */
const knownGuids: Record<string, string> = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
  "d5a91429-5739-47e2-a06b-3470a27159e7": "EventGrid Data Sender",
  "f526a384-b230-433a-b45c-95f59c4a2dec": "Azure Event Hubs Data Owner",
  "4962773b-9cdb-44cf-a8bf-237846a00ab7": "Microsoft.EventGrid",
};

describe("the scanner the structural checks rely on", () => {
  it("keeps interpolated code, drops comments and string text, and finds an unbalanced bracket", () => {
    expect(codeOf("var a = '${b}-{x' // c {\nvar d = '''\n{ '''")).toBe("var a = '(b)' \nvar d = ''");
    expect(unbalancedBracket(codeOf("x: { y: [1, 2] }"))).toBeUndefined();
    expect(unbalancedBracket(codeOf("x: { y: [1, 2 }"))).toMatch(/closes '\['/);
    expect(unbalancedBracket(codeOf("x: { y: 'a}' "))).toMatch(/never closed/);
  });
});

describe("infra/*.bicep", () => {
  it("exist: the subscription-scope entry, the modules and the source-tenant deployment", () => {
    const paths = files.map((f) => f.path);
    for (const p of [...entryTemplates, "infra/app/functionApp.bicep", "infra/app/storage.bicep", "infra/app/customRole.bicep", "infra/app/entraApps.bicep"]) {
      expect(paths).toContain(p);
    }
    for (const p of entryTemplates) expect(readFileSync(join(repoRoot, p), "utf8")).toMatch(/^targetScope = 'subscription'$/m);
  });

  it.each(files.map((f) => [f.path, f] as const))("%s has balanced brackets", (_, file) => {
    expect(unbalancedBracket(file.code)).toBeUndefined();
  });

  it.each(files.map((f) => [f.path, f] as const))("%s uses every parameter it declares", (_, file) => {
    for (const name of paramNames(file.code)) {
      const uses = file.code.match(new RegExp(`(?<![\\w.])${name}\\b`, "g"))?.length ?? 0;
      expect(uses, `param ${name} is never used`).toBeGreaterThan(1);
    }
  });

  it.each(files.map((f) => [f.path, f] as const))("%s references modules that exist, registry ones pinned to a version", (_, file) => {
    for (const ref of moduleReferences(file.text)) {
      if (ref.startsWith("br/") || ref.startsWith("br:")) {
        expect(ref).toMatch(/^br\/public:avm\/(res|ptn|utl)\/[a-z0-9-]+\/[a-z0-9-]+(\/[a-z0-9-]+)*:\d+\.\d+\.\d+$/);
      } else {
        expect(existsSync(join(dirname(file.absolutePath), ref)), `${ref} does not exist`).toBe(true);
      }
    }
  });

  it.each(files.map((f) => [f.path, f] as const))("%s loads only contract files that exist", (_, file) => {
    for (const m of file.text.matchAll(/loadJsonContent\('([^']+)'\)/g)) {
      expect(existsSync(join(dirname(file.absolutePath), m[1] as string)), m[1]).toBe(true);
    }
  });

  it("name the entry templates' outputs in UPPER_SNAKE (azd turns them into environment values), modules' in camelCase", () => {
    for (const file of files) {
      const names = outputNames(file.code);
      const pattern = entryTemplates.includes(file.path) ? /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/ : /^[a-z][A-Za-z0-9]*$/;
      for (const name of names) expect(name, `${file.path}: output ${name}`).toMatch(pattern);
      if (entryTemplates.includes(file.path)) expect(names.length).toBeGreaterThan(0);
    }
  });

  it("name every GUID literal in a comment on its line", () => {
    for (const file of files) {
      file.text.split("\n").forEach((line, index) => {
        for (const m of line.matchAll(/'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/gi)) {
          const guid = (m[1] as string).toLowerCase();
          const comment = line.slice(line.indexOf("//") + 2);
          expect(line.includes("//"), `${file.path}:${index + 1} ${guid} has no comment`).toBe(true);
          expect(knownGuids[guid], `${file.path}:${index + 1} ${guid} is not a known role or app`).toBeDefined();
          expect(comment, `${file.path}:${index + 1}`).toContain(knownGuids[guid]);
        }
      });
    }
  });

  it("name every role assignment guid(scope, principal, role)", () => {
    let count = 0;
    for (const file of files) {
      for (const m of file.text.matchAll(/resource\s+\w+\s+'Microsoft\.Authorization\/roleAssignments@[\d-]+'\s*=/g)) {
        count++;
        const block = blockAt(codeOf(file.text.slice(m.index)), 0);
        const at = block.indexOf("name: guid(");
        const args = at < 0 ? [] : callArguments(block.slice(at + "name: guid(".length));
        expect(args, `${file.path}: a role assignment is not named guid(scope, principal, role)`).toHaveLength(3);
        expect(args[0], file.path).toMatch(/\.id$/);
        expect(args[1], file.path).toMatch(/principal/i);
        expect(args[2], file.path).toMatch(/role|publisher|sender/i);
        expect(block, file.path).toMatch(/principalId: principalId/);
      }
    }
    expect(count).toBeGreaterThanOrEqual(4);
  });

  it("give the custom roles exactly the contract's actions, without wildcards", () => {
    const role = readFileSync(join(infraDir, "app", "customRole.bicep"), "utf8");
    expect(role).toContain("var contract = loadJsonContent('../contract/customRoleActions.json')");
    expect(role).toMatch(/actions: map\(contract\.appRole\.actions, a => a\.action\)/);
    const source = readFileSync(join(infraDir, "source-tenant", "main.bicep"), "utf8");
    expect(source).toMatch(/actions: map\(contract\.sourceTenantRole\.actions, a => a\.action\)/);
    for (const role of [customRoleActions.appRole, customRoleActions.sourceTenantRole]) {
      for (const a of role.actions) {
        expect(a.action).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+$/);
        expect(a.reason.length, a.action).toBeGreaterThan(20);
      }
      expect(new Set(role.actions.map((a) => a.action.toLowerCase())).size).toBe(role.actions.length);
    }
  });

  it("create the registry tables the code names ({prefix}{role} of src/lib/azure/tableSet.ts)", () => {
    const tableSet = readFileSync(join(repoRoot, "src", "lib", "azure", "tableSet.ts"), "utf8");
    const union = /export type TableRole = ([^;]+);/.exec(tableSet)?.[1] ?? "";
    const roles = [...union.matchAll(/"(\w+)"/g)].map((m) => m[1]);
    expect(roles.length).toBeGreaterThan(0);
    expect(storage.tables.map((t) => t.role).sort()).toEqual([...roles].sort());
    const main = readFileSync(join(infraDir, "main.bicep"), "utf8");
    expect(main).toContain("var storage = loadJsonContent('contract/storage.json')");
    expect(main).toMatch(/tableRoles: map\(storage\.tables, t => t\.role\)/);
    expect(readFileSync(join(infraDir, "app", "storage.bicep"), "utf8")).toMatch(/allowSharedKeyAccess: false/);
  });

  it("create one user-assigned identity and give every identity-bearing resource that one", () => {
    const all = files.map((f) => f.text).join("\n");
    expect(all.match(/avm\/res\/managed-identity\/user-assigned-identity:/g)).toHaveLength(1);
    expect(all).not.toMatch(/systemAssigned: true/);
    expect(all).not.toMatch(/type: 'SystemAssigned/);
  });
});

/** The top-level arguments of a call, given the text right after its opening parenthesis. */
function callArguments(rest: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of rest) {
    if (c === ")" && depth === 0) return [...args, current.trim()];
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      args.push(current.trim());
      current = "";
    } else current += c;
  }
  return [];
}

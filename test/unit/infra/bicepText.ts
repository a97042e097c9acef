// Reading Bicep without the Bicep CLI (it cannot be installed here: its installer downloads a binary): a small
// scanner that separates code from comments and string literals, enough for structural checks.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const repoRoot = join(__dirname, "..", "..", "..");
export const infraDir = join(repoRoot, "infra");

export interface BicepFile {
  /** Path relative to the repository. */
  path: string;
  absolutePath: string;
  text: string;
  /** The code with comments removed and every string literal's text replaced by `''`; interpolations kept as `(...)`. */
  code: string;
}

export function listFiles(dir: string, predicate: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...listFiles(path, predicate));
    else if (predicate(path)) found.push(path);
  }
  return found.sort();
}

export function readBicepFiles(): BicepFile[] {
  return listFiles(infraDir, (p) => p.endsWith(".bicep")).map((absolutePath) => {
    const text = readFileSync(absolutePath, "utf8");
    return { path: relative(repoRoot, absolutePath), absolutePath, text, code: codeOf(text) };
  });
}

/**
 * Strips comments (`//`, `/* *\/`) and string contents (`'...'` with `\\` escapes and `${...}` interpolations,
 * `'''...'''` verbatim), keeping interpolated expressions as code. Throws on an unterminated string or comment.
 */
export function codeOf(text: string): string {
  let out = "";
  let i = 0;
  const scanCode = (stopAtBrace: boolean): void => {
    let depth = 0;
    while (i < text.length) {
      const c = text[i] as string;
      const next = text[i + 1];
      if (c === "/" && next === "/") {
        while (i < text.length && text[i] !== "\n") i++;
      } else if (c === "/" && next === "*") {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) throw new Error("unterminated block comment");
        i = end + 2;
      } else if (text.startsWith("'''", i)) {
        const end = text.indexOf("'''", i + 3);
        if (end < 0) throw new Error("unterminated multi-line string");
        out += "''";
        i = end + 3;
      } else if (c === "'") {
        scanString();
      } else {
        if (stopAtBrace && c === "{") depth++;
        if (stopAtBrace && c === "}") {
          if (depth === 0) return;
          depth--;
        }
        out += c;
        i++;
      }
    }
    if (stopAtBrace) throw new Error("unterminated interpolation");
  };
  const scanString = (): void => {
    out += "'";
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === "'") {
        out += "'";
        i++;
        return;
      } else if (c === "$" && text[i + 1] === "{") {
        i += 2;
        out += "(";
        scanCode(true);
        out += ")";
        i++; // the interpolation's closing brace
      } else if (c === "\n") throw new Error("newline in a single-line string");
      else i++;
    }
    throw new Error("unterminated string");
  };
  scanCode(false);
  return out;
}

/** The first unbalanced bracket, or undefined when (), [] and {} all balance. */
export function unbalancedBracket(code: string): string | undefined {
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  const stack: { char: string; line: number }[] = [];
  let line = 1;
  for (const c of code) {
    if (c === "\n") line++;
    if (c === "(" || c === "[" || c === "{") stack.push({ char: c, line });
    else if (c in pairs) {
      const open = stack.pop();
      if (!open || open.char !== pairs[c]) return `'${c}' at line ${line} closes ${open ? `'${open.char}' of line ${open.line}` : "nothing"}`;
    }
  }
  const open = stack.pop();
  return open ? `'${open.char}' at line ${open.line} is never closed` : undefined;
}

/** `param name type` declarations. */
export function paramNames(code: string): string[] {
  return [...code.matchAll(/^\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s/gm)].map((m) => m[1] as string);
}

export function outputNames(code: string): string[] {
  return [...code.matchAll(/^\s*output\s+([A-Za-z_][A-Za-z0-9_]*)\s/gm)].map((m) => m[1] as string);
}

/** Module references: `module name 'path-or-registry' = ...`. */
export function moduleReferences(text: string): string[] {
  return [...text.matchAll(/^\s*module\s+\w+\s+'([^']+)'/gm)].map((m) => m[1] as string);
}

/** The text of the `{...}` block that starts at the first `{` at or after `from`. */
export function blockAt(code: string, from: number): string {
  const start = code.indexOf("{", from);
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    if (code[i] === "{") depth++;
    else if (code[i] === "}" && --depth === 0) return code.slice(start, i + 1);
  }
  throw new Error("unbalanced block");
}

/** Top-level keys of an object literal block (`{ a: 1, b: { c: 2 } }` gives a, b). */
export function topLevelKeys(block: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of block.split("\n")) {
    const match = depth === 1 ? /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(line) : null;
    if (match) keys.push(match[1] as string);
    for (const c of line) {
      if (c === "{" || c === "[" || c === "(") depth++;
      else if (c === "}" || c === "]" || c === ")") depth--;
    }
  }
  return keys;
}

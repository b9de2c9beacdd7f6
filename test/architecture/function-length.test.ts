// No function longer than a screen: a body over MAX_LINES lines is split along its phases, or listed
// below with the reason it is not (yet). Every .ts under src/ and assembly/ is parsed with the
// TypeScript compiler; generated files are skipped. An exemption that no longer applies fails too,
// so the list only shrinks.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const MAX_LINES = 80;

/** `file:function` -> why it is longer than MAX_LINES. */
const EXEMPT: Record<string, string> = {};

/** Every .ts file under `dir`, generated ones left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".generated.ts") && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f))
    .sort();
}

/** The name a reader would search for: the declaration's, or the variable or property holding it. */
function nameOf(node: ts.FunctionLikeDeclaration, file: ts.SourceFile): string {
  if (node.name !== undefined) {
    const own = node.name.getText(file);
    const owner = node.parent;
    return ts.isClassLike(owner) && owner.name !== undefined ? `${owner.name.text}.${own}` : own;
  }
  const holder = node.parent;
  if (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder))
    return holder.name.getText(file);
  const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  return `<anonymous at line ${line}>`;
}

/** Each function, method and arrow of a file whose body spans more than `max` lines. */
function longFunctions(path: string, text: string, max: number): { name: string; lines: number }[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const body = node.body as ts.Node;
      const first = file.getLineAndCharacterOfPosition(body.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(body.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push({ name: nameOf(node as ts.FunctionLikeDeclaration, file), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("function length", () => {
  const long = ["src", "assembly"].flatMap((dir) =>
    sources(join(ROOT, dir)).flatMap((path) =>
      longFunctions(path, readFileSync(path, "utf8"), MAX_LINES).map((f) => ({
        key: `${relative(ROOT, path)}:${f.name}`,
        lines: f.lines,
      })),
    ),
  );

  it(`has no function body over ${MAX_LINES} lines outside the exemptions`, () => {
    const unexplained = long
      .filter((f) => EXEMPT[f.key] === undefined)
      .map((f) => `${f.key} (${f.lines} lines)`);
    expect(unexplained).toEqual([]);
  });

  it("lists only exemptions that are still needed, each with a reason", () => {
    const stale = Object.keys(EXEMPT).filter((key) => !long.some((f) => f.key === key));
    expect(stale).toEqual([]);
    for (const [key, reason] of Object.entries(EXEMPT)) expect(reason.trim(), key).not.toBe("");
  });

  it("measures a body's lines (the check can fail)", () => {
    const body = Array.from({ length: 5 }, (_, i) => `  const a${i} = ${i};`).join("\n");
    const text = `function f() {\n${body}\n}\nconst g = () => 1;\nclass C { m() {\n${body}\n} }`;
    expect(longFunctions("x.ts", text, 6)).toEqual([
      { name: "f", lines: 7 },
      { name: "C.m", lines: 7 },
    ]);
    expect(longFunctions("x.ts", text, 7)).toEqual([]);
  });
});

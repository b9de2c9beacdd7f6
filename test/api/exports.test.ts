// The package's public surface, as the TypeScript compiler sees it: every name each entry exports
// (values and types), checked against a list kept in the repository, and a TSDoc comment on each. A
// name added, removed or moved between entries fails here until the list is updated on purpose
// (`npx vitest run test/api -u`), so the surface only changes deliberately.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Package entry → source file, as package.json "exports" and tsconfig.build.json map them. */
const ENTRIES: Readonly<Record<string, string>> = {
  dpemu: "src/index.ts",
  "dpemu (Node)": "src/node.ts",
  "dpemu/analysis": "src/api/analysis.ts",
  "dpemu/engine": "src/api/engine.ts",
  "dpemu/maps": "src/api/maps.ts",
  "dpemu/readers": "src/api/readers.ts",
  "dpemu/reference": "src/api/reference.ts",
  "dpemu/snapshot": "src/api/snapshot.ts",
  "dpemu/wasm": "src/api/wasm.ts",
};

interface ExportedName {
  name: string;
  kind: "value" | "type";
  documented: boolean;
}

function exportsOf(program: ts.Program, file: string): ExportedName[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(`${root}${file}`);
  if (source === undefined) throw new Error(`${file} is not part of the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = target.declarations ?? [];
      return {
        name: symbol.name,
        kind: target.flags & ts.SymbolFlags.Value ? ("value" as const) : ("type" as const),
        documented: declarations.some((d) => ts.getJSDocCommentsAndTags(d).length > 0),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

describe("the package's public API", () => {
  const program = ts.createProgram(
    Object.values(ENTRIES).map((file) => `${root}${file}`),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: [],
    },
  );
  const surface = Object.fromEntries(
    Object.entries(ENTRIES).map(([entry, file]) => [entry, exportsOf(program, file)]),
  );

  it("exports exactly the names in test/api/exports.txt from each entry", async () => {
    const text = Object.entries(surface)
      .map(([entry, names]) => [`${entry}:`, ...names.map((n) => `  ${n.name} (${n.kind})`)].join("\n"))
      .join("\n\n");
    await expect(`${text}\n`).toMatchFileSnapshot("exports.txt");
  });

  it("documents every exported name with a TSDoc comment", () => {
    const undocumented = Object.entries(surface).flatMap(([entry, names]) =>
      names.filter((n) => !n.documented).map((n) => `${entry}: ${n.name}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("gives each name one home: no name is exported by two entries (the Node entry extends dpemu)", () => {
    const homes = new Map<string, string[]>();
    for (const [entry, names] of Object.entries(surface)) {
      if (entry === "dpemu (Node)") continue;
      for (const { name } of names) homes.set(name, [...(homes.get(name) ?? []), entry]);
    }
    const shared = [...homes]
      .filter(([, entries]) => entries.length > 1)
      .map(([name, e]) => `${name}: ${e.join(", ")}`);
    expect(shared).toEqual([]);
  });
});

// The reference (src/reference/) is a mirror of the Wasm datapath (assembly/): the same files, the
// same exported functions, the same doc comments naming the Cilium functions they mirror, the same
// named codes. These checks fail when one side gains a file, a function or a code the other lacks,
// unless the allow-lists below say why it has no twin. A twin whose code production runs too (the
// hashes, the Maglev build, the flow hash, the slot choice) re-exports it from src/model/, its one
// definition, and the checks follow the re-export; production itself never imports the reference.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ASSEMBLY = join(root, "assembly");
const REFERENCE = join(root, "src/reference");

/** assembly/ files without a twin, and why. */
const ASSEMBLY_ONLY: Record<string, string> = {
  "abi.ts": "the module's ABI version and scratch I/O area: host boundary",
  "index.ts": "the module's export list",
  "lb/lb-api.ts": "exports glue: the reference's functions are called directly",
  "maps/exports.ts": "exports glue: maps by handle for the host",
  "maps/registry.ts": "the handle table behind maps/exports.ts",
  "datapath/api.ts": "exports glue: nodes by handle for the host (src/wasm/datapath.ts is its caller)",
  "datapath/dump.ts": "exports glue: map read-back into host memory (the reference's is read-maps.ts)",
  "datapath/handles.ts": "the node handle table behind api.ts and dump.ts",
  "datapath/host-structs.ts":
    "node config and stats records the host writes and reads; the reference takes EngineConfig and returns EngineStats objects",
  "datapath/layout.ts": "map record offsets; the reference's byte codecs of the same records are in node.ts",
  "datapath/records.ts":
    "packet and verdict records in linear memory; the reference takes PacketRecord objects and returns DatapathVerdict objects",
  "maps/errno.ts": "BPF update flags and errnos: the TypeScript side shares src/maps/types.ts",
  "maps/hash-core.ts":
    "open-addressing table in linear memory; the reference maps are built on Map (hash-map.ts), compared by test/maps/differential.test.ts",
  "maps/probe-index.ts": "part of the linear-memory table (hash-core.ts)",
  "maps/key-bytes.ts": "key copy/compare/hash on raw bytes, specialised per key size",
  "maps/memory.ts": "allocation in linear memory",
  "maps/sort.ts": "ordered dumps in linear memory; the reference sorts arrays",
  "maps/sorted-ids.ts": "ordered dumps in linear memory; the reference sorts arrays",
  "maps/id-pool.ts": "entry ids; the reference hands out the same ids in maps/lru-clock.ts",
  "maps/lru-hash-map.ts":
    "the reference's LRU map is ReferenceHashMap of kind lru (hash-map.ts + lru-clock.ts)",
};

/** src/reference/ files without a Wasm twin, and why. */
const REFERENCE_ONLY: Record<string, string> = {
  "datapath/engine.ts": "the DatapathEngine adapter; the Wasm one is src/wasm/datapath.ts over api.ts",
  "datapath/read-maps.ts": "map read-back; the Wasm one is dump.ts read through src/wasm",
  "maps/lru-clock.ts":
    "the LRU eviction state assembly keeps inside lru-hash-map.ts (ids, reference bits, hand)",
};

/** Exported functions one side of a twin pair has and the other has not, and why. */
const ONE_SIDED: Record<string, { assembly?: Record<string, string>; reference?: Record<string, string> }> = {
  "datapath/conntrack.ts": {
    reference: { emptyCtState: "a fresh struct ct_state; the Wasm side passes a static scratch record" },
  },
  "datapath/flow-seed.ts": {
    assembly: {
      seedForPacket: "re-seeds the PRNG state in linear memory; the reference makes a new Xoshiro128",
    },
  },
  "datapath/node.ts": {
    reference: Object.fromEntries(
      [
        "decodeBackend",
        "decodeCtEntry",
        "decodeEndpoint",
        "decodeIpcache",
        "decodeNatEntry",
        "decodeSvcValue",
        "decodeTuple",
        "emptyCtEntry",
        "encodeCtEntry",
        "encodeNatEntry",
        "encodeSvcKey",
        "encodeSvcValue",
        "encodeTuple",
        "u16At",
        "u32At",
        "u32Key",
      ].map((name) => [
        name,
        "byte codecs of the map records; the Wasm side loads and stores fields in place",
      ]),
    ),
  },
  "datapath/pipeline.ts": {
    assembly: { processBatch: "runs over packet and verdict records in linear memory" },
    reference: { processPacket: "one PacketRecord in, one DatapathVerdict out (the Wasm processOne)" },
  },
  "lb/maglev.ts": {
    assembly: {
      maglevTableAlloc: "table memory in linear memory",
      maglevTableFree: "table memory in linear memory",
    },
    reference: { offsetAndSkip: "Cilium's getOffsetAndSkip, exported for its test vectors; inline in Wasm" },
  },
  "lb/select.ts": {
    assembly: {
      prngSeed: "the reference's generator is the Xoshiro128 class (src/model/prng.ts)",
      prngNext: "the reference's generator is the Xoshiro128 class (src/model/prng.ts)",
      prngCreate: "PRNG state in linear memory",
      prngFree: "PRNG state in linear memory",
      maglevSelectBatch: "batch selection over flow records in linear memory",
      randomSelectBatch: "batch selection over flow records in linear memory",
    },
  },
  "maps/lpm-trie.ts": {
    assembly: { prefixMask: "the reference takes prefixMask from src/datapath/engine.ts" },
  },
};

/**
 * Files outside src/reference/ that may import it: the places where a caller chooses the reference
 * engine. Production data (PRNG, table sizes, port packing) lives in src/model/.
 */
const REFERENCE_IMPORTERS: Record<string, string> = {
  "src/datapath/datapath.ts": "the datapath engine choice (engine: reference, --engine reference)",
  "src/analysis/reference-engine.ts": "the compare command's reference selection engine",
  "src/api/maps.ts":
    "dpemu/maps exports the reference maps (ReferenceHashMap, ReferenceLpmMap) as plain-TypeScript maps",
  "src/api/reference.ts": "dpemu/reference: the reference engine, for embedders who choose it",
};

/** Folders of non-test code that may not import the reference beyond REFERENCE_IMPORTERS. */
const PRODUCTION = ["src", "scripts"];

const walkAbsolute = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walkAbsolute(p) : /\.(ts|mjs)$/.test(p) ? [p] : [];
  });
const walk = (dir: string): string[] =>
  walkAbsolute(dir)
    .map((p) => relative(dir, p).split("\\").join("/"))
    .sort();

interface ExportedFunction {
  name: string;
  /** snake_case names in its doc comment: the Cilium functions and fields it cites. */
  cites: string[];
}

const CILIUM_NAME = /\b_*[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g;

/** `export { a, b } from "./x.js"`: the module a twin re-exports its functions from, and their names. */
function reExport(st: ts.Statement): { from: string; names: string[] } | undefined {
  if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) return;
  if (!st.exportClause || !ts.isNamedExports(st.exportClause)) return;
  return { from: st.moduleSpecifier.text, names: st.exportClause.elements.map((e) => e.name.text) };
}

/** A twin's exported functions, following re-exports of shared code to their one definition. */
function exportedFunctions(path: string): ExportedFunction[] {
  const text = readFileSync(path, "utf8");
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: ExportedFunction[] = [];
  for (const st of sf.statements) {
    const shared = reExport(st);
    if (shared) {
      const target = resolve(dirname(path), shared.from.replace(/\.js$/, ".ts"));
      out.push(...exportedFunctions(target).filter((f) => shared.names.includes(f.name)));
      continue;
    }
    if (!(
      ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    ))
      continue;
    const names: string[] = [];
    if (ts.isFunctionDeclaration(st) && st.name) names.push(st.name.text);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && ts.isIdentifier(d.name))
          names.push(d.name.text);
      }
    }
    const doc = (ts.getLeadingCommentRanges(text, st.pos) ?? [])
      .map((r) => text.slice(r.pos, r.end))
      .join("\n");
    const cites = [...new Set(doc.match(CILIUM_NAME) ?? [])].sort();
    for (const name of names) out.push({ name, cites });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** `export const NAME[: type] = value;` as name -> value. */
function constants(path: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const m of readFileSync(path, "utf8").matchAll(/^export const (\w+)(?::\s*\w+)?\s*=\s*([^;]+);/gm)) {
    found[m[1]!] = Number(m[2]!.trim());
  }
  return found;
}

const assemblyFiles = walk(ASSEMBLY);
const referenceFiles = walk(REFERENCE);
const pairs = assemblyFiles.filter((f) => referenceFiles.includes(f));

describe("the reference mirrors assembly/", () => {
  it("has a twin for every file, except the listed ones", () => {
    expect(assemblyFiles.filter((f) => !referenceFiles.includes(f))).toEqual(
      Object.keys(ASSEMBLY_ONLY).sort(),
    );
    expect(referenceFiles.filter((f) => !assemblyFiles.includes(f))).toEqual(
      Object.keys(REFERENCE_ONLY).sort(),
    );
  });

  it.each(pairs)("%s: exports the same functions", (file) => {
    const a = exportedFunctions(join(ASSEMBLY, file)).map((f) => f.name);
    const r = exportedFunctions(join(REFERENCE, file)).map((f) => f.name);
    const allowed = ONE_SIDED[file] ?? {};
    expect(a.filter((n) => !r.includes(n))).toEqual(Object.keys(allowed.assembly ?? {}).sort());
    expect(r.filter((n) => !a.includes(n))).toEqual(Object.keys(allowed.reference ?? {}).sort());
  });

  it.each(pairs)("%s: twin functions cite the same Cilium names in their doc comments", (file) => {
    const r = new Map(exportedFunctions(join(REFERENCE, file)).map((f) => [f.name, f.cites]));
    for (const f of exportedFunctions(join(ASSEMBLY, file))) {
      const twin = r.get(f.name);
      if (twin !== undefined) expect({ name: f.name, cites: twin }).toEqual({ name: f.name, cites: f.cites });
    }
  });

  it("names the same codes with the same values (datapath/constants.ts)", () => {
    const a = constants(join(ASSEMBLY, "datapath/constants.ts"));
    const r = constants(join(REFERENCE, "datapath/constants.ts"));
    expect(Object.keys(a).length).toBeGreaterThan(0);
    expect(Object.values(a).every(Number.isInteger)).toBe(true);
    expect(r).toEqual(a);
  });

  it("shares code with production only through src/model/ (what production runs lives outside it)", () => {
    for (const file of referenceFiles) {
      const sf = ts.createSourceFile(
        file,
        readFileSync(join(REFERENCE, file), "utf8"),
        ts.ScriptTarget.Latest,
      );
      for (const st of sf.statements) {
        const shared = reExport(st);
        if (shared)
          expect({
            file,
            from: relative(root, resolve(dirname(join(REFERENCE, file)), shared.from)),
          }).toEqual({ file, from: expect.stringMatching(/^src\/model\//) });
      }
    }
  });

  it("is imported outside tests and benchmarks only where the reference engine is chosen", () => {
    const importers = PRODUCTION.flatMap((dir) => walkAbsolute(join(root, dir)))
      .map((p) => relative(root, p).split("\\").join("/"))
      .filter((f) => !f.startsWith("src/reference/") && /\.(ts|mjs|js)$/.test(f))
      .filter((f) => {
        const text = readFileSync(join(root, f), "utf8");
        return [...text.matchAll(/\bfrom\s+"(\.[^"]+)"|\bimport\(\s*"(\.[^"]+)"\s*\)/g)].some((m) =>
          relative(root, resolve(dirname(join(root, f)), m[1] ?? m[2]!)).startsWith("src/reference/"),
        );
      })
      .sort();
    expect(importers).toEqual(Object.keys(REFERENCE_IMPORTERS).sort());
  });
});

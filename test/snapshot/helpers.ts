// Reading fixtures the way the loader does: split into dumps, recognise, parse strictly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DumpFormat } from "../../src/snapshot/dump-format.js";
import type { DumpSource } from "../../src/snapshot/dump-source.js";
import type { ParseOptions, SnapshotWarning } from "../../src/snapshot/errors.js";
import { recognise } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export function fixtureText(relative: string): string {
  return readFileSync(`${FIXTURES}${relative}`, "utf8");
}

export function strict(): ParseOptions & { warnings: SnapshotWarning[] } {
  const warnings: SnapshotWarning[] = [];
  return { lenient: false, warn: (w) => warnings.push(w), warnings };
}

/** The single dump in a fixture file, checked to be recognised as `format`. */
export function fixtureDump(relative: string, format: DumpFormat<unknown>): DumpSource {
  const segments = splitDumps(relative, fixtureText(relative));
  if (segments.length !== 1) throw new Error(`${relative}: ${segments.length} dumps`);
  const segment = segments[0]!;
  const recognised = recognise(segment.lines);
  if (recognised?.format.kind !== format.kind) {
    throw new Error(`${relative}: recognised as ${recognised?.format.kind ?? "nothing"}, not ${format.kind}`);
  }
  return segment;
}

/** parse -> print -> parse, returning both models. */
export function roundTrip<M>(
  format: DumpFormat<M>,
  source: DumpSource,
): { first: M; second: M; printed: string } {
  const first = format.parse(source, strict());
  const printed = format.print(first);
  const again = splitDumps("printed", printed);
  const second = format.parse(again[0] ?? { file: "printed", firstLine: 1, lines: [] }, strict());
  return { first, second, printed };
}

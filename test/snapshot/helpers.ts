// Shared helpers for the snapshot format tests: fixtures as DumpSources, the way the loader splits
// and recognises them, parse options, and parse -> print -> parse round trips.
import type { DumpFormat } from "../../src/snapshot/dump-format.js";
import { toLines, type DumpSource } from "../../src/snapshot/dump-source.js";
import type { ParseOptions, SnapshotWarning } from "../../src/snapshot/errors.js";
import { recognise } from "../../src/snapshot/registry.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { fixtureText } from "../helpers/fixtures.js";

/** Strict parsing: a bad line throws InputError, and any warning at all fails the test. */
export const strict: ParseOptions = {
  lenient: false,
  warn: (warning) => {
    throw new Error(`unexpected warning ${JSON.stringify(warning)}`);
  },
};

export function lenient(): { options: ParseOptions; warnings: SnapshotWarning[] } {
  const warnings: SnapshotWarning[] = [];
  return { options: { lenient: true, warn: (warning) => warnings.push(warning) }, warnings };
}

/**
 * A fixture (or a range of its 1-based lines, `last` inclusive) as a DumpSource. The public v1.8 NAT
 * fixture holds two dumps: NAT lines 1-3 (with its source line) and a CT line 4.
 */
export function fixtureSource(path: string, first = 1, last?: number): DumpSource {
  const lines = toLines(fixtureText(path));
  if (lines[lines.length - 1] === "") lines.pop();
  return { file: path, firstLine: first, lines: lines.slice(first - 1, last ?? lines.length) };
}

export function textSource(text: string, file = "test.txt"): DumpSource {
  return { file, firstLine: 1, lines: toLines(text) };
}

/** The single dump in a fixture file as the loader splits it, checked to be recognised as `format`. */
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

/** parse -> print -> split -> parse, returning both models for the test to compare. */
export function roundTrip<M>(
  format: DumpFormat<M>,
  source: DumpSource,
): { first: M; second: M; printed: string } {
  const first = format.parse(source, strict);
  const printed = format.print(first);
  const again = splitDumps("printed", printed);
  const second = format.parse(again[0] ?? { file: "printed", firstLine: 1, lines: [] }, strict);
  return { first, second, printed };
}

/** Parses strictly and checks the round trip parse -> print -> parse gives the same model. */
export function parseRoundTrip<M>(format: DumpFormat<M>, source: DumpSource): { model: M; printed: string } {
  const model = format.parse(source, strict);
  const printed = format.print(model);
  const again = format.parse(textSource(printed, "printed"), strict);
  if (stableJson(again) !== stableJson(model)) {
    throw new Error(`round trip changed the model of ${source.file}`);
  }
  return { model, printed };
}

/** JSON that keeps bigints (as `123n`), for comparing models. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

/** The content lines of a text, trailing blanks, empty lines and `# ` annotations dropped. */
export function contentOf(text: string): string[] {
  return toLines(text).filter((line) => line.trim() !== "" && !line.startsWith("# "));
}

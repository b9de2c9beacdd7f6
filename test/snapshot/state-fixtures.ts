// Shared helpers for the state-format tests: real fixture dumps as DumpSources, strict parsing.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DumpFormat } from "../../src/snapshot/dump-format.js";
import { toLines, type DumpSource } from "../../src/snapshot/dump-source.js";
import type { ParseOptions, SnapshotWarning } from "../../src/snapshot/errors.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export function fixtureText(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, "utf8");
}

/** Every fixture file, as `dir/name`. */
export function allFixtures(): string[] {
  return ["lab-3node", "misc", "public"].flatMap((dir) =>
    readdirSync(`${FIXTURES}${dir}`).map((name) => `${dir}/${name}`),
  );
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
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

/** The content lines of a text, trailing blanks, empty lines and `# ` annotations dropped. */
export function contentOf(text: string): string[] {
  return toLines(text).filter((line) => line.trim() !== "" && !line.startsWith("# "));
}

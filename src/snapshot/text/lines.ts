// Small helpers parsers share for walking a dump's lines.
import { lineNumber, type DumpSource } from "../dump-source.js";
import type { InputLocation } from "../errors.js";

/** Where `source.lines[index]` sits in the input file. */
export function locate(source: DumpSource, index: number): InputLocation {
  return { file: source.file, line: lineNumber(source, index) };
}

/** The first non-empty lines (the splitter blanks noise), for recognition. */
export function firstContentLines(lines: readonly string[], count: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    out.push(line);
    if (out.length === count) break;
  }
  return out;
}

/** Collapses runs of blanks so a header can be compared however its columns were padded. */
export function squash(line: string): string {
  return line.trim().replace(/\s+/g, " ");
}

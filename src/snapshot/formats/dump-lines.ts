// Line handling shared by the state-dump parsers: which lines carry content, and splitting them into
// words regardless of how much whitespace a paste left between columns.
import { lineNumber, type DumpSource } from "../dump-source.js";
import type { InputLocation } from "../errors.js";

/** A content line of a dump with its position in the file. */
export interface ContentLine {
  readonly text: string;
  /** Whitespace-separated words of `text`. */
  readonly words: readonly string[];
  readonly location: InputLocation;
}

/**
 * Empty lines are noise (the splitter blanks prompts and elisions; Go prints blank lines between
 * maps). A `# ...` line is an annotation some captures carry (e.g. the public fixtures' source line),
 * never cilium-dbg output, so it is skipped too. `## Map: ...` is content (`map list --verbose`).
 */
export function isNoiseLine(text: string): boolean {
  return text.trim() === "" || /^\s*#(\s|$)/.test(text);
}

export function splitWords(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === "" ? [] : trimmed.split(/\s+/);
}

/** The content lines of a dump, in order. */
export function contentLines(source: DumpSource): ContentLine[] {
  const out: ContentLine[] = [];
  source.lines.forEach((text, index) => {
    if (isNoiseLine(text)) return;
    out.push({
      text,
      words: splitWords(text),
      location: { file: source.file, line: lineNumber(source, index) },
    });
  });
  return out;
}

/** The first `count` content lines of a `matches()` input, as word lists. */
export function firstContentWords(lines: readonly string[], count: number): string[][] {
  const out: string[][] = [];
  for (const line of lines) {
    if (out.length >= count) break;
    if (!isNoiseLine(line)) out.push(splitWords(line));
  }
  return out;
}

/** Compares a line with a header, ignoring how much whitespace separates the words. */
export function isHeader(words: readonly string[], header: string): boolean {
  return words.join(" ") === header;
}

// A dump as the parsers see it: the lines of one cilium-dbg output, cut out of a file that may hold
// several outputs one after another, with enough context to name the file and line in any message.

/** One dump's text, split into lines (CR stripped, trailing blanks trimmed). */
export interface DumpSource {
  /** Path of the file as the user gave it (or `archive.zip!/inner/path` for archive members). */
  readonly file: string;
  /** 1-based line number in `file` of `lines[0]`. */
  readonly firstLine: number;
  readonly lines: readonly string[];
}

/** Splits a file's text into lines the way every parser expects them. */
export function toLines(text: string): string[] {
  return text.split(/\r?\n|\r/).map((line) => line.replace(/[ \t]+$/, ""));
}

/** A DumpSource covering a whole file. */
export function wholeFile(file: string, text: string): DumpSource {
  return { file, firstLine: 1, lines: toLines(text) };
}

/** The 1-based file line number of `lines[index]`. */
export function lineNumber(source: DumpSource, index: number): number {
  return source.firstLine + index;
}

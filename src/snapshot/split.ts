// Cuts a file into dumps. People paste several outputs into one file, with shell prompts,
// `kubectl exec ... -- cilium-dbg ...` command lines, `...` elisions, markdown fences and headings
// (bugtool --enable-markdown) around them. Those noise lines are blanked (never removed, so line
// numbers stay true) and separate dumps; blank lines separate dumps too. One pass, linear in the
// file's size.
import { pastedCommand } from "./command-line.js";
import { toLines, type DumpSource } from "./dump-source.js";

/** Blog-style elision inside a dump: blanked, but the dump goes on. */
const ELISION = /^\s*(\.\.\.|…)\s*$/;

/** Lines other than command lines that are never part of a dump's content and end the dump. */
const SEPARATORS: readonly RegExp[] = [
  /^\s*```/, // markdown fence
  /^#{1,6}(\s|$)(?!.*Read-(only|write) configurations)(?!Map: \S+$)/, // markdown heading, `# source:` notes
];

/**
 * `map list --verbose` opens each map's section with `## Map: <name>` and ends it with a blank line;
 * the sections are one dump.
 */
const MAP_SECTION = /^## Map: \S+$/;

/** True for a line that ends the dump before it: a command line, a markdown fence or heading. */
export function isSeparator(line: string): boolean {
  return SEPARATORS.some((re) => re.test(line)) || pastedCommand(line) !== undefined;
}

/** True for a line the splitter blanks: a separator or a `...` elision. */
export function isNoise(line: string): boolean {
  return ELISION.test(line) || isSeparator(line);
}

/** A run of content lines between separators. */
export interface Segment extends DumpSource {
  /** The command line just before it, prompt removed, when the capture shows one (for messages). */
  readonly command: string | undefined;
}

/**
 * Splits a file's text into segments of content. Each segment's `lines` cover it exactly, with
 * `firstLine` giving its position in the file.
 */
export function splitDumps(file: string, text: string): Segment[] {
  const lines = toLines(text.startsWith("\uFEFF") ? text.slice(1) : text);
  const segments: Segment[] = [];
  // Whether the next content line after each line opens a `map list --verbose` section: one
  // backward pass, so blank runs inside that dump cost nothing per line.
  const mapSectionNext = new Uint8Array(lines.length + 1);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] ?? "";
    const content = l.trim() !== "" && !ELISION.test(l);
    mapSectionNext[i] = content ? (MAP_SECTION.test(l) ? 1 : 0) : (mapSectionNext[i + 1] ?? 0);
  }
  let start = -1;
  let command: string | undefined;
  let lastCommand: string | undefined;
  let lastContent = -1;
  const close = (end: number) => {
    if (start >= 0) {
      segments.push({ file, firstLine: start + 1, lines: lines.slice(start, end), command });
      start = -1;
    }
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (ELISION.test(line)) {
      lines[index] = "";
      continue;
    }
    const blank = line.trim() === "";
    if (blank && start >= 0 && MAP_SECTION.test(lines[start] ?? "") && mapSectionNext[index + 1] === 1)
      continue;
    const pasted = blank ? undefined : pastedCommand(line);
    if (blank || pasted !== undefined || SEPARATORS.some((re) => re.test(line))) {
      // A segment ends at its last content line, so trailing elisions stay outside it.
      close(lastContent + 1);
      if (pasted !== undefined) lastCommand = pasted;
      continue;
    }
    lastContent = index;
    if (start < 0) {
      start = index;
      command = lastCommand;
      lastCommand = undefined;
    }
  }
  close(lastContent + 1);
  return segments;
}

// Cuts a file into dumps. People paste several outputs into one file, with shell prompts,
// `kubectl exec ... -- cilium-dbg ...` command lines, `...` elisions, markdown fences and headings
// (bugtool --enable-markdown) around them. Those noise lines are blanked (never removed, so line
// numbers stay true) and separate dumps; blank lines separate dumps too.
import { toLines, type DumpSource } from "./dump-source.js";

/** Blog-style elision inside a dump: blanked, but the dump goes on. */
const ELISION = /^\s*(\.\.\.|…)\s*$/;

/** Lines that are never part of a dump's content and end the dump before them. */
const SEPARATORS: readonly RegExp[] = [
  /^\s*```/, // markdown fence
  /^#{1,6}(\s|$)(?!.*Read-(only|write) configurations)(?!Map: \S+$)/, // markdown heading, `# ` root prompt, `# source:` notes
  /^\s*[$%>]\s/, // `$ cmd`, `% cmd`, `> cmd`
  /^\s*\S+@\S+?:[^#$\s]*\s?[#$]\s/, // root@host:~# cmd, user@host:/x$ cmd
  /^\s*\[\S+@\S+[^\]]*\][#$]\s/, // [user@host dir]$ cmd
  /^\s*(kubectl|oc|k)\s+(-n\s+\S+\s+)?exec\b/, // kubectl exec ... -- cilium-dbg ...
  /^\s*(sudo\s+)?(cilium|cilium-dbg|cilium-health|cilium-bugtool|bpftool|hubble)\s+[a-z][\w-]*(\s|$)(?!.*(=>|\(\d+\)))/,
];

/**
 * `map list --verbose` opens each map's section with `## Map: <name>` and ends it with a blank line;
 * the sections are one dump.
 */
const MAP_SECTION = /^## Map: \S+$/;

export function isSeparator(line: string): boolean {
  return SEPARATORS.some((re) => re.test(line));
}

export function isNoise(line: string): boolean {
  return ELISION.test(line) || isSeparator(line);
}

/** A run of content lines between separators. */
export interface Segment extends DumpSource {
  /** The command line just before it, when the capture shows one (a hint for messages). */
  readonly command: string | undefined;
}

/**
 * Splits a file's text into segments of content. Each segment's `lines` cover it exactly, with
 * `firstLine` giving its position in the file.
 */
export function splitDumps(file: string, text: string): Segment[] {
  const lines = toLines(text.startsWith("\uFEFF") ? text.slice(1) : text);
  const segments: Segment[] = [];
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
  const nextContent = (index: number): string | undefined => {
    for (let i = index + 1; i < lines.length; i++) {
      const l = lines[i] ?? "";
      if (l.trim() !== "" && !ELISION.test(l)) return l;
    }
    return undefined;
  };
  lines.forEach((line, index) => {
    if (ELISION.test(line)) {
      lines[index] = "";
      return;
    }
    const blank = line.trim() === "";
    if (blank && start >= 0 && MAP_SECTION.test(lines[start] ?? "")) {
      if (MAP_SECTION.test(nextContent(index) ?? "")) return;
    }
    if (blank || isSeparator(line)) {
      // A segment ends at its last content line, so trailing elisions stay outside it.
      close(lastContent + 1);
      if (isSeparator(line) && /(cilium|cilium-dbg|bpftool|hubble)\s/.test(line)) lastCommand = line.trim();
      return;
    }
    lastContent = index;
    if (start < 0) {
      start = index;
      command = lastCommand;
      lastCommand = undefined;
    }
  });
  close(lastContent + 1);
  return segments;
}

// Recognises and parses one segment the splitter cut out. People also paste outputs back to back
// without a blank line or prompt between them (a `bpf nat list` followed by the matching
// `bpf ct list` line, a `status --verbose` followed by a `service list`): where a line no longer
// parses as the recognised format but starts a dump of another format, the segment is cut there
// and each part read on its own. Formats that skip lines they do not know (`status --verbose`)
// never reject one, so for them the cut is where another format's dump starts.
// Two outputs of one command pasted back to back are cut where the first line (the header) repeats.
// Trailing `# ...` annotations are stripped for formats whose lines cannot hold a `#`.
import { stripAnnotations } from "./annotations.js";
import type { DumpSource } from "./dump-source.js";
import type { ParseOptions, SnapshotWarning } from "./errors.js";
import { recognise, type RegisteredFormat } from "./registry.js";
import { squash } from "./text/lines.js";

export interface ReadDump {
  readonly registered: RegisteredFormat;
  readonly model: unknown;
  /** The lines the format parsed (annotations stripped where the format cannot hold them). */
  readonly source: DumpSource;
}

export interface ReadSegment {
  readonly dumps: readonly ReadDump[];
  /** Parts no format recognises. */
  readonly unrecognised: readonly DumpSource[];
}

/** How many lines `matches()` is shown when looking for the start of another dump. */
const START_WINDOW = 12;
/** Recognisers read at most the first dozen content lines of a dump. */
const RECOGNITION_CONTENT_LINES = 12;
/** Bound on the lines scanned for them, blank runs included. */
const RECOGNITION_SCAN = 4096;
/** Lines a probe of a prefix leaves out of its cut search: an entry the prefix cuts in two. */
const PREFIX_MARGIN = 16;
/** First prefix probed for a cut; it doubles until a cut is found or the segment ends. */
const FIRST_PREFIX = 64;

function part(source: DumpSource, from: number, to: number): DumpSource {
  return { file: source.file, firstLine: source.firstLine + from, lines: source.lines.slice(from, to) };
}

/** The lines from `from` on that recognising a dump starting there can look at. */
function recognitionWindow(lines: readonly string[], from: number): readonly string[] {
  let end = from;
  for (let content = 0; end < lines.length && content < RECOGNITION_CONTENT_LINES; end++) {
    if (end - from >= RECOGNITION_SCAN) break;
    if ((lines[end] ?? "").trim() !== "") content++;
  }
  return lines.slice(from, end);
}

/** Parses leniently to find the first line the format rejects, without failing on it. */
function probe(
  registered: RegisteredFormat,
  source: DumpSource,
): { model: unknown; rejected: SnapshotWarning[] } | undefined {
  const rejected: SnapshotWarning[] = [];
  try {
    return {
      model: registered.format.parse(source, { lenient: true, warn: (w) => rejected.push(w) }),
      rejected,
    };
  } catch {
    // A format that fails on the dump as a whole even when lenient: the real parse reports it.
    return undefined;
  }
}

/** A dump of a format other than `registered` starts at line `at`. */
function startsOtherDump(registered: RegisteredFormat, lines: readonly string[], at: number): boolean {
  const other = recognise(lines.slice(at, at + START_WINDOW));
  return other !== undefined && other !== registered;
}

/** The first line after `from` where a dump of a format that does not skip lines starts. */
function otherDumpStart(registered: RegisteredFormat, source: DumpSource, from: number): number | undefined {
  for (let i = from + 1; i < source.lines.length; i++) {
    if ((source.lines[i] ?? "").trim() === "") continue;
    const other = recognise(source.lines.slice(i, i + START_WINDOW));
    if (other !== undefined && other !== registered && other.format.skipsUnknownLines !== true) return i;
  }
  return undefined;
}

/**
 * The first line after `from` that the format rejects and that starts a dump of another format.
 * Prefixes of doubling length are probed, so finding a cut `d` lines on costs O(d), and a segment
 * of many dumps pasted back to back is read in linear time.
 */
function rejectedDumpStart(
  registered: RegisteredFormat,
  source: DumpSource,
  from: number,
): number | undefined {
  const lines = source.lines;
  let content = from;
  while (content < lines.length && (lines[content] ?? "").trim() === "") content++;
  for (let size = FIRST_PREFIX; ; size *= 2) {
    const end = Math.min(lines.length, from + size);
    const searchEnd = end === lines.length ? end : end - PREFIX_MARGIN;
    for (const rejected of probe(registered, part(source, from, end))?.rejected ?? []) {
      const cut = rejected.line - source.firstLine;
      if (rejected.file !== source.file || cut <= content || cut >= searchEnd) continue;
      if (startsOtherDump(registered, lines, cut)) return cut;
    }
    if (end === lines.length) return undefined;
  }
}

/**
 * Where the segment's first line comes again: two outputs of one command pasted back to back (three
 * nodes' `bpf ipcache list`, say) repeat the header, and each is a dump of its own. All repeats in
 * one scan, so a file of many such outputs is cut in linear time.
 */
function repeatsOfFirstLine(source: DumpSource): number[] {
  const start = source.lines.findIndex((line) => line.trim() !== "");
  if (start < 0) return [];
  const first = squash(source.lines[start] ?? "");
  const repeats: number[] = [];
  for (let i = start + 1; i < source.lines.length; i++) {
    const line = source.lines[i] ?? "";
    if (line.length >= first.length && squash(line) === first) repeats.push(i);
  }
  return repeats;
}

/** A segment, read from its raw lines and from the same lines with annotations stripped. */
interface Pair {
  readonly raw: DumpSource;
  readonly stripped: DumpSource;
}

function partOfPair(pair: Pair, from: number, to: number): Pair {
  if (from === 0 && to === pair.raw.lines.length) return pair;
  const raw = part(pair.raw, from, to);
  return { raw, stripped: pair.stripped === pair.raw ? raw : part(pair.stripped, from, to) };
}

/** The format of the dump starting at line `from`, from the raw lines or else the stripped ones. */
function recogniseAt(pair: Pair, from: number): RegisteredFormat | undefined {
  return (
    recognise(recognitionWindow(pair.raw.lines, from)) ??
    (pair.stripped !== pair.raw ? recognise(recognitionWindow(pair.stripped.lines, from)) : undefined)
  );
}

/** The lines of a pair a format reads: raw where a `#` can be content, stripped otherwise. */
function linesFor(registered: RegisteredFormat, pair: Pair): DumpSource {
  return registered.format.mayHoldHash === true ? pair.raw : pair.stripped;
}

/**
 * Reads a segment dump by dump: from each dump's start, the next cut is where another format's dump
 * starts, and the lines up to it are one format's (repeated headers cut them further). Iterative,
 * and each cut is found in time proportional to the lines before it.
 */
function readPair(pair: Pair, options: ParseOptions): ReadSegment {
  const dumps: ReadDump[] = [];
  const unrecognised: DumpSource[] = [];
  const length = pair.raw.lines.length;
  for (let from = 0; from < length;) {
    const registered = recogniseAt(pair, from);
    if (registered === undefined) {
      unrecognised.push(from === 0 ? pair.raw : part(pair.raw, from, length));
      break;
    }
    const source = linesFor(registered, pair);
    const cut =
      (registered.format.skipsUnknownLines === true ? otherDumpStart(registered, source, from) : undefined) ??
      rejectedDumpStart(registered, source, from);
    const read =
      cut === undefined
        ? readOneFormat(partOfPair(pair, from, length), registered, options)
        : // The head is read as a segment of its own: a cut its end hid from the windows shows now.
          readPair(partOfPair(pair, from, cut), options);
    dumps.push(...read.dumps);
    unrecognised.push(...read.unrecognised);
    from = cut ?? length;
  }
  return { dumps, unrecognised };
}

/** Reads lines of one format, cut where its first line repeats: each output is read on its own. */
function readOneFormat(pair: Pair, registered: RegisteredFormat, options: ParseOptions): ReadSegment {
  const repeats = repeatsOfFirstLine(linesFor(registered, pair));
  if (repeats.length === 0) return { dumps: [readDump(pair, registered, options)], unrecognised: [] };
  const dumps: ReadDump[] = [];
  const unrecognised: DumpSource[] = [];
  const bounds = [0, ...repeats, pair.raw.lines.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const read = readPair(partOfPair(pair, bounds[i] ?? 0, bounds[i + 1] ?? 0), options);
    dumps.push(...read.dumps);
    unrecognised.push(...read.unrecognised);
  }
  return { dumps, unrecognised };
}

/** Reads one dump: lenient, each rejected line is a warning; strict, the first one throws. */
function readDump(pair: Pair, registered: RegisteredFormat, options: ParseOptions): ReadDump {
  const source = linesFor(registered, pair);
  const probed = probe(registered, source);
  if (probed !== undefined && (probed.rejected.length === 0 || options.lenient)) {
    for (const w of probed.rejected) options.warn(w);
    return { registered, model: probed.model, source };
  }
  // Strict: the parse throws on the first unreadable line, naming file and line.
  return { registered, model: registered.format.parse(source, options), source };
}

/** Reads a segment into the dumps it holds; annotations stripped are reported once per dump. */
export function readSegment(source: DumpSource, options: ParseOptions): ReadSegment {
  const { stripped, annotated } = stripAnnotations(source);
  const read = readPair({ raw: source, stripped }, options);
  if (annotated.length === 0) return read;
  for (const dump of read.dumps) {
    if (dump.registered.format.mayHoldHash === true) continue;
    const from = dump.source.firstLine - source.firstLine;
    const inDump = annotated.filter((i) => i >= from && i < from + dump.source.lines.length);
    const first = inDump[0];
    if (first === undefined) continue;
    const text = (source.lines[first] ?? "").slice((stripped.lines[first] ?? "").length).trim();
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    options.warn({
      file: source.file,
      line: source.firstLine + first,
      message: `${inDump.length} trailing "#" annotation${inDump.length === 1 ? "" : "s"} stripped (${dump.registered.format.command} prints none), first ${JSON.stringify(shown)}`,
    });
  }
  return read;
}

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

function part(source: DumpSource, from: number, to: number): DumpSource {
  return { file: source.file, firstLine: source.firstLine + from, lines: source.lines.slice(from, to) };
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

/** The first line (after the first) where a dump of a format other than `registered` starts. */
function otherDumpStart(registered: RegisteredFormat, source: DumpSource): number | undefined {
  for (let i = 1; i < source.lines.length; i++) {
    if ((source.lines[i] ?? "").trim() === "") continue;
    const other = recognise(source.lines.slice(i, i + START_WINDOW));
    if (other !== undefined && other !== registered && other.format.skipsUnknownLines !== true) return i;
  }
  return undefined;
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

/** Reads the parts of a segment cut before each of `cuts` (ascending). */
function split(pair: Pair, cuts: readonly number[], options: ParseOptions): ReadSegment {
  const dumps: ReadDump[] = [];
  const unrecognised: DumpSource[] = [];
  const bounds = [0, ...cuts, pair.raw.lines.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i] ?? 0;
    const to = bounds[i + 1] ?? 0;
    const read = readPair(
      { raw: part(pair.raw, from, to), stripped: part(pair.stripped, from, to) },
      options,
    );
    dumps.push(...read.dumps);
    unrecognised.push(...read.unrecognised);
  }
  return { dumps, unrecognised };
}

function readPair(pair: Pair, options: ParseOptions): ReadSegment {
  const registered =
    recognise(pair.raw.lines) ?? (pair.stripped !== pair.raw ? recognise(pair.stripped.lines) : undefined);
  if (registered === undefined) return { dumps: [], unrecognised: [pair.raw] };
  const source = registered.format.mayHoldHash === true ? pair.raw : pair.stripped;
  const repeats = repeatsOfFirstLine(source);
  if (repeats.length > 0) return split(pair, repeats, options);
  if (registered.format.skipsUnknownLines === true) {
    const cut = otherDumpStart(registered, source);
    if (cut !== undefined) return split(pair, [cut], options);
  }
  const probed = probe(registered, source);
  if (probed !== undefined && probed.rejected.length === 0) {
    return { dumps: [{ registered, model: probed.model, source }], unrecognised: [] };
  }
  // Cut at the first rejected line that starts a dump of another format.
  for (const rejected of probed?.rejected ?? []) {
    const cut = rejected.line - source.firstLine;
    if (rejected.file !== source.file || cut <= 0 || cut >= source.lines.length) continue;
    const other = recognise(source.lines.slice(cut, cut + START_WINDOW));
    const head = source.lines.slice(0, cut);
    if (other !== undefined && other !== registered && head.some((line) => line.trim() !== "")) {
      return split(pair, [cut], options);
    }
  }
  if (probed !== undefined && options.lenient) {
    for (const w of probed.rejected) options.warn(w);
    return { dumps: [{ registered, model: probed.model, source }], unrecognised: [] };
  }
  // Strict: the parse throws on the first unreadable line, naming file and line.
  return {
    dumps: [{ registered, model: registered.format.parse(source, options), source }],
    unrecognised: [],
  };
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

// Recognises and parses one segment the splitter cut out. People also paste outputs back to back
// without a blank line or prompt between them (a `bpf nat list` followed by the matching
// `bpf ct list` line, say): where a line no longer parses as the recognised format but starts a
// dump of another format, the segment is cut there and each part read on its own.
import type { DumpSource } from "./dump-source.js";
import type { ParseOptions, SnapshotWarning } from "./errors.js";
import { recognise, type RegisteredFormat } from "./registry.js";

export interface ReadDump {
  readonly registered: RegisteredFormat;
  readonly model: unknown;
  readonly source: DumpSource;
}

export interface ReadSegment {
  readonly dumps: readonly ReadDump[];
  /** Parts no format recognises. */
  readonly unrecognised: readonly DumpSource[];
}

function part(source: DumpSource, from: number, to: number): DumpSource {
  return { file: source.file, firstLine: source.firstLine + from, lines: source.lines.slice(from, to) };
}

/** Recognisers read at most the first dozen content lines of a dump. */
const RECOGNITION_CONTENT_LINES = 12;
/** Bound on the lines scanned for them, blank runs included. */
const RECOGNITION_SCAN = 4096;

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

/** Lines a probe of a prefix leaves out of its cut search: an entry the prefix cuts in two. */
const PREFIX_MARGIN = 16;
/** First prefix probed for a cut; it doubles until a cut is found or the segment ends. */
const FIRST_PREFIX = 64;

type CutSearch =
  | { readonly at: number }
  | { readonly at: undefined; readonly rest: DumpSource; readonly probed: ReturnType<typeof probe> };

/**
 * The first line from `from` on that the format rejects and that starts a dump of another format.
 * Prefixes of doubling length are probed, so finding a cut `d` lines on costs O(d), and a file of
 * many dumps pasted back to back is read in linear time.
 */
function findCut(source: DumpSource, from: number, registered: RegisteredFormat): CutSearch {
  const lines = source.lines;
  let content = from;
  while (content < lines.length && (lines[content] ?? "").trim() === "") content++;
  for (let size = FIRST_PREFIX; ; size *= 2) {
    const end = Math.min(lines.length, from + size);
    const prefix = part(source, from, end);
    const probed = probe(registered, prefix);
    const searchEnd = end === lines.length ? end : end - PREFIX_MARGIN;
    for (const rejected of probed?.rejected ?? []) {
      const cut = rejected.line - source.firstLine;
      if (rejected.file !== source.file || cut <= content || cut >= searchEnd) continue;
      // Recognised on a window, not the whole rest: 20k rejected rows stay linear.
      const other = recognise(recognitionWindow(lines, cut));
      if (other !== undefined && other !== registered) return { at: cut };
    }
    if (end === lines.length) return { at: undefined, rest: prefix, probed };
  }
}

export function readSegment(source: DumpSource, options: ParseOptions): ReadSegment {
  const dumps: ReadDump[] = [];
  const unrecognised: DumpSource[] = [];
  const read = (part: DumpSource, registered: RegisteredFormat, probed: ReturnType<typeof probe>): void => {
    if (probed !== undefined && (probed.rejected.length === 0 || options.lenient)) {
      for (const w of probed.rejected) options.warn(w);
      dumps.push({ registered, model: probed.model, source: part });
    } else {
      // Strict: the parse throws on the first unreadable line, naming file and line.
      dumps.push({ registered, model: registered.format.parse(part, options), source: part });
    }
  };
  for (let from = 0; from < source.lines.length;) {
    const registered = recognise(recognitionWindow(source.lines, from));
    if (registered === undefined) {
      unrecognised.push(from === 0 ? source : part(source, from, source.lines.length));
      break;
    }
    const cut = findCut(source, from, registered);
    if (cut.at === undefined) {
      read(from === 0 ? source : cut.rest, registered, cut.probed);
      break;
    }
    // The head is read on its own, as a segment of its own would be.
    const head = readSegment(part(source, from, cut.at), options);
    dumps.push(...head.dumps);
    unrecognised.push(...head.unrecognised);
    from = cut.at;
  }
  return { dumps, unrecognised };
}

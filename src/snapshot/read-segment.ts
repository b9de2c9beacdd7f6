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

export function readSegment(source: DumpSource, options: ParseOptions): ReadSegment {
  const registered = recognise(source.lines);
  if (registered === undefined) return { dumps: [], unrecognised: [source] };
  const probed = probe(registered, source);
  if (probed !== undefined && probed.rejected.length === 0) {
    return { dumps: [{ registered, model: probed.model, source }], unrecognised: [] };
  }
  // Cut at the first rejected line that starts a dump of another format.
  for (const rejected of probed?.rejected ?? []) {
    const cut = rejected.line - source.firstLine;
    if (rejected.file !== source.file || cut <= 0 || cut >= source.lines.length) continue;
    const head = part(source, 0, cut);
    const tail = part(source, cut, source.lines.length);
    const other = recognise(tail.lines);
    if (other !== undefined && other !== registered && head.lines.some((line) => line.trim() !== "")) {
      const a = readSegment(head, options);
      const b = readSegment(tail, options);
      return { dumps: [...a.dumps, ...b.dumps], unrecognised: [...a.unrecognised, ...b.unrecognised] };
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

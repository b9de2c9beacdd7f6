// Trailing annotations people add to pasted output: `16 172.16.1.1:80/TCP LoadBalancer ... (active)
// #서비스 타입 LoadBalancer 추가됨`, `... [0x0 0x0] # hubble-ui 서비스`. In formats whose lines
// cannot hold a `#` of their own they are stripped before parsing (and reported), so every format
// treats them alike.
import type { DumpSource } from "./dump-source.js";

/** A dump with its annotations removed, and which of its lines carried one. */
export interface Annotated {
  readonly stripped: DumpSource;
  /** Indices into `lines` of the lines that ended in an annotation. */
  readonly annotated: readonly number[];
}

/** Where a trailing ` #...` annotation starts in a line of content, or -1. */
function annotationStart(line: string): number {
  const hash = line.search(/\s#/);
  return hash > 0 && line.slice(0, hash).trim() !== "" ? hash : -1;
}

/** Strips trailing `#` annotations; lines stay where they are, so line numbers stay true. */
export function stripAnnotations(source: DumpSource): Annotated {
  const annotated: number[] = [];
  const lines = source.lines.map((line, index) => {
    const at = annotationStart(line);
    if (at < 0) return line;
    annotated.push(index);
    return line.slice(0, at).replace(/\s+$/, "");
  });
  return annotated.length === 0
    ? { stripped: source, annotated }
    : { stripped: { file: source.file, firstLine: source.firstLine, lines }, annotated };
}

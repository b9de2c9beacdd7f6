// The one error every reader throws for bad input: where it happened (byte offset, packet number,
// line for text inputs) and what was read before it, so a caller can still print a summary.
import type { CaptureFormat, ReadSummary } from "./read-summary.js";

export interface CaptureErrorPosition {
  format: CaptureFormat;
  /** Byte offset in the input of the record (or line) that failed. */
  byteOffset: number;
  /** 1-based number of the packet being read when the error happened (the last good one + 1). */
  packetNumber: number;
  /** 1-based line number, for line-oriented inputs (Hubble JSON). */
  line?: number;
  /** Name of the input (a file path), when the caller gave one. */
  source?: string;
}

export class CaptureFormatError extends Error {
  readonly format: CaptureFormat;
  readonly byteOffset: number;
  readonly packetNumber: number;
  readonly line: number | undefined;
  readonly source: string | undefined;
  /** What was read before the error; filled in by the reader that threw. */
  summary: ReadSummary | undefined;
  /** The problem alone, without the position prefix. */
  readonly problem: string;

  constructor(position: CaptureErrorPosition, problem: string) {
    const where =
      position.line !== undefined
        ? `line ${position.line} (byte offset ${position.byteOffset})`
        : `packet ${position.packetNumber} at byte offset ${position.byteOffset}`;
    super(`${position.source ? `${position.source}: ` : ""}${position.format}: ${where}: ${problem}`);
    this.name = "CaptureFormatError";
    this.format = position.format;
    this.byteOffset = position.byteOffset;
    this.packetNumber = position.packetNumber;
    this.line = position.line;
    this.source = position.source;
    this.problem = problem;
    this.summary = undefined;
  }
}

// The one error every reader throws for bad input: where it happened (byte offset, packet number,
// line for text inputs) and what was read before it, so a caller can still print a summary.
import { escapeForTerminal } from "../model/escape.js";
import type { CaptureFormat, ReadSummary } from "./read-summary.js";
import { InvalidInputError } from "../model/errors.js";

/** Where in a capture a reader failed. */
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

/** A corrupt or cut capture: where it failed (byte offset, packet, line) and what was read before. */
export class CaptureFormatError extends InvalidInputError {
  readonly format: CaptureFormat;
  readonly byteOffset: number;
  readonly packetNumber: number;
  readonly line: number | undefined;
  readonly source: string | undefined;
  /** What was read before the error; filled in by the reader that threw. */
  summary: ReadSummary | undefined;
  /** The problem alone, without the position prefix; escaped like the message. */
  readonly problem: string;

  /** `problem` may quote the input (a Hubble field, a JSON parser's excerpt): it is escaped for the terminal. */
  constructor(position: CaptureErrorPosition, rawProblem: string) {
    const problem = escapeForTerminal(rawProblem);
    const source = !position.source ? "" : `${escapeForTerminal(position.source)}: `;
    const where =
      position.line !== undefined
        ? `line ${position.line} (byte offset ${position.byteOffset})`
        : `packet ${position.packetNumber} at byte offset ${position.byteOffset}`;
    super(`${source}${position.format}: ${where}: ${problem}`);
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

// Errors and warnings about input files. Every message names the file and line and says what was
// expected, so a user can fix the dump; the CLI prints them on one line and exits 2. File names and
// messages quote input (member names, dump lines, V8's JSON.parse excerpts): they are escaped here,
// once, so no control character from a dump reaches a terminal.
import { escapeForTerminal } from "../model/escape.js";
import { InvalidInputError, type InputLocation, type SnapshotWarning } from "../model/errors.js";

export type { InputLocation, SnapshotWarning };

/** Bad input: an unparseable line in a recognised dump, an unknown format, a corrupt archive. */
export class InputError extends InvalidInputError {
  override name = "InputError";
  readonly file: string;
  readonly line: number;

  constructor(location: InputLocation, message: string) {
    const file = escapeForTerminal(location.file);
    const text = escapeForTerminal(message);
    super(location.line > 0 ? `${file}:${location.line}: ${text}` : `${file}: ${text}`);
    this.file = file;
    this.line = location.line;
  }
}

/** A warning as it is kept and shown: file and message escaped like an InputError's. */
export function escapedWarning(warning: SnapshotWarning): SnapshotWarning {
  return {
    file: escapeForTerminal(warning.file),
    line: warning.line,
    message: escapeForTerminal(warning.message),
    ...(warning.nodeView === true ? { nodeView: true } : {}),
  };
}

/** How a parser treats a line it cannot parse. */
export interface ParseOptions {
  /** Skip unparseable lines (reporting each through `warn`) instead of throwing InputError. */
  readonly lenient: boolean;
  readonly warn: (warning: SnapshotWarning) => void;
}

/**
 * Reports a line the parser cannot read: throws InputError, or in lenient mode records a warning
 * and lets the parser skip the line.
 */
export function rejectLine(
  options: ParseOptions,
  location: InputLocation,
  expected: string,
  text: string,
): void {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  const message = `expected ${expected}, found ${JSON.stringify(shown)}`;
  if (!options.lenient) throw new InputError(location, message);
  options.warn({ ...location, message: `skipped line: ${message}` });
}

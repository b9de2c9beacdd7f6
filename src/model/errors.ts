// The one base of every error dpemu throws for bad input, so an embedder (and the CLI) can tell "fix
// your input" from a bug with one instanceof check. Each area's own errors extend it.

/**
 * Bad input: a dump line, a capture, a synthetic spec, an option or argument value. The message names
 * the bad value (and where it is, when it comes from a file) and what was expected. The CLI prints it
 * on one line and exits with code 2; anything else thrown is an internal error.
 */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
}

/** Where in the input something was found. */
export interface InputLocation {
  readonly file: string;
  /** 1-based line number; 0 when the problem concerns the whole file. */
  readonly line: number;
}

/** A problem the user can act on, reported by `inspect` and carried in the snapshot. */
export interface SnapshotWarning extends InputLocation {
  readonly message: string;
  /** About which node a one-node view shows; runs over every node (a mesh) leave it out. */
  readonly nodeView?: boolean;
}

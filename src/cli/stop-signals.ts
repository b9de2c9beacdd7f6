// What stops a long command early: Ctrl-C (SIGINT), SIGTERM, or the reader of its stdout going
// away (EPIPE). The first gives the terminal back and aborts the command's AbortSignal, so it can
// finish what it read and print that; a second Ctrl-C or SIGTERM exits at once. Each reason has its
// exit code: 130 and 143 (128 + the signal's number, the shell's convention), 0 for a closed pipe.
import { EXIT_SIGINT, EXIT_SIGTERM } from "./errors.js";
import { onStdoutClosed } from "./output.js";
import { restoreTerminal } from "./progress.js";

export type StopReason = "SIGINT" | "SIGTERM" | "EPIPE";

/** The exit code a command stopped for `reason` ends with. */
export const STOP_EXIT_CODES: Readonly<Record<StopReason, number>> = {
  SIGINT: EXIT_SIGINT,
  SIGTERM: EXIT_SIGTERM,
  EPIPE: 0,
};

export class StopSignals {
  private readonly controller = new AbortController();
  private readonly onSigint = (): void => this.stop("SIGINT");
  private readonly onSigterm = (): void => this.stop("SIGTERM");
  private unwatchStdout: () => void = () => {};

  constructor() {
    process.on("SIGINT", this.onSigint);
    process.on("SIGTERM", this.onSigterm);
  }

  /** Aborted when the command is to stop; its reason is a StopReason. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the command was stopped, or null. */
  get reason(): StopReason | null {
    return this.controller.signal.aborted ? (this.controller.signal.reason as StopReason) : null;
  }

  /** Also stop when stdout's reader goes away (when stdout carries the command's output). */
  watchStdout(): void {
    this.unwatchStdout = onStdoutClosed(() => this.stop("EPIPE"));
  }

  private stop(reason: StopReason): void {
    restoreTerminal();
    if (!this.controller.signal.aborted) {
      this.controller.abort(reason);
      return;
    }
    // Asked twice: stop now.
    if (reason !== "EPIPE") process.exit(STOP_EXIT_CODES[reason]);
  }

  /** Unregisters the handlers: signals get their default meaning back. */
  dispose(): void {
    process.off("SIGINT", this.onSigint);
    process.off("SIGTERM", this.onSigterm);
    this.unwatchStdout();
  }
}

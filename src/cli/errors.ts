// How every dpemu subcommand ends on failure: bad input (InputError) prints one line naming the
// file and line on stderr and exits 2; anything else is an internal error, exit 1. No stack traces.
import { InputError } from "../snapshot/errors.js";

export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 1;

/** One line, whatever the message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The message and exit code for an error thrown by a subcommand. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof InputError) return { message: oneLine(error.message), exitCode: EXIT_BAD_INPUT };
  const detail = error instanceof Error ? error.message : String(error);
  return { message: `dpemu: internal error: ${oneLine(detail)}`, exitCode: EXIT_INTERNAL };
}

/** Wraps a subcommand's action so failures end the process the way the CLI promises. */
export function withErrorHandling<Args extends unknown[]>(
  action: (...args: Args) => Promise<void>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await action(...args);
    } catch (error) {
      const { message, exitCode } = describeFailure(error);
      process.stderr.write(`${message}\n`);
      process.exitCode = exitCode;
    }
  };
}

// How every dpemu subcommand ends on failure: bad input prints one line on stderr and exits 2 (an
// InputError names its file and line; a bad option value is reported as `dpemu <command>: ...`;
// commander's own usage errors, e.g. an unknown option, exit 2 as well). An output that cannot be
// written (full disk, no permission) is `dpemu <command>: cannot write FILE: reason`, exit 3. A
// replay stopped by SIGINT or SIGTERM exits 130 or 143 after its partial summary. Anything else is
// an internal error, exit 1. No stack traces.
import { Command, Option, type CommanderError } from "commander";
import { escapeForTerminal } from "../model/escape.js";
import { InvalidInputError } from "../model/errors.js";
import { InputError, type InputLocation } from "../snapshot/errors.js";

export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 1;
/** An output file or stream could not be written (ENOSPC, EACCES, EIO...). */
export const EXIT_OUTPUT = 3;
/** `trace --exit-status`: the packet was dropped. */
export const EXIT_DROPPED = 1;
/** Shell convention for a process ended by a signal: 128 + the signal number. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** An output that could not be written: `dpemu <command>: cannot write FILE: reason`, exit 3. */
export class OutputError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot write ${file}: ${reason}`);
    this.name = "OutputError";
  }

  /** From a Node system error: "ENOSPC: no space left on device, write" -> "no space left on device". */
  static from(file: string, error: unknown): OutputError {
    const message = error instanceof Error ? error.message : String(error);
    const m = /^[A-Z0-9_]+: (.*?)(?:, \w+(?: '.*')?)?$/.exec(message);
    return new OutputError(file, m?.[1] ?? message);
  }
}

/** Where a command writes and how it ends; tests substitute their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  exit(code: number): never;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Where a problem with the command line itself is reported: `dpemu <command>: <message>`. */
export function commandLine(command: string): InputLocation {
  return { file: `dpemu ${command}`, line: 0 };
}

/**
 * One line a terminal shows as written, whatever the message holds: newlines folded, and any control
 * or bidi character a message still quotes from the input escaped. Backslashes stay as they are, so a
 * message escaped where it was made prints unchanged.
 */
function oneLine(text: string): string {
  const folded = text.replace(/\s*\n\s*/g, " ").trim();
  return folded.split("\\").map(escapeForTerminal).join("\\");
}

/** The message and exit code for an error thrown by subcommand `command` (e.g. "maps dump"). */
export function describeFailure(error: unknown, command: string): { message: string; exitCode: number } {
  if (error instanceof InputError) return { message: oneLine(error.message), exitCode: EXIT_BAD_INPUT };
  if (error instanceof OutputError) {
    return { message: `dpemu ${command}: ${oneLine(error.message)}`, exitCode: EXIT_OUTPUT };
  }
  // A bad value of an option or argument, found by the library code the command calls.
  if (error instanceof InvalidInputError) {
    return describeFailure(new InputError(commandLine(command), error.message), command);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { message: `dpemu: internal error: ${oneLine(detail)}`, exitCode: EXIT_INTERNAL };
}

/** Wraps a subcommand's action so failures end the process the way the CLI promises. */
export function withErrorHandling<Args extends unknown[]>(
  command: string,
  action: (...args: Args) => Promise<void>,
  io: CliIo = processIo,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    let failure: { message: string; exitCode: number } | undefined;
    try {
      await action(...args);
    } catch (error) {
      failure = describeFailure(error, command);
    }
    if (failure !== undefined) {
      io.stderr(`${failure.message}\n`);
      io.exit(failure.exitCode);
    }
  };
}

/** Options made mandatory by requiredOption() below (checked after commander's unknown-option check). */
const mandatory = new WeakSet<Option>();

/**
 * Adds a mandatory option. Unlike commander's own requiredOption, the check runs after the
 * unknown-option check, so a misspelt `--inptu` is reported as unknown, with a suggestion, rather
 * than as a missing `--input`.
 */
export function requiredOption(command: Command, flags: string, description: string): Command {
  const option = new Option(flags, description);
  mandatory.add(option);
  return command.addOption(option);
}

/** What a command does when a mandatory option is missing: commander's own message and code. */
function checkMandatory(command: Command): void {
  for (const option of command.options) {
    if (mandatory.has(option) && command.getOptionValue(option.attributeName()) === undefined) {
      command.error(`error: required option '${option.flags}' not specified`, {
        code: "commander.missingMandatoryOptionValue",
      });
    }
  }
}

/**
 * A command that writes through `io` and treats commander's usage errors (unknown option, missing
 * argument or subcommand) as bad input, exit 2; `--help` and `--version` still exit 0. Subcommands
 * added with `.command()` inherit both settings. A misspelt option gets a suggestion ("Did you mean
 * --input?").
 */
export function cliCommand(name: string, io: CliIo = processIo): Command {
  return new Command(name)
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showSuggestionAfterError(true)
    .hook("preAction", (_command, action) => checkMandatory(action))
    .exitOverride((error: CommanderError) => io.exit(error.exitCode === 0 ? 0 : EXIT_BAD_INPUT));
}

/**
 * A deprecated spelling of an option: still accepted, with a one-line warning on stderr naming the
 * one to use.
 */
export function warnDeprecated(io: CliIo, command: string, old: string, replacement: string): void {
  io.stderr(`dpemu ${command}: warning: ${old} is deprecated; use ${replacement}\n`);
}

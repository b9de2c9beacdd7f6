// Where the CLI's outputs go: stdout ("-") or files named by options. One output per destination
// (two options naming the same file or both stdout would interleave: refused, exit 2); a write that
// fails (full disk, no permission) is an OutputError (exit 3); a reader that closes stdout early
// (`| head -1`) ends the command quietly; a document such as the replay summary is written to a
// temporary file and renamed, so its path never holds a partial or empty file.
import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "../snapshot/errors.js";
import { EXIT_OUTPUT, OutputError, commandLine } from "./errors.js";

/** An output named on the command line: the option that named it and its path ("-" = stdout). */
export interface NamedOutput {
  readonly option: string;
  readonly path: string;
}

/** Refuses two options that would write to the same place (both stdout, or the same file). */
export function checkDistinctOutputs(command: string, outputs: readonly (NamedOutput | undefined)[]): void {
  const seen = new Map<string, string>();
  for (const output of outputs) {
    if (output === undefined) continue;
    const key = output.path === "-" ? "-" : resolve(output.path);
    const other = seen.get(key);
    if (other !== undefined) {
      const where = output.path === "-" ? "stdout (-)" : `the same file ${JSON.stringify(output.path)}`;
      throw new InputError(
        commandLine(command),
        `${other} and ${output.option} both write to ${where}: give each its own destination`,
      );
    }
    seen.set(key, output.option);
  }
}

/** One of `allowed`, case-insensitive, else a command-line error naming them. */
export function outputFormat<T extends string>(
  command: string,
  option: string,
  value: string,
  allowed: readonly T[],
): T {
  const format = value.toLowerCase() as T;
  if (!allowed.includes(format)) {
    throw new InputError(
      commandLine(command),
      `${option} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return format;
}

// ---- stdout -------------------------------------------------------------------------------------

let stdoutClosed = false;
const closeListeners = new Set<() => void>();
let watching = false;

/**
 * Watches stdout for the reader going away (EPIPE: `dpemu ... | head -1`) and for write failures
 * (`> /dev/full`). A closed pipe calls the listeners registered with onStdoutClosed (a replay stops
 * and ends normally), or with none, exits 0 at once; any other failure is one line, exit 3.
 */
export function watchStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") {
      if (stdoutClosed) return;
      stdoutClosed = true;
      if (closeListeners.size === 0) process.exit(0);
      for (const listener of closeListeners) listener();
      return;
    }
    process.stderr.write(`dpemu: ${OutputError.from("stdout", error).message}\n`);
    process.exit(EXIT_OUTPUT);
  });
}

/** Calls `listener` if stdout's reader goes away; returns the function that unregisters it. */
export function onStdoutClosed(listener: () => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

/** Whether stdout's reader has gone away. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

// ---- streams ------------------------------------------------------------------------------------

/** A destination written in pieces (a verdict stream). */
export interface OutputStream {
  /** "-" for stdout, else the file path. */
  readonly path: string;
  write(text: string): Promise<void>;
  /** Writes bytes; resolves once they are written and the buffer may be filled again. */
  writeBytes(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

class StdoutStream implements OutputStream {
  readonly path = "-";

  async write(text: string): Promise<void> {
    if (text.length === 0 || stdoutClosed) return;
    if (process.stdout.write(text)) return;
    // Wait for the pipe to drain, or for its reader to go away (then no 'drain' ever comes).
    await new Promise<void>((done) => {
      const stop = onStdoutClosed(finish);
      function finish(): void {
        stop();
        process.stdout.off("drain", finish);
        done();
      }
      process.stdout.once("drain", finish);
    });
  }

  async writeBytes(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0 || stdoutClosed) return;
    // The stream keeps the buffer until it is flushed: wait for that (or for the reader to go away).
    await new Promise<void>((done) => {
      const stop = onStdoutClosed(finish);
      function finish(): void {
        stop();
        done();
      }
      process.stdout.write(bytes, finish);
    });
  }

  async close(): Promise<void> {}
}

class FileStream implements OutputStream {
  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  async write(text: string): Promise<void> {
    if (text.length === 0) return;
    try {
      await this.handle.write(text);
    } catch (error) {
      throw OutputError.from(this.path, error);
    }
  }

  async writeBytes(bytes: Uint8Array): Promise<void> {
    try {
      for (let at = 0; at < bytes.length;) {
        const { bytesWritten } = await this.handle.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
    } catch (error) {
      throw OutputError.from(this.path, error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.handle.close();
    } catch (error) {
      throw OutputError.from(this.path, error);
    }
  }
}

/** Opens stdout ("-") or creates a file for writing in pieces; a file that cannot be created is an OutputError. */
export async function openOutputStream(path: string): Promise<OutputStream> {
  if (path === "-") return new StdoutStream();
  try {
    return new FileStream(path, await open(path, "w"));
  } catch (error) {
    throw OutputError.from(path, error);
  }
}

// ---- whole documents ----------------------------------------------------------------------------

/**
 * A document written in one piece when it is ready (a report, a summary). Files are created early
 * (so a path that cannot be written fails the command before its work) as a hidden temporary file
 * beside the target, and renamed over it on commit: the path holds the old content or the complete
 * new one, never a partial or empty file. A path that exists and is not a regular file (a FIFO, a
 * device) is written in place.
 */
export class OutputDocument {
  private constructor(
    readonly path: string,
    private readonly temporary: string | null,
    private handle: FileHandle | null,
  ) {}

  static async create(path: string): Promise<OutputDocument> {
    if (path === "-") return new OutputDocument(path, null, null);
    let inPlace = false;
    try {
      inPlace = !(await stat(path)).isFile();
    } catch {
      // Nothing there yet: a temporary file and a rename.
    }
    const temporary = inPlace
      ? null
      : join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      return new OutputDocument(path, temporary, await open(temporary ?? path, "w"));
    } catch (error) {
      throw OutputError.from(path, error);
    }
  }

  /** Writes the whole document and puts it in place. */
  async commit(text: string): Promise<void> {
    if (this.handle === null) {
      await new StdoutStream().write(text);
      return;
    }
    const handle = this.handle;
    this.handle = null;
    try {
      await handle.write(text);
      await handle.close();
      if (this.temporary !== null) await rename(this.temporary, this.path);
    } catch (error) {
      await handle.close().catch(() => {});
      await this.removeTemporary();
      throw OutputError.from(this.path, error);
    }
  }

  /** Gives up on the document: its temporary file goes, the target is left as it was. */
  async discard(): Promise<void> {
    if (this.handle === null) return;
    const handle = this.handle;
    this.handle = null;
    await handle.close().catch(() => {});
    await this.removeTemporary();
  }

  private async removeTemporary(): Promise<void> {
    if (this.temporary !== null) await unlink(this.temporary).catch(() => {});
  }
}

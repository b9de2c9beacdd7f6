// What the CLI's main thread and its verdict formatter thread (verdict-format-worker.ts) say to each
// other. Packets travel in a shared ring (batch-ring.ts); commands keep their place in it as Command
// entries whose content follows on `commands`; finished chunks of lines come back as transferred
// buffers, and written ones go back to the formatter on `spares` to be filled again.
import type { MessagePort } from "node:worker_threads";
import type { RingMemory } from "../replay/batch-ring.js";
import type { DirectoryTable } from "../replay/verdicts/directory-table.js";
import type { VerdictLineFormat } from "./replay-verdict-lines.js";

/** The formatter's workerData. */
export interface FormatterInit {
  ring: RingMemory;
  commands: MessagePort;
  spares: MessagePort;
  format: VerdictLineFormat;
  /** Int32 words: POSTED and RUNNING. */
  progress: SharedArrayBuffer;
}

/** Progress word: chunks the formatter has posted (the main thread counts those it received). */
export const POSTED = 0;
/** Progress word: 1 once the formatter runs (set and notified before it waits for its first entry). */
export const RUNNING = 1;

/** The content of a Command entry. */
export type FormatterCommand =
  /** The names for the packets after this point (at the start and after each churn event). */
  | { type: "directory"; table: DirectoryTable }
  /** Hand over the lines formatted so far (a followed stream). */
  | { type: "flush" }
  /** Hand over the rest, then "done". */
  | { type: "finish" };

/** Messages from the formatter, in order. */
export type FromFormatter =
  { type: "chunk"; bytes: Uint8Array } | { type: "done" } | { type: "error"; message: string };

// The verdict formatter thread of `dpemu replay --verdicts` (replay-verdict-thread.ts): it formats
// the packets of each ring entry into chunks of lines with the stream's writers and posts each full
// chunk (transferred, not copied) to the main thread, which writes them in order. It needs no
// datapath: the names a JSON line takes come as a table in the stream (directory-table.ts).
//
// No deadlock: the formatter never waits for the main thread except for the next ring entry. A
// chunk buffer comes from those the main thread has sent back (`spares`) when there is one, else it
// is allocated, so finishing an entry (which frees the main thread's next ring slot) never depends
// on the main thread's event loop. Memory stays bounded all the same: the main thread counts the
// chunks posted and not yet written and waits for them at its next pause (HIGH_WATER), so the
// chunks in flight are those of the ring's RING_SLOTS entries and one input chunk's lines beyond it.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { BatchRing, EntryKind } from "../replay/batch-ring.js";
import { receiveCommand, waitForEntry } from "../replay/ring-command.js";
import { TableDirectory } from "../replay/verdicts/directory-table.js";
import type { ServiceDirectory } from "../replay/verdicts/json-line.js";
import { VerdictLines } from "./replay-verdict-lines.js";
import {
  POSTED,
  RUNNING,
  type FormatterCommand,
  type FormatterInit,
  type FromFormatter,
} from "./verdict-format-protocol.js";

const port = parentPort!;
const init = workerData as FormatterInit;
const ring = new BatchRing(init.ring);
const progress = new Int32Array(init.progress);
const lines = new VerdictLines(init.format);
let directory: ServiceDirectory = new TableDirectory({ frontends: [], backends: [] });

/** Takes back the chunk buffers the main thread has written. */
function takeSpares(): void {
  for (let m = receiveMessageOnPort(init.spares); m !== undefined; m = receiveMessageOnPort(init.spares)) {
    lines.chunks.recycle(new Uint8Array(m.message as ArrayBuffer));
  }
}

/** Posts every full chunk, in order. */
function postReady(): void {
  for (let chunk = lines.chunks.next(); chunk !== undefined; chunk = lines.chunks.next()) {
    Atomics.add(progress, POSTED, 1);
    port.postMessage({ type: "chunk", bytes: chunk } satisfies FromFormatter, [chunk.buffer as ArrayBuffer]);
  }
}

/** Runs one entry; false after the finish command. */
function runEntry(position: number): boolean {
  if (ring.kindOf(position) === EntryKind.Batch) {
    const batch = ring.slotOf(position);
    batch.count = ring.countOf(position);
    takeSpares();
    lines.writeAll(batch, 0, batch.count, directory);
    return true;
  }
  const command = receiveCommand<FormatterCommand>(ring, init.commands);
  if (command.type === "directory") {
    directory = new TableDirectory(command.table);
    lines.forgetDirectory();
    return true;
  }
  lines.chunks.cut();
  return command.type === "flush";
}

function main(): void {
  Atomics.store(progress, RUNNING, 1);
  Atomics.notify(progress, RUNNING);
  for (let position = 0; ; position++) {
    waitForEntry(ring, position);
    const more = runEntry(position);
    ring.finished(position + 1);
    postReady();
    if (!more) break;
  }
  port.postMessage({ type: "done" } satisfies FromFormatter);
  init.commands.close();
  init.spares.close();
  port.close();
}

try {
  main();
} catch (error) {
  // Wakes a main thread waiting for a ring slot (it then finds the message below).
  ring.fail();
  port.postMessage({
    type: "error",
    message: error instanceof Error ? error.message : String(error),
  } satisfies FromFormatter);
}

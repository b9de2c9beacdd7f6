// A replay worker: owns one emulated node (a Datapath over its own Wasm instance) and runs the
// entries of its shared ring in order (batch-ring.ts): each batch through the datapath, leaving the
// verdict records in the slot; each command (GC, churn, finish) as it comes. Between entries it
// sleeps in Atomics.wait, so an idle worker costs no CPU and a busy one never yields to an event
// loop between batches.
import { parentPort, workerData } from "node:worker_threads";
import { BatchRing, EntryKind } from "./batch-ring.js";
import { ChurnError, ReplayCore } from "./replay-core.js";
import { receiveCommand, waitForEntry } from "./ring-command.js";
import { loadWasm } from "../wasm/module.js";
import type { FromWorker, RingCommand, WorkerInit } from "./worker-protocol.js";

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (message: FromWorker): void => port.postMessage(message);
const ring = new BatchRing(init.ring);

/** Runs one entry; false after the finish command. */
async function runEntry(core: ReplayCore, position: number): Promise<boolean> {
  if (ring.kindOf(position) === EntryKind.Batch) {
    const batch = ring.slotOf(position);
    batch.count = ring.countOf(position);
    core.process(batch);
    return true;
  }
  const command = receiveCommand<RingCommand>(ring, init.commands);
  switch (command.type) {
    case "gc":
      core.gc(command.now);
      return true;
    case "churn":
      await core.churn(command.command);
      return true;
    case "finish":
      post({ type: "result", result: core.finish() });
      return false;
  }
}

async function main(): Promise<void> {
  const wasm = init.wasm !== undefined ? await loadWasm(init.wasm) : undefined;
  const core = await ReplayCore.create(init.state, init.engine, wasm);
  post({ type: "ready" });
  for (let position = 0; ; position++) {
    waitForEntry(ring, position);
    const more = await runEntry(core, position);
    ring.finished(position + 1);
    if (!more) break;
  }
  core.dispose();
  init.commands.close();
  port.close();
}

main().catch((error: unknown) => {
  // Wakes a main thread waiting for this ring (it then finds the message below).
  ring.fail();
  post({
    type: "error",
    message: error instanceof Error ? error.message : String(error),
    churn: error instanceof ChurnError,
  });
});

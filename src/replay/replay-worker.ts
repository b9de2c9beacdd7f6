// A replay worker: owns one emulated node (a Datapath over its own Wasm instance) and processes the
// batches the main thread shards to it, in order, returning each batch with its verdict records.
import { parentPort, workerData } from "node:worker_threads";
import { PacketBatch } from "./packet-batch.js";
import { ChurnError, ReplayCore } from "./replay-core.js";
import { loadWasm } from "../wasm/module.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

async function main(): Promise<void> {
  const wasm = init.wasm !== undefined ? await loadWasm(init.wasm) : undefined;
  const core = await ReplayCore.create(init.state, init.engine, wasm);
  let chain = Promise.resolve();

  async function handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case "batch": {
        const batch = new PacketBatch(message.capacity, message.buffer);
        batch.count = message.count;
        core.process(batch);
        post({ type: "batch", buffer: message.buffer, capacity: message.capacity, count: message.count }, [
          message.buffer,
        ]);
        return;
      }
      case "gc":
        core.gc(message.now);
        return;
      case "churn":
        await core.churn(message.command);
        return;
      case "finish":
        post({ type: "result", result: core.finish() });
        core.dispose();
        port.close();
    }
  }

  // Messages are handled strictly in order, even across an asynchronous churn.
  port.on("message", (message: ToWorker) => {
    chain = chain.then(() => handle(message)).catch(fail);
  });
  post({ type: "ready" });
}

function fail(error: unknown): void {
  post({
    type: "error",
    message: error instanceof Error ? error.message : String(error),
    churn: error instanceof ChurnError,
  });
}

main().catch(fail);

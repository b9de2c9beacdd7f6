// Messages between the replay's main thread and its workers. Packet batches do not travel as
// messages: they sit in the worker's shared ring (batch-ring.ts). A ring entry of kind Command is
// followed by a RingCommand on the worker's command port; the worker's results and failures come
// back as messages on its parent port.
import type { MessagePort } from "node:worker_threads";
import type { DatapathState } from "../engine/state.js";
import type { WasmSource } from "../wasm/module.js";
import type { RingMemory } from "./batch-ring.js";
import type { ChurnCommand, CoreResult, ReplayEngineOptions } from "./replay-core.js";

export interface WorkerInit {
  state: DatapathState;
  engine: ReplayEngineOptions;
  /** The main thread's compiled module (Wasm engine): workers share its optimised code. */
  wasm?: WasmSource;
  ring: RingMemory;
  /** Where the content of each Command entry of the ring arrives, in ring order. */
  commands: MessagePort;
}

/** The content of a Command entry of the ring. */
export type RingCommand =
  { type: "gc"; now: number } | { type: "churn"; command: ChurnCommand } | { type: "finish" };

export type FromWorker =
  | { type: "ready" }
  | { type: "result"; result: CoreResult }
  | { type: "error"; message: string; churn: boolean };

// Messages between the replay's main thread and its workers. Packet batches travel as transferable
// ArrayBuffers (see PacketBatch) and come back the same way, with their verdict records filled in.
import type { DatapathState } from "../engine/state.js";
import type { WasmSource } from "../wasm/module.js";
import type { ChurnCommand, CoreResult, ReplayEngineOptions } from "./replay-core.js";

export interface WorkerInit {
  state: DatapathState;
  engine: ReplayEngineOptions;
  /** The main thread's compiled module (Wasm engine): workers share its optimised code. */
  wasm?: WasmSource;
}

export type ToWorker =
  | { type: "batch"; buffer: ArrayBuffer; capacity: number; count: number }
  | { type: "gc"; now: number }
  | { type: "churn"; command: ChurnCommand }
  | { type: "finish" };

export type FromWorker =
  | { type: "ready" }
  | { type: "batch"; buffer: ArrayBuffer; capacity: number; count: number }
  | { type: "result"; result: CoreResult }
  | { type: "error"; message: string; churn: boolean };

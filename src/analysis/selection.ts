// The selection abstraction every experiment runs on: given a backend set, an algorithm and flows,
// which backend does each flow reach? A "node" is one datapath instance: for Maglev it builds its
// own table (identical on every node by construction); for random it has its own PRNG stream, the
// way each node's kernel prandom is its own.
import type { Algorithm, CompareBackend, CompareService, FlowSet } from "./model.js";

/** One node's backend selection for one service and algorithm. */
export interface NodeSelector {
  readonly algorithm: Algorithm;
  /**
   * The backend ID this node picks for each flow as a NEW connection (no CT entry), with `backends`
   * as the service's active backends in slot order. Random draws advance this node's stream.
   */
  select(service: CompareService, backends: readonly CompareBackend[], flows: FlowSet): Uint32Array;
}

/** Builds Maglev tables and selects backends for whole flow sets, on Wasm or on the reference twins. */
export interface SelectionEngine {
  readonly tableSize: number;
  /**
   * A node's selector. Different `node` numbers are different machines: independent random
   * streams, independently built Maglev tables.
   */
  node(algorithm: Algorithm, node: number): NodeSelector;
  /** The Maglev table this engine's nodes use for `backends` at table size `tableSize`. */
  maglevTable(backends: readonly CompareBackend[], tableSize: number): Uint32Array;
  /** Milliseconds for one Maglev table build in Wasm (median of a few runs). */
  timeMaglevBuild(backends: readonly CompareBackend[], tableSize: number): number;
  /** Nanoseconds per flow for a batch selection in Wasm (table built, flows in Wasm memory). */
  timeSelection(
    algorithm: Algorithm,
    service: CompareService,
    backends: readonly CompareBackend[],
    flows: FlowSet,
  ): number;
}

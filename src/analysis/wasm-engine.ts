// The selection engine on the Wasm hot path: Maglev tables built and looked up in WebAssembly,
// random slots drawn from per-node xoshiro128** states in Wasm memory. Flows cross the boundary
// once per batch, as flow records laid out by the module's exported constants.
import { toEntries } from "../lb/backend.js";
import { resolveSeed } from "../lb/maglev.js";
import { encodeBackends, MaglevWasm, type BatchArea, type MaglevTableHandle } from "../wasm/maglev.js";
import type { ClusterSeed } from "../model/cluster-seed.js";
import type { PortPacking } from "../model/flow.js";
import type { WasmSource } from "../wasm/module.js";
import type { Algorithm, CompareBackend, CompareService, FlowSet } from "./model.js";
import type { NodeSelector, SelectionEngine } from "./selection.js";
import { medianTime, nodeStreamSeed, type SelectionEngineOptions } from "./engine-options.js";

/** The selection engine on the Wasm module (Maglev tables and tuple hashes in Wasm memory). */
export class WasmSelectionEngine implements SelectionEngine {
  readonly tableSize: number;
  private readonly clusterSeed: ClusterSeed;
  private readonly packing: PortPacking;
  private readonly seed: number;
  private readonly prngs = new Map<number, number>();

  private constructor(
    private readonly maglev: MaglevWasm,
    options: SelectionEngineOptions,
  ) {
    this.tableSize = options.tableSize;
    this.clusterSeed = resolveSeed(options.clusterSeed);
    this.packing = options.portPacking;
    this.seed = options.seed;
  }

  /** Loads its own Wasm instance (independent memory), compiled once per process. */
  static async create(options: SelectionEngineOptions, source?: WasmSource): Promise<WasmSelectionEngine> {
    return new WasmSelectionEngine(await MaglevWasm.load(source), options);
  }

  node(algorithm: Algorithm, node: number): NodeSelector {
    if (algorithm === "maglev") {
      return {
        algorithm,
        // Every node builds its own table from the backends as it lists them.
        select: (service, backends, flows) =>
          this.withTable(backends, this.tableSize, (table) => this.selectMaglev(table, service, flows)),
      };
    }
    return {
      algorithm,
      select: (_service, backends, flows) => this.selectRandom(this.prng(node), backends, flows.count),
    };
  }

  maglevTable(backends: readonly CompareBackend[], tableSize: number): Uint32Array {
    return this.withTable(backends, tableSize, (table) => this.maglev.readTable(table));
  }

  timeMaglevBuild(backends: readonly CompareBackend[], tableSize: number): number {
    const encoded = encodeBackends(toEntries(backends));
    const table = this.maglev.allocTable(tableSize);
    try {
      return medianTime(() => this.maglev.build(encoded, this.clusterSeed.murmur, table));
    } finally {
      this.maglev.freeTable(table);
    }
  }

  timeSelection(
    algorithm: Algorithm,
    service: CompareService,
    backends: readonly CompareBackend[],
    flows: FlowSet,
  ): number {
    if (flows.count === 0) return 0;
    const maglev = this.maglev;
    if (algorithm === "maglev") {
      return this.withTable(backends, this.tableSize, (table) => {
        const batch = this.writeFlows(service, flows);
        const ms = medianTime(() =>
          maglev.runMaglevBatch(table, batch, flows.count, this.clusterSeed.jhashV4, this.packing),
        );
        return (ms * 1e6) / flows.count;
      });
    }
    const state = maglev.createPrng(this.seed);
    try {
      const batch = maglev.randomBatch(
        backends.map((b) => b.id),
        flows.count,
      );
      const ms = medianTime(() => maglev.runRandomBatch(state, batch, backends.length, flows.count));
      return (ms * 1e6) / flows.count;
    } finally {
      this.maglev.freePrng(state);
    }
  }

  /** Releases the per-node PRNG states. */
  dispose(): void {
    for (const state of this.prngs.values()) this.maglev.freePrng(state);
    this.prngs.clear();
  }

  private prng(node: number): number {
    let state = this.prngs.get(node);
    if (state === undefined) {
      state = this.maglev.createPrng(nodeStreamSeed(this.seed, node));
      this.prngs.set(node, state);
    }
    return state;
  }

  private withTable<T>(
    backends: readonly CompareBackend[],
    tableSize: number,
    use: (table: MaglevTableHandle) => T,
  ): T {
    const table = this.maglev.allocTable(tableSize);
    try {
      this.maglev.build(encodeBackends(toEntries(backends)), this.clusterSeed.murmur, table);
      return use(table);
    } finally {
      this.maglev.freeTable(table);
    }
  }

  /** Writes the flows (columns of a FlowSet) as the module's flow records of a batch. */
  private writeFlows(service: CompareService, flows: FlowSet): BatchArea {
    return this.maglev.flowColumns(
      flows.count,
      flows.clientAddress,
      flows.clientPort,
      service.port,
      service.protocol,
    );
  }

  private selectMaglev(table: MaglevTableHandle, service: CompareService, flows: FlowSet): Uint32Array {
    const batch = this.writeFlows(service, flows);
    this.maglev.runMaglevBatch(table, batch, flows.count, this.clusterSeed.jhashV4, this.packing);
    return this.maglev.results(batch, flows.count);
  }

  private selectRandom(state: number, backends: readonly CompareBackend[], n: number): Uint32Array {
    return this.maglev.selectRandom(
      state,
      backends.map((b) => b.id),
      n,
    );
  }
}

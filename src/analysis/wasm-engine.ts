// The selection engine on the Wasm hot path: Maglev tables built and looked up in WebAssembly,
// random slots drawn from per-node xoshiro128** states in Wasm memory. Flows cross the boundary
// once per batch, as flow records laid out by the module's exported constants.
import { toEntries } from "../lb/backend.js";
import { resolveSeed } from "../lb/maglev.js";
import { encodeBackends, MaglevWasm, type MaglevTableHandle } from "../lb/maglev-wasm.js";
import type { ClusterSeed } from "../lb/seed.js";
import type { PortPacking } from "../reference/flow-hash.js";
import type { WasmSource } from "../wasm/module.js";
import type { Algorithm, CompareBackend, CompareService, FlowSet } from "./model.js";
import type { NodeSelector, SelectionEngine } from "./selection.js";
import { medianTime, nodeStreamSeed, type SelectionEngineOptions } from "./engine-options.js";

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
    const encoded = encodeBackends(this.maglev.wasm, toEntries(backends));
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
    const exports = this.maglev.wasm.exports;
    if (algorithm === "maglev") {
      return this.withTable(backends, this.tableSize, (table) => {
        const { records, out } = this.writeFlows(service, flows);
        const packing = this.packingCode();
        const seed = this.clusterSeed.jhashV4 >>> 0;
        const ms = medianTime(() =>
          exports.maglevSelectBatch(table.address, table.size, records, flows.count, seed, packing, 0, out),
        );
        return (ms * 1e6) / flows.count;
      });
    }
    const state = this.maglev.createPrng(this.seed);
    try {
      const ids = this.maglev.wasm.scratch((backends.length + flows.count) * 4);
      const out = ids + backends.length * 4;
      new Uint32Array(this.maglev.wasm.bytes.buffer, ids, backends.length).set(backends.map((b) => b.id));
      const ms = medianTime(() => exports.randomSelectBatch(state, ids, backends.length, flows.count, out));
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
      this.maglev.build(
        encodeBackends(this.maglev.wasm, toEntries(backends)),
        this.clusterSeed.murmur,
        table,
      );
      return use(table);
    } finally {
      this.maglev.freeTable(table);
    }
  }

  private packingCode(): number {
    return this.maglev.wasm.constant(
      this.packing === "service-port-high" ? "FLOW_HASH_SERVICE_PORT_HIGH" : "FLOW_HASH_CLIENT_PORT_HIGH",
    );
  }

  /** Writes the flows as the module's flow records into the scratch area, with room for the output. */
  private writeFlows(service: CompareService, flows: FlowSet): { records: number; out: number } {
    const wasm = this.maglev.wasm;
    const size = wasm.constant("FLOW_RECORD_SIZE");
    const records = wasm.scratch(flows.count * (size + 4));
    const out = records + flows.count * size;
    const view = wasm.view;
    const address = wasm.constant("FLOW_RECORD_CLIENT_ADDRESS");
    const clientPort = wasm.constant("FLOW_RECORD_CLIENT_PORT");
    const servicePort = wasm.constant("FLOW_RECORD_SERVICE_PORT");
    const protocol = wasm.constant("FLOW_RECORD_PROTOCOL");
    for (let f = 0; f < flows.count; f++) {
      const rec = records + f * size;
      view.setUint32(rec + address, flows.clientAddress[f]!, true);
      view.setUint16(rec + clientPort, flows.clientPort[f]!, true);
      view.setUint16(rec + servicePort, service.port, true);
      view.setUint8(rec + protocol, service.protocol);
    }
    return { records, out };
  }

  private selectMaglev(table: MaglevTableHandle, service: CompareService, flows: FlowSet): Uint32Array {
    const { records, out } = this.writeFlows(service, flows);
    this.maglev.wasm.exports.maglevSelectBatch(
      table.address,
      table.size,
      records,
      flows.count,
      this.clusterSeed.jhashV4 >>> 0,
      this.packingCode(),
      0,
      out,
    );
    return new Uint32Array(this.maglev.wasm.bytes.buffer, out, flows.count).slice();
  }

  private selectRandom(state: number, backends: readonly CompareBackend[], n: number): Uint32Array {
    return this.maglev.selectRandom(
      state,
      backends.map((b) => b.id),
      n,
    );
  }
}

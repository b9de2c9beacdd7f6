// Host side of the Wasm Maglev build and selection (assembly/lb): encodes backends into the
// module's input records, keeps tables and PRNG states in Wasm memory behind handles, and runs
// batches of flow records.
import type { WasmInstance } from "./module.js";
import { loadWasm, type WasmSource } from "./module.js";
import { MAGLEV_TABLE_SIZES, type MaglevEntry } from "../model/maglev-table.js";
import type { FlowV4, PortPacking } from "../model/flow.js";
import { InvalidInputError } from "../model/errors.js";
import { FLOW_RECORD_SIZE, MAGLEV_BACKEND_SIZE, encodeFlowRecord, encodeMaglevBackend } from "./codec.js";
import { WASM_CONSTANTS as K } from "./layout.generated.js";

/** A Maglev table living in Wasm memory. `address` is what AssemblyScript code looks up in. */
export interface MaglevTableHandle {
  readonly address: number;
  readonly size: number;
}

/** Backends encoded once for repeated builds (input records + hash-string bytes). */
export interface EncodedBackends {
  readonly count: number;
  readonly records: Uint8Array;
  readonly names: Uint8Array;
}

const utf8 = new TextEncoder();

/** Encodes validated entries into the module's Maglev backend records (MAGLEV_BACKEND_*). */
export function encodeBackends(entries: readonly MaglevEntry[]): EncodedBackends {
  const encodedNames = entries.map((e) => utf8.encode(e.hashString));
  const names = new Uint8Array(encodedNames.reduce((sum, n) => sum + n.length, 0));
  const records = new Uint8Array(entries.length * MAGLEV_BACKEND_SIZE);
  const view = new DataView(records.buffer);
  let offset = 0;
  entries.forEach((entry, i) => {
    const name = encodedNames[i]!;
    encodeMaglevBackend(view, i * MAGLEV_BACKEND_SIZE, entry.id, entry.weight, offset, name.length);
    names.set(name, offset);
    offset += name.length;
  });
  return { count: entries.length, records, names };
}

/** The module's code (FLOW_HASH_*) for a port packing of the tuple hash. */
export function packingCode(packing: PortPacking): number {
  return packing === "service-port-high" ? K.FLOW_HASH_SERVICE_PORT_HIGH : K.FLOW_HASH_CLIENT_PORT_HIGH;
}

/** Where a batch lives in the scratch area: its input records, then one u32 result per flow. */
export interface BatchArea {
  readonly input: number;
  readonly out: number;
}

/** Maglev build and backend selection on one Wasm instance. */
export class MaglevWasm {
  constructor(readonly wasm: WasmInstance) {}

  static async load(source?: WasmSource): Promise<MaglevWasm> {
    return new MaglevWasm(await loadWasm(source));
  }

  /** Allocates an empty table of `size` slots in Wasm memory. */
  allocTable(size: number): MaglevTableHandle {
    if (!MAGLEV_TABLE_SIZES.includes(size)) {
      throw new InvalidInputError(
        `Maglev table size ${size} is not supported (expected one of ${MAGLEV_TABLE_SIZES.join(", ")})`,
      );
    }
    return { address: this.wasm.exports.maglevTableAlloc(size) >>> 0, size };
  }

  freeTable(table: MaglevTableHandle): void {
    this.wasm.exports.maglevTableFree(table.address);
  }

  /** Builds into `table` from backends encoded with encodeBackends. */
  build(backends: EncodedBackends, seedMurmur: number, table: MaglevTableHandle): void {
    const { wasm } = this;
    const namesAt = backends.records.length;
    const input = wasm.scratch(namesAt + backends.names.length);
    wasm.memoryU8.set(backends.records, input);
    wasm.memoryU8.set(backends.names, input + namesAt);
    const status = wasm.exports.maglevBuild(
      input,
      backends.count,
      input + namesAt,
      table.size,
      seedMurmur >>> 0,
      table.address,
    );
    if (status !== K.MAGLEV_OK) throw new Error(this.describeStatus(status));
  }

  /** Copies a table out of Wasm memory. */
  readTable(table: MaglevTableHandle): Uint32Array {
    return new Uint32Array(this.wasm.memoryU8.buffer, table.address, table.size).slice();
  }

  /** Copies a table (e.g. from a `bpf lb maglev list` dump) into Wasm memory. */
  writeTable(entries: Uint32Array): MaglevTableHandle {
    const table = this.allocTable(entries.length);
    new Uint32Array(this.wasm.memoryU8.buffer, table.address, table.size).set(entries);
    return table;
  }

  /** Scratch room for `count` flow records and their results. */
  flowBatch(count: number): BatchArea {
    const input = this.wasm.scratch(count * (FLOW_RECORD_SIZE + 4));
    return { input, out: input + count * FLOW_RECORD_SIZE };
  }

  /**
   * Scratch room holding `count` flow records, one per client (columns: address, port) to one
   * service port and protocol.
   */
  flowColumns(
    count: number,
    clientAddress: ArrayLike<number>,
    clientPort: ArrayLike<number>,
    servicePort: number,
    protocol: number,
  ): BatchArea {
    const batch = this.flowBatch(count);
    const view = this.wasm.memoryDataView;
    for (let f = 0; f < count; f++) {
      encodeFlowRecord(
        view,
        batch.input + f * FLOW_RECORD_SIZE,
        clientAddress[f]!,
        clientPort[f]!,
        servicePort,
        protocol,
      );
    }
    return batch;
  }

  /** Maglev picks for the `count` flow records of `batch`, into its results. */
  runMaglevBatch(
    table: MaglevTableHandle,
    batch: BatchArea,
    count: number,
    seedJhash: number,
    packing: PortPacking,
    affinity = false,
  ): void {
    this.wasm.exports.maglevSelectBatch(
      table.address,
      table.size,
      batch.input,
      count,
      seedJhash >>> 0,
      packingCode(packing),
      affinity,
      batch.out,
    );
  }

  /** A copy of the `count` results of a batch. */
  results(batch: BatchArea, count: number): Uint32Array {
    return new Uint32Array(this.wasm.memoryU8.buffer, batch.out, count).slice();
  }

  /** Maglev picks for a batch of flows: one backend ID per flow. */
  selectMaglev(
    table: MaglevTableHandle,
    flows: readonly FlowV4[],
    seedJhash: number,
    packing: PortPacking,
    affinity = false,
  ): Uint32Array {
    const batch = this.flowBatch(flows.length);
    const view = this.wasm.memoryDataView;
    flows.forEach((flow, k) => {
      const at = batch.input + k * FLOW_RECORD_SIZE;
      encodeFlowRecord(view, at, flow.clientAddress, flow.clientPort, flow.servicePort, flow.protocol);
    });
    this.runMaglevBatch(table, batch, flows.length, seedJhash, packing, affinity);
    return this.results(batch, flows.length);
  }

  /** A seeded xoshiro128** state in Wasm memory (the twin of reference Xoshiro128). */
  createPrng(seed: number): number {
    return this.wasm.exports.prngCreate(seed >>> 0) >>> 0;
  }

  freePrng(state: number): void {
    this.wasm.exports.prngFree(state);
  }

  /** Scratch room holding `backendIds` (in slot order) and `n` results. */
  randomBatch(backendIds: readonly number[], n: number): BatchArea {
    if (backendIds.length === 0) throw new InvalidInputError("random selection needs at least one backend");
    const input = this.wasm.scratch((backendIds.length + n) * 4);
    new Uint32Array(this.wasm.memoryU8.buffer, input, backendIds.length).set(backendIds);
    return { input, out: input + backendIds.length * 4 };
  }

  /** `n` random picks among the `count` backend IDs of `batch`, advancing the PRNG at `state`. */
  runRandomBatch(state: number, batch: BatchArea, count: number, n: number): void {
    this.wasm.exports.randomSelectBatch(state, batch.input, count, n, batch.out);
  }

  /** `n` random picks among `backendIds` (in slot order), advancing the PRNG at `state`. */
  selectRandom(state: number, backendIds: readonly number[], n: number): Uint32Array {
    const batch = this.randomBatch(backendIds, n);
    this.runRandomBatch(state, batch, backendIds.length, n);
    return this.results(batch, n);
  }

  private describeStatus(status: number): string {
    switch (status) {
      case K.MAGLEV_ERR_TABLE_SIZE:
        return "Wasm Maglev build: unsupported table size";
      case K.MAGLEV_ERR_NO_BACKENDS:
        return "Wasm Maglev build: no backends";
      case K.MAGLEV_ERR_WEIGHT:
        return "Wasm Maglev build: weight above 65535";
      case K.MAGLEV_ERR_ID:
        return "Wasm Maglev build: backend ID 0xffffffff is reserved";
      default:
        return `Wasm Maglev build failed with status ${status}`;
    }
  }
}

// Host side of the Wasm Maglev build and selection: encodes backends into the module's input
// records, keeps tables and PRNG states in Wasm memory behind handles, and runs batches.
import type { WasmInstance } from "../wasm/module.js";
import { loadWasm, type WasmSource } from "../wasm/module.js";
import type { MaglevEntry } from "../reference/maglev.js";
import type { FlowV4, PortPacking } from "../reference/flow-hash.js";
import { MAGLEV_TABLE_SIZES } from "../reference/maglev.js";
import { InvalidInputError } from "./errors.js";

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

/** Encodes validated entries into the MAGLEV_BACKEND_* record layout the module exports. */
export function encodeBackends(wasm: WasmInstance, entries: readonly MaglevEntry[]): EncodedBackends {
  const size = wasm.constant("MAGLEV_BACKEND_SIZE");
  const at = {
    id: wasm.constant("MAGLEV_BACKEND_ID"),
    weight: wasm.constant("MAGLEV_BACKEND_WEIGHT"),
    offset: wasm.constant("MAGLEV_BACKEND_NAME_OFFSET"),
    length: wasm.constant("MAGLEV_BACKEND_NAME_LENGTH"),
  };
  const encodedNames = entries.map((e) => utf8.encode(e.hashString));
  const names = new Uint8Array(encodedNames.reduce((sum, n) => sum + n.length, 0));
  const records = new Uint8Array(entries.length * size);
  const view = new DataView(records.buffer);
  let offset = 0;
  entries.forEach((entry, i) => {
    const name = encodedNames[i]!;
    const base = i * size;
    view.setUint32(base + at.id, entry.id, true);
    view.setUint32(base + at.weight, entry.weight, true);
    view.setUint32(base + at.offset, offset, true);
    view.setUint32(base + at.length, name.length, true);
    names.set(name, offset);
    offset += name.length;
  });
  return { count: entries.length, records, names };
}

const packingCode = (wasm: WasmInstance, packing: PortPacking): number =>
  wasm.constant(
    packing === "service-port-high" ? "FLOW_HASH_SERVICE_PORT_HIGH" : "FLOW_HASH_CLIENT_PORT_HIGH",
  );

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
    wasm.bytes.set(backends.records, input);
    wasm.bytes.set(backends.names, input + namesAt);
    const status = wasm.exports.maglevBuild(
      input,
      backends.count,
      input + namesAt,
      table.size,
      seedMurmur >>> 0,
      table.address,
    );
    if (status !== wasm.constant("MAGLEV_OK")) throw new Error(this.describeStatus(status));
  }

  /** Copies a table out of Wasm memory. */
  readTable(table: MaglevTableHandle): Uint32Array {
    return new Uint32Array(this.wasm.bytes.buffer, table.address, table.size).slice();
  }

  /** Copies a table (e.g. from a `bpf lb maglev list` dump) into Wasm memory. */
  writeTable(entries: Uint32Array): MaglevTableHandle {
    const table = this.allocTable(entries.length);
    new Uint32Array(this.wasm.bytes.buffer, table.address, table.size).set(entries);
    return table;
  }

  /** Maglev picks for a batch of flows: one backend ID per flow. */
  selectMaglev(
    table: MaglevTableHandle,
    flows: readonly FlowV4[],
    seedJhash: number,
    packing: PortPacking,
    affinity = false,
  ): Uint32Array {
    const { wasm } = this;
    const size = wasm.constant("FLOW_RECORD_SIZE");
    const area = wasm.scratch(flows.length * (size + 4));
    const out = area + flows.length * size;
    const view = wasm.view;
    const addressAt = wasm.constant("FLOW_RECORD_CLIENT_ADDRESS");
    const clientPortAt = wasm.constant("FLOW_RECORD_CLIENT_PORT");
    const servicePortAt = wasm.constant("FLOW_RECORD_SERVICE_PORT");
    const protocolAt = wasm.constant("FLOW_RECORD_PROTOCOL");
    flows.forEach((flow, k) => {
      const rec = area + k * size;
      view.setUint32(rec + addressAt, flow.clientAddress >>> 0, true);
      view.setUint16(rec + clientPortAt, flow.clientPort, true);
      view.setUint16(rec + servicePortAt, flow.servicePort, true);
      view.setUint8(rec + protocolAt, flow.protocol);
    });
    wasm.exports.maglevSelectBatch(
      table.address,
      table.size,
      area,
      flows.length,
      seedJhash >>> 0,
      packingCode(wasm, packing),
      affinity ? 1 : 0,
      out,
    );
    return new Uint32Array(wasm.bytes.buffer, out, flows.length).slice();
  }

  /** A seeded xoshiro128** state in Wasm memory (the twin of reference Xoshiro128). */
  createPrng(seed: number): number {
    return this.wasm.exports.prngCreate(seed >>> 0) >>> 0;
  }

  freePrng(state: number): void {
    this.wasm.exports.prngFree(state);
  }

  /** `n` random picks among `backendIds` (in slot order), advancing the PRNG at `state`. */
  selectRandom(state: number, backendIds: readonly number[], n: number): Uint32Array {
    if (backendIds.length === 0) throw new InvalidInputError("random selection needs at least one backend");
    const { wasm } = this;
    const ids = wasm.scratch((backendIds.length + n) * 4);
    const out = ids + backendIds.length * 4;
    new Uint32Array(wasm.bytes.buffer, ids, backendIds.length).set(backendIds);
    wasm.exports.randomSelectBatch(state, ids, backendIds.length, n, out);
    return new Uint32Array(wasm.bytes.buffer, out, n).slice();
  }

  private describeStatus(status: number): string {
    const c = (name: Parameters<WasmInstance["constant"]>[0]): number => this.wasm.constant(name);
    switch (status) {
      case c("MAGLEV_ERR_TABLE_SIZE"):
        return "Wasm Maglev build: unsupported table size";
      case c("MAGLEV_ERR_NO_BACKENDS"):
        return "Wasm Maglev build: no backends";
      case c("MAGLEV_ERR_WEIGHT"):
        return "Wasm Maglev build: weight above 65535";
      case c("MAGLEV_ERR_ID"):
        return "Wasm Maglev build: backend ID 0xffffffff is reserved";
      default:
        return `Wasm Maglev build failed with status ${status}`;
    }
  }
}

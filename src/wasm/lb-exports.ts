// Raw Wasm exports of assembly/lb/lb-api.ts: hashing, Maglev table build, backend selection.
// Pointers, sizes and u32 values are JS numbers (u32 results may arrive negative: use `>>> 0`).

export interface LbExports {
  murmur3Hash128(ptr: number, len: number, seed: number, out: number): void;
  jhash3Words(a: number, b: number, c: number, initval: number): number;
  jhash2Words(a: number, b: number, initval: number): number;
  jhash1Word(a: number, initval: number): number;
  jhashBytes(ptr: number, len: number, initval: number): number;

  readonly FLOW_HASH_CLIENT_PORT_HIGH: WebAssembly.Global;
  readonly FLOW_HASH_SERVICE_PORT_HIGH: WebAssembly.Global;
  flowHashV4(
    clientAddress: number,
    clientPort: number,
    servicePort: number,
    protocol: number,
    seed: number,
    packing: number,
    affinity: number,
  ): number;

  readonly MAGLEV_BACKEND_SIZE: WebAssembly.Global;
  readonly MAGLEV_BACKEND_ID: WebAssembly.Global;
  readonly MAGLEV_BACKEND_WEIGHT: WebAssembly.Global;
  readonly MAGLEV_BACKEND_NAME_OFFSET: WebAssembly.Global;
  readonly MAGLEV_BACKEND_NAME_LENGTH: WebAssembly.Global;
  readonly MAGLEV_EMPTY: WebAssembly.Global;
  readonly MAGLEV_MAX_WEIGHT: WebAssembly.Global;
  readonly MAGLEV_OK: WebAssembly.Global;
  readonly MAGLEV_ERR_TABLE_SIZE: WebAssembly.Global;
  readonly MAGLEV_ERR_NO_BACKENDS: WebAssembly.Global;
  readonly MAGLEV_ERR_WEIGHT: WebAssembly.Global;
  readonly MAGLEV_ERR_ID: WebAssembly.Global;
  maglevTableSizeSupported(m: number): number;
  maglevBuild(backends: number, count: number, names: number, m: number, seed: number, table: number): number;
  maglevTableAlloc(m: number): number;
  maglevTableFree(table: number): void;

  readonly PRNG_STATE_SIZE: WebAssembly.Global;
  readonly FLOW_RECORD_SIZE: WebAssembly.Global;
  readonly FLOW_RECORD_CLIENT_ADDRESS: WebAssembly.Global;
  readonly FLOW_RECORD_CLIENT_PORT: WebAssembly.Global;
  readonly FLOW_RECORD_SERVICE_PORT: WebAssembly.Global;
  readonly FLOW_RECORD_PROTOCOL: WebAssembly.Global;
  maglevLookup(table: number, m: number, hash: number): number;
  prngSeed(state: number, seed: number): void;
  prngNext(state: number): number;
  prngCreate(seed: number): number;
  prngFree(state: number): void;
  randomSlot(state: number, count: number): number;
  maglevSelectBatch(
    table: number,
    m: number,
    flows: number,
    n: number,
    seed: number,
    packing: number,
    affinity: number,
    out: number,
  ): void;
  randomSelectBatch(state: number, backendIds: number, count: number, n: number, out: number): void;
}

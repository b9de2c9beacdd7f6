// Raw exports of assembly/maps/exports.ts. Handles are small integers; pointers are u32 byte
// addresses in linear memory; i32 results are 0/handles/counts or negative errno values.

export interface MapsExports {
  readonly LPM_KEY_SIZE: WebAssembly.Global;
  readonly LPM_KEY_PREFIXLEN_OFFSET: WebAssembly.Global;
  readonly LPM_KEY_ADDRESS_OFFSET: WebAssembly.Global;
  readonly MAP_BATCH_RESULT_SIZE: WebAssembly.Global;
  readonly HASH_KIND_HASH: WebAssembly.Global;
  readonly HASH_KIND_LRU: WebAssembly.Global;
  readonly LPM_LIMIT_MAX_ENTRIES: WebAssembly.Global;
  readonly LPM_LIMIT_VALUE_SIZE: WebAssembly.Global;
  readonly HASH_LIMIT_MAX_ENTRIES: WebAssembly.Global;
  readonly HASH_LIMIT_KEY_SIZE: WebAssembly.Global;
  readonly HASH_LIMIT_VALUE_SIZE: WebAssembly.Global;

  lpmCreate(valueSize: number, maxEntries: number): number;
  lpmDestroy(handle: number): number;
  lpmUpdate(handle: number, keyPtr: number, valuePtr: number, flags: number): number;
  lpmUpdateBatch(
    handle: number,
    keysPtr: number,
    valuesPtr: number,
    count: number,
    flags: number,
    resultsPtr: number,
  ): number;
  lpmDelete(handle: number, keyPtr: number): number;
  lpmGet(handle: number, keyPtr: number): number;
  lpmLookup(handle: number, address: number, matchedKeyPtr: number): number;
  lpmLookupBatch(handle: number, addressesPtr: number, count: number, resultsPtr: number): number;
  lpmNextKey(handle: number, previousKeyPtr: number, nextKeyPtr: number): number;
  lpmCount(handle: number): number;
  lpmMaxEntries(handle: number): number;
  lpmValueSize(handle: number): number;
  lpmMemoryBytes(handle: number): number;

  hashCreate(kind: number, keySize: number, valueSize: number, maxEntries: number): number;
  hashDestroy(handle: number): number;
  hashUpdate(handle: number, keyPtr: number, valuePtr: number, flags: number): number;
  hashUpdateBatch(
    handle: number,
    keysPtr: number,
    valuesPtr: number,
    count: number,
    flags: number,
    resultsPtr: number,
  ): number;
  hashDelete(handle: number, keyPtr: number): number;
  hashLookup(handle: number, keyPtr: number): number;
  hashPeek(handle: number, keyPtr: number): number;
  hashLookupBatch(handle: number, keysPtr: number, count: number, resultsPtr: number): number;
  hashNextKey(handle: number, previousKeyPtr: number, nextKeyPtr: number): number;
  hashCount(handle: number): number;
  hashMaxEntries(handle: number): number;
  hashKeySize(handle: number): number;
  hashValueSize(handle: number): number;
  hashMemoryBytes(handle: number): number;
}

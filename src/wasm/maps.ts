// Host wrappers of the Wasm BPF maps (assembly/maps/). The only host code that knows how map keys,
// values and batches are laid out in linear memory; it reads the layout from the module's constants.
import {
  BPF_ANY,
  ENOENT,
  ENOMEM,
  HASH_MAX_ENTRIES,
  HASH_MAX_KEY_SIZE,
  HASH_MAX_VALUE_SIZE,
  LPM_MAX_ENTRIES,
  LPM_MAX_VALUE_SIZE,
  errnoName,
  type BpfUpdateFlag,
  type HashEntry,
  type HashMapKind,
  type HashMapLike,
  type HashMapOptions,
  type Ipv4Prefix,
  type LpmEntry,
  type LpmMap,
  type LpmMapOptions,
} from "../maps/types.js";
import { checkAddress, checkBytes, checkFlags, checkPrefix, checkSize } from "../maps/validate.js";
import type { WasmInstance } from "./module.js";

interface LpmKeyLayout {
  size: number;
  prefixLenOffset: number;
  addressOffset: number;
}

function lpmKeyLayout(wasm: WasmInstance): LpmKeyLayout {
  return {
    size: wasm.constant("LPM_KEY_SIZE"),
    prefixLenOffset: wasm.constant("LPM_KEY_PREFIXLEN_OFFSET"),
    addressOffset: wasm.constant("LPM_KEY_ADDRESS_OFFSET"),
  };
}

function createError(what: string, code: number): Error {
  const reason = errnoName(code);
  return code === -ENOMEM
    ? new Error(`cannot create ${what}: out of WebAssembly memory (${reason})`)
    : new RangeError(`cannot create ${what}: rejected by the module (${reason})`);
}

function u32Array(wasm: WasmInstance, ptr: number, length: number): Uint32Array {
  return new Uint32Array(wasm.exports.memory.buffer, ptr, length);
}

/** Rounds a scratch offset up to 8 so values and u32 arrays are aligned. */
function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A copy of the value a map function returned a pointer to (0 = no value). */
function copyValue(wasm: WasmInstance, valuePtr: number, size: number): Uint8Array | undefined {
  const ptr = valuePtr >>> 0;
  return ptr === 0 ? undefined : wasm.memoryU8.slice(ptr, ptr + size);
}

/** An IPv4 LPM trie living in the Wasm module (BPF_MAP_TYPE_LPM_TRIE semantics). */
export class WasmLpmMap implements LpmMap {
  readonly valueSize: number;
  readonly maxEntries: number;
  private readonly key: LpmKeyLayout;
  private live = true;

  private constructor(
    private readonly wasm: WasmInstance,
    private readonly id: number,
    options: LpmMapOptions,
  ) {
    this.valueSize = options.valueSize;
    this.maxEntries = options.maxEntries;
    this.key = lpmKeyLayout(wasm);
  }

  static create(wasm: WasmInstance, options: LpmMapOptions): WasmLpmMap {
    checkSize("valueSize", options.valueSize, LPM_MAX_VALUE_SIZE);
    checkSize("maxEntries", options.maxEntries, LPM_MAX_ENTRIES);
    const handle = wasm.exports.lpmCreate(options.valueSize, options.maxEntries);
    if (handle < 0) throw createError(`LPM map ${JSON.stringify(options)}`, handle);
    return new WasmLpmMap(wasm, handle, options);
  }

  /** The module-side handle, for AssemblyScript code that looks the trie up by handle. */
  get handle(): number {
    if (!this.live) throw new Error("LPM map used after dispose()");
    return this.id;
  }

  get count(): number {
    return this.wasm.exports.lpmCount(this.handle);
  }

  /** Bytes of linear memory the trie holds (tables, chunks, entries, index). */
  get memoryBytes(): number {
    return this.wasm.exports.lpmMemoryBytes(this.handle) >>> 0;
  }

  update(prefix: Ipv4Prefix, value: Uint8Array, flags: BpfUpdateFlag = BPF_ANY): number {
    checkPrefix(prefix);
    checkBytes("LPM value", value, this.valueSize);
    checkFlags(flags);
    const ptr = this.wasm.scratch(this.key.size + this.valueSize);
    this.writeKey(ptr, prefix);
    this.wasm.memoryU8.set(value, ptr + this.key.size);
    return this.wasm.exports.lpmUpdate(this.handle, ptr, ptr + this.key.size, flags);
  }

  /** Updates in order (as many `update` calls, one boundary crossing); returns each result code. */
  updateBatch(entries: readonly LpmEntry[], flags: BpfUpdateFlag = BPF_ANY): Int32Array {
    checkFlags(flags);
    const n = entries.length;
    const keysBytes = n * this.key.size;
    const valuesAt = align8(keysBytes);
    const resultsAt = align8(valuesAt + n * this.valueSize);
    const ptr = this.wasm.scratch(resultsAt + 4 * n);
    entries.forEach((entry, i) => {
      checkPrefix(entry.prefix);
      checkBytes("LPM value", entry.value, this.valueSize);
      this.writeKey(ptr + i * this.key.size, entry.prefix);
    });
    const bytes = this.wasm.memoryU8;
    entries.forEach((entry, i) => bytes.set(entry.value, ptr + valuesAt + i * this.valueSize));
    this.wasm.exports.lpmUpdateBatch(this.handle, ptr, ptr + valuesAt, n, flags, ptr + resultsAt);
    return new Int32Array(this.wasm.exports.memory.buffer.slice(ptr + resultsAt, ptr + resultsAt + 4 * n));
  }

  delete(prefix: Ipv4Prefix): number {
    checkPrefix(prefix);
    const ptr = this.wasm.scratch(this.key.size);
    this.writeKey(ptr, prefix);
    return this.wasm.exports.lpmDelete(this.handle, ptr);
  }

  get(prefix: Ipv4Prefix): Uint8Array | undefined {
    checkPrefix(prefix);
    const ptr = this.wasm.scratch(this.key.size);
    this.writeKey(ptr, prefix);
    return this.valueAt(this.wasm.exports.lpmGet(this.handle, ptr));
  }

  lookup(address: number): LpmEntry | undefined {
    checkAddress(address);
    const ptr = this.wasm.scratch(this.key.size);
    const value = this.valueAt(this.wasm.exports.lpmLookup(this.handle, address, ptr));
    return value && { prefix: this.readKey(ptr), value };
  }

  lookupBatch(addresses: ArrayLike<number>): (Uint8Array | undefined)[] {
    const n = addresses.length;
    for (let i = 0; i < n; i++) checkAddress(addresses[i]!);
    const ptr = this.wasm.scratch(8 * n);
    u32Array(this.wasm, ptr, n).set(addresses);
    this.wasm.exports.lpmLookupBatch(this.handle, ptr, n, ptr + 4 * n);
    const results = u32Array(this.wasm, ptr + 4 * n, n);
    return Array.from(results, (valuePtr) => this.valueAt(valuePtr));
  }

  /**
   * The raw batch entry point, for callers that keep address batches in Wasm memory (the datapath,
   * benchmarks): `count` host-order u32 addresses at `addressesPtr` in, one u32 value pointer per
   * address (0 = no match) at `resultsPtr` out. Returns the number of matches.
   */
  lookupBatchRaw(addressesPtr: number, count: number, resultsPtr: number): number {
    return this.wasm.exports.lpmLookupBatch(this.handle, addressesPtr, count, resultsPtr);
  }

  nextKey(previous?: Ipv4Prefix): Ipv4Prefix | undefined {
    const ptr = this.wasm.scratch(2 * this.key.size);
    if (previous !== undefined) {
      checkPrefix(previous);
      if (previous.length > 32) throw new RangeError(`prefix length must be 0..32, got ${previous.length}`);
      this.writeKey(ptr, previous);
    }
    const next = ptr + this.key.size;
    const code = this.wasm.exports.lpmNextKey(this.handle, previous === undefined ? 0 : ptr, next);
    if (code === -ENOENT) return undefined;
    if (code !== 0) throw new Error(`LPM next key failed: ${errnoName(code)}`);
    return this.readKey(next);
  }

  *entries(): IterableIterator<LpmEntry> {
    for (let prefix = this.nextKey(); prefix !== undefined; prefix = this.nextKey(prefix)) {
      const value = this.get(prefix);
      if (value === undefined) throw new Error("LPM map changed while iterating");
      yield { prefix, value };
    }
  }

  /** Frees the trie's memory in the module; the map cannot be used afterwards. */
  dispose(): void {
    if (!this.live) return;
    this.wasm.exports.lpmDestroy(this.id);
    this.live = false;
  }

  private writeKey(ptr: number, prefix: Ipv4Prefix): void {
    const view = this.wasm.memoryDataView;
    view.setUint32(ptr + this.key.prefixLenOffset, prefix.length, true);
    view.setUint32(ptr + this.key.addressOffset, prefix.address, false);
  }

  private readKey(ptr: number): Ipv4Prefix {
    const view = this.wasm.memoryDataView;
    return {
      address: view.getUint32(ptr + this.key.addressOffset, false),
      length: view.getUint32(ptr + this.key.prefixLenOffset, true),
    };
  }

  private valueAt(valuePtr: number): Uint8Array | undefined {
    return copyValue(this.wasm, valuePtr, this.valueSize);
  }
}

/** A hash map or LRU hash map living in the Wasm module. */
export class WasmHashMap implements HashMapLike {
  readonly kind: HashMapKind;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  private live = true;

  private constructor(
    private readonly wasm: WasmInstance,
    private readonly id: number,
    options: HashMapOptions,
  ) {
    this.kind = options.kind;
    this.keySize = options.keySize;
    this.valueSize = options.valueSize;
    this.maxEntries = options.maxEntries;
  }

  static create(wasm: WasmInstance, options: HashMapOptions): WasmHashMap {
    const { kind, ...sizes } = options;
    checkSize("keySize", sizes.keySize, HASH_MAX_KEY_SIZE);
    checkSize("valueSize", sizes.valueSize, HASH_MAX_VALUE_SIZE);
    checkSize("maxEntries", sizes.maxEntries, HASH_MAX_ENTRIES);
    const kindCode = kind === "lru_hash" ? wasm.constant("HASH_KIND_LRU") : wasm.constant("HASH_KIND_HASH");
    const handle = wasm.exports.hashCreate(kindCode, sizes.keySize, sizes.valueSize, sizes.maxEntries);
    if (handle < 0) throw createError(`${kind} map ${JSON.stringify(options)}`, handle);
    return new WasmHashMap(wasm, handle, options);
  }

  /** The module-side handle, for AssemblyScript code that looks the map up by handle. */
  get handle(): number {
    if (!this.live) throw new Error(`${this.kind} map used after dispose()`);
    return this.id;
  }

  get count(): number {
    return this.wasm.exports.hashCount(this.handle);
  }

  /** Bytes of linear memory the map holds (entry pool, index, LRU hash and reference bit). */
  get memoryBytes(): number {
    return this.wasm.exports.hashMemoryBytes(this.handle) >>> 0;
  }

  update(key: Uint8Array, value: Uint8Array, flags: BpfUpdateFlag = BPF_ANY): number {
    checkBytes("key", key, this.keySize);
    checkBytes("value", value, this.valueSize);
    checkFlags(flags);
    const valueAt = align8(this.keySize);
    const ptr = this.wasm.scratch(valueAt + this.valueSize);
    const bytes = this.wasm.memoryU8;
    bytes.set(key, ptr);
    bytes.set(value, ptr + valueAt);
    return this.wasm.exports.hashUpdate(this.handle, ptr, ptr + valueAt, flags);
  }

  /** Updates in order (as many `update` calls, one boundary crossing); returns each result code. */
  updateBatch(entries: readonly HashEntry[], flags: BpfUpdateFlag = BPF_ANY): Int32Array {
    checkFlags(flags);
    const n = entries.length;
    const valuesAt = align8(n * this.keySize);
    const resultsAt = align8(valuesAt + n * this.valueSize);
    for (const entry of entries) {
      checkBytes("key", entry.key, this.keySize);
      checkBytes("value", entry.value, this.valueSize);
    }
    const ptr = this.wasm.scratch(resultsAt + 4 * n);
    const bytes = this.wasm.memoryU8;
    entries.forEach((entry, i) => {
      bytes.set(entry.key, ptr + i * this.keySize);
      bytes.set(entry.value, ptr + valuesAt + i * this.valueSize);
    });
    this.wasm.exports.hashUpdateBatch(this.handle, ptr, ptr + valuesAt, n, flags, ptr + resultsAt);
    return new Int32Array(this.wasm.exports.memory.buffer.slice(ptr + resultsAt, ptr + resultsAt + 4 * n));
  }

  delete(key: Uint8Array): number {
    return this.wasm.exports.hashDelete(this.handle, this.putKey(key));
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.valueAt(this.wasm.exports.hashLookup(this.handle, this.putKey(key)));
  }

  peek(key: Uint8Array): Uint8Array | undefined {
    return this.valueAt(this.wasm.exports.hashPeek(this.handle, this.putKey(key)));
  }

  lookupBatch(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const n = keys.length;
    for (const key of keys) checkBytes("key", key, this.keySize);
    const resultsAt = align8(n * this.keySize);
    const ptr = this.wasm.scratch(resultsAt + 4 * n);
    const bytes = this.wasm.memoryU8;
    keys.forEach((key, i) => bytes.set(key, ptr + i * this.keySize));
    this.wasm.exports.hashLookupBatch(this.handle, ptr, n, ptr + resultsAt);
    return Array.from(u32Array(this.wasm, ptr + resultsAt, n), (valuePtr) => this.valueAt(valuePtr));
  }

  /**
   * The raw batch entry point: `count` keys back to back at `keysPtr`, one u32 value pointer per
   * key (0 = absent) at `resultsPtr`. Returns the number found. LRU hits set their reference bits.
   */
  lookupBatchRaw(keysPtr: number, count: number, resultsPtr: number): number {
    return this.wasm.exports.hashLookupBatch(this.handle, keysPtr, count, resultsPtr);
  }

  nextKey(previous?: Uint8Array): Uint8Array | undefined {
    if (previous !== undefined) checkBytes("key", previous, this.keySize);
    const ptr = this.wasm.scratch(2 * this.keySize);
    if (previous !== undefined) this.wasm.memoryU8.set(previous, ptr);
    const next = ptr + this.keySize;
    const code = this.wasm.exports.hashNextKey(this.handle, previous === undefined ? 0 : ptr, next);
    if (code === -ENOENT) return undefined;
    if (code !== 0) throw new Error(`${this.kind} next key failed: ${errnoName(code)}`);
    return this.wasm.memoryU8.slice(next, next + this.keySize);
  }

  *entries(): IterableIterator<HashEntry> {
    for (let key = this.nextKey(); key !== undefined; key = this.nextKey(key)) {
      const value = this.peek(key);
      if (value === undefined) throw new Error(`${this.kind} map changed while iterating`);
      yield { key, value };
    }
  }

  /** Frees the map's memory in the module; the map cannot be used afterwards. */
  dispose(): void {
    if (!this.live) return;
    this.wasm.exports.hashDestroy(this.id);
    this.live = false;
  }

  private putKey(key: Uint8Array): number {
    checkBytes("key", key, this.keySize);
    const ptr = this.wasm.scratch(this.keySize);
    this.wasm.memoryU8.set(key, ptr);
    return ptr;
  }

  private valueAt(valuePtr: number): Uint8Array | undefined {
    return copyValue(this.wasm, valuePtr, this.valueSize);
  }
}

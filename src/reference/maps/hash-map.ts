// Reference twins of the Wasm hash map and LRU hash map, built on a JavaScript Map keyed by the
// key's hex string. The LRU map's entries also carry the id the Wasm map would store them under,
// and an LruClock picks the victim the Wasm map picks (reference bits and a clock hand, as the
// kernel's LRU approximates recency).
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  E2BIG,
  EEXIST,
  EINVAL,
  ENOENT,
  HASH_MAX_ENTRIES,
  HASH_MAX_KEY_SIZE,
  HASH_MAX_VALUE_SIZE,
  type BpfUpdateFlag,
  type HashEntry,
  type HashMapKind,
  type HashMapLike,
  type HashMapOptions,
} from "../../maps/types.js";
import { checkBytes, checkFlags, checkSize } from "../../maps/validate.js";
import { LruClock } from "./lru-clock.js";

interface StoredEntry extends HashEntry {
  /** The entry's id in the LRU clock (-1 in a plain hash map). */
  readonly id: number;
}

/** Hex of the key bytes: equal keys give equal strings, and string order is byte order. */
function hexOf(key: Uint8Array): string {
  let hex = "";
  for (const byte of key) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** A BPF hash or LRU hash map in plain TypeScript, the twin of the Wasm hash map. */
export class ReferenceHashMap implements HashMapLike {
  readonly kind: HashMapKind;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  private readonly stored = new Map<string, StoredEntry>();
  /** For the LRU kind: eviction state, and the hex key stored under each id. */
  private readonly clock: LruClock | undefined;
  private readonly keyOfId: string[] = [];

  constructor(options: HashMapOptions) {
    const { kind, ...sizes } = options;
    checkSize("keySize", sizes.keySize, HASH_MAX_KEY_SIZE);
    checkSize("valueSize", sizes.valueSize, HASH_MAX_VALUE_SIZE);
    checkSize("maxEntries", sizes.maxEntries, HASH_MAX_ENTRIES);
    this.kind = kind;
    this.keySize = sizes.keySize;
    this.valueSize = sizes.valueSize;
    this.maxEntries = sizes.maxEntries;
    this.clock = kind === "lru_hash" ? new LruClock(sizes.maxEntries) : undefined;
  }

  get count(): number {
    return this.stored.size;
  }

  update(key: Uint8Array, value: Uint8Array, flags: BpfUpdateFlag = BPF_ANY): number {
    checkBytes("key", key, this.keySize);
    checkBytes("value", value, this.valueSize);
    checkFlags(flags);
    if (flags > BPF_EXIST) return -EINVAL;
    const hex = hexOf(key);
    const existing = this.stored.get(hex);
    if (existing !== undefined) {
      if (flags === BPF_NOEXIST) return -EEXIST;
      this.stored.set(hex, { key: existing.key, value: value.slice(), id: existing.id });
      if (this.clock) this.clock.reference(existing.id);
      return 0;
    }
    if (flags === BPF_EXIST) return -ENOENT;
    if (this.stored.size === this.maxEntries) {
      if (!this.clock) return -E2BIG;
      this.remove(this.keyOfId[this.clock.victim()]!);
    }
    let id = -1;
    if (this.clock) {
      id = this.clock.allocate();
      this.keyOfId[id] = hex;
    }
    this.stored.set(hex, { key: key.slice(), value: value.slice(), id });
    return 0;
  }

  delete(key: Uint8Array): number {
    checkBytes("key", key, this.keySize);
    return this.remove(hexOf(key)) ? 0 : -ENOENT;
  }

  private remove(hex: string): boolean {
    const entry = this.stored.get(hex);
    if (entry === undefined) return false;
    this.stored.delete(hex);
    if (this.clock) this.clock.release(entry.id);
    return true;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    checkBytes("key", key, this.keySize);
    const hex = hexOf(key);
    const entry = this.stored.get(hex);
    if (entry === undefined) return undefined;
    if (this.clock) this.clock.reference(entry.id);
    return entry.value.slice();
  }

  peek(key: Uint8Array): Uint8Array | undefined {
    checkBytes("key", key, this.keySize);
    return this.stored.get(hexOf(key))?.value.slice();
  }

  lookupBatch(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    return keys.map((key) => this.lookup(key));
  }

  nextKey(previous?: Uint8Array): Uint8Array | undefined {
    const sorted = [...this.stored.keys()].sort();
    let next: string | undefined;
    if (previous === undefined) next = sorted[0];
    else {
      checkBytes("key", previous, this.keySize);
      const cursor = hexOf(previous);
      next = sorted.find((hex) => hex > cursor);
    }
    return next === undefined ? undefined : this.stored.get(next)!.key.slice();
  }

  /** An LRU map's entries in the order of the ids the Wasm map keeps them under (ascending). */
  *entriesById(): IterableIterator<HashEntry> {
    for (const [id, hex] of this.keyOfId.entries()) {
      const entry = this.stored.get(hex);
      if (entry?.id === id) yield { key: entry.key.slice(), value: entry.value.slice() };
    }
  }

  *entries(): IterableIterator<HashEntry> {
    for (const hex of [...this.stored.keys()].sort()) {
      const entry = this.stored.get(hex)!;
      yield { key: entry.key.slice(), value: entry.value.slice() };
    }
  }
}

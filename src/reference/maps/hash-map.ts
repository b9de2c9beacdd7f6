// Reference twins of the Wasm hash map and LRU hash map, built on a JavaScript Map keyed by the
// key's hex string. For the LRU map the Map's insertion order is the recency order: touching an
// entry re-inserts it at the end, so the first entry is always the least recently used.
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

/** Hex of the key bytes: equal keys give equal strings, and string order is byte order. */
function hexOf(key: Uint8Array): string {
  let hex = "";
  for (const byte of key) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

export class ReferenceHashMap implements HashMapLike {
  readonly kind: HashMapKind;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** For the LRU kind: least recently used first. */
  private readonly stored = new Map<string, HashEntry>();

  constructor(options: HashMapOptions) {
    const { kind, ...sizes } = options;
    checkSize("keySize", sizes.keySize, HASH_MAX_KEY_SIZE);
    checkSize("valueSize", sizes.valueSize, HASH_MAX_VALUE_SIZE);
    checkSize("maxEntries", sizes.maxEntries, HASH_MAX_ENTRIES);
    this.kind = kind;
    this.keySize = sizes.keySize;
    this.valueSize = sizes.valueSize;
    this.maxEntries = sizes.maxEntries;
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
    const exists = this.stored.has(hex);
    if (exists && flags === BPF_NOEXIST) return -EEXIST;
    if (!exists && flags === BPF_EXIST) return -ENOENT;
    if (!exists && this.stored.size === this.maxEntries) {
      if (this.kind === "hash") return -E2BIG;
      const leastRecent = this.stored.keys().next().value as string;
      this.stored.delete(leastRecent);
    }
    this.stored.delete(hex);
    this.stored.set(hex, { key: key.slice(), value: value.slice() });
    return 0;
  }

  delete(key: Uint8Array): number {
    checkBytes("key", key, this.keySize);
    return this.stored.delete(hexOf(key)) ? 0 : -ENOENT;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    checkBytes("key", key, this.keySize);
    const hex = hexOf(key);
    const entry = this.stored.get(hex);
    if (entry === undefined) return undefined;
    if (this.kind === "lru_hash") {
      this.stored.delete(hex);
      this.stored.set(hex, entry);
    }
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

  *entries(): IterableIterator<HashEntry> {
    for (const hex of [...this.stored.keys()].sort()) {
      const entry = this.stored.get(hex)!;
      yield { key: entry.key.slice(), value: entry.value.slice() };
    }
  }

  /** Keys from least to most recently used (LRU kind); insertion order for a plain hash map. */
  recencyOrder(): Uint8Array[] {
    return [...this.stored.values()].map((entry) => entry.key.slice());
  }
}

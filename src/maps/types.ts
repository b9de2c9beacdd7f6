// The BPF map interfaces shared by the Wasm maps (src/wasm/maps.ts) and their pure-TypeScript
// twins (src/reference/maps/). Both follow the kernel's map semantics: operations return 0 or a
// negative errno exactly where bpf_map_update_elem()/bpf_map_delete_elem() would.

/** Create a new element or update an existing one. */
export const BPF_ANY = 0;
/** Create a new element only if it does not exist. */
export const BPF_NOEXIST = 1;
/** Update an existing element only. */
export const BPF_EXIST = 2;
/** The flags argument of an update, as bpf(BPF_MAP_UPDATE_ELEM) takes it. */
export type BpfUpdateFlag = typeof BPF_ANY | typeof BPF_NOEXIST | typeof BPF_EXIST;

/** errno values (returned negated). */
export const ENOENT = 2;
/** errno: the map is full (hash map insert). */
export const E2BIG = 7;
/** errno: no map with this handle. */
export const EBADF = 9;
/** errno: out of memory. */
export const ENOMEM = 12;
/** errno: the key exists (BPF_NOEXIST). */
export const EEXIST = 17;
/** errno: an invalid argument. */
export const EINVAL = 22;
/** errno: no space left (LPM trie full). */
export const ENOSPC = 28;

const errnoNames: Record<number, string> = {
  [ENOENT]: "ENOENT",
  [E2BIG]: "E2BIG",
  [EBADF]: "EBADF",
  [ENOMEM]: "ENOMEM",
  [EEXIST]: "EEXIST",
  [EINVAL]: "EINVAL",
  [ENOSPC]: "ENOSPC",
};

/** "ENOENT" for -2 (or 2); "errno N" for codes this package never returns. */
export function errnoName(code: number): string {
  return errnoNames[Math.abs(code)] ?? `errno ${Math.abs(code)}`;
}

/** An IPv4 prefix. `address` is the host-order u32 (10.0.0.1 = 0x0a000001); `length` 0..32. */
export interface Ipv4Prefix {
  readonly address: number;
  readonly length: number;
}

/** One entry of an LPM map: prefix and value. */
export interface LpmEntry {
  readonly prefix: Ipv4Prefix;
  readonly value: Uint8Array;
}

/**
 * BPF_MAP_TYPE_LPM_TRIE keyed by IPv4 prefixes, with a fixed value size. Prefixes are stored
 * canonical (host bits beyond the length cleared). Values returned are copies.
 */
export interface LpmMap {
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Number of prefixes stored. */
  readonly count: number;
  /**
   * 0, or -EINVAL (flags not 0..2, length > 32), -EEXIST (BPF_NOEXIST, prefix present), -ENOENT
   * (BPF_EXIST, prefix absent), -ENOSPC (new prefix, map full: the kernel's LPM trie says ENOSPC, not E2BIG).
   */
  update(prefix: Ipv4Prefix, value: Uint8Array, flags?: BpfUpdateFlag): number;
  /** Deletes exactly this prefix: 0, -ENOENT, or -EINVAL (length > 32). */
  delete(prefix: Ipv4Prefix): number;
  /** Value of exactly this prefix. */
  get(prefix: Ipv4Prefix): Uint8Array | undefined;
  /** The longest prefix covering `address`, with its value. */
  lookup(address: number): LpmEntry | undefined;
  /** Values of the longest prefixes covering each address. */
  lookupBatch(addresses: ArrayLike<number>): (Uint8Array | undefined)[];
  /**
   * The first prefix after `previous` in (address, length) order, or the first prefix when
   * `previous` is omitted (bpf_map_get_next_key; `previous` need not be in the map).
   */
  nextKey(previous?: Ipv4Prefix): Ipv4Prefix | undefined;
  /** All entries in (address, length) order. */
  entries(): IterableIterator<LpmEntry>;
}

/** One entry of a hash map: key and value bytes. */
export interface HashEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** BPF_MAP_TYPE_HASH ("hash") or BPF_MAP_TYPE_LRU_HASH ("lru_hash"). */
export type HashMapKind = "hash" | "lru_hash";

/**
 * A BPF hash map with fixed key and value sizes. Values returned are copies. An LRU map evicts an
 * entry not used recently to make room for a new key when full: lookups and successful updates set
 * the entry's reference bit, and a clock hand evicts the first entry whose bit is clear, clearing
 * the bits it passes (the kernel's LRU approximates recency the same way, with per-CPU lists).
 */
export interface HashMapLike {
  readonly kind: HashMapKind;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly count: number;
  /**
   * 0, or -EINVAL (flags not 0..2), -EEXIST (BPF_NOEXIST, key present), -ENOENT (BPF_EXIST, key
   * absent), -E2BIG (new key in a full hash map; an LRU map evicts instead).
   */
  update(key: Uint8Array, value: Uint8Array, flags?: BpfUpdateFlag): number;
  /** 0 or -ENOENT. */
  delete(key: Uint8Array): number;
  /** The value (an LRU hit sets the entry's reference bit). */
  lookup(key: Uint8Array): Uint8Array | undefined;
  /** The value, never touching LRU recency (for dumps). */
  peek(key: Uint8Array): Uint8Array | undefined;
  /** `lookup` of each key in order. */
  lookupBatch(keys: readonly Uint8Array[]): (Uint8Array | undefined)[];
  /** The first key after `previous` in key byte order, or the first key (bpf_map_get_next_key). */
  nextKey(previous?: Uint8Array): Uint8Array | undefined;
  /** All entries in key byte order, without touching recency. */
  entries(): IterableIterator<HashEntry>;
}

/** Creation limits (the Wasm module exports the same values; a test keeps them equal). */
export const LPM_MAX_ENTRIES = 0xffffff;
/** Largest LPM map value, in bytes. */
export const LPM_MAX_VALUE_SIZE = 65536;
/** Largest max_entries of a hash map. */
export const HASH_MAX_ENTRIES = 2 ** 28;
/** Largest hash map key, in bytes. */
export const HASH_MAX_KEY_SIZE = 512;
/** Largest hash map value, in bytes. */
export const HASH_MAX_VALUE_SIZE = 65536;

/** The size of an LPM map: value bytes and max_entries. */
export interface LpmMapOptions {
  /** Bytes per value (1.. LPM_MAX_VALUE_SIZE). */
  valueSize: number;
  /** Capacity (1..LPM_MAX_ENTRIES); a new prefix beyond it fails with -ENOSPC. */
  maxEntries: number;
}

/** The kind (hash or LRU hash) and sizes of a hash map. */
export interface HashMapOptions {
  kind: HashMapKind;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

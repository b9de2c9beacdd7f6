// Host-facing API of the BPF maps: maps are created and addressed by handle; keys and values are
// passed by pointer (the host writes them into `scratch()`), results come back as errno codes or
// value pointers. Every function answers -EBADF (or 0 where it returns a pointer) for a dead handle.
//
// LPM key layout (the kernel's struct bpf_lpm_trie_key_u8 with 4 data bytes):
//   u32 prefix length (little endian) at LPM_KEY_PREFIXLEN_OFFSET, IPv4 address in network byte
//   order at LPM_KEY_ADDRESS_OFFSET; LPM_KEY_SIZE bytes in all.
// Batch lookups take host-order u32 addresses (10.0.0.1 = 0x0a000001), as the datapath holds them.
import { LPM_MAX_ENTRIES, LPM_MAX_VALUE_SIZE, LpmTrie } from "./lpm-trie";
import { HASH_MAX_ENTRIES, HASH_MAX_KEY_SIZE, HASH_MAX_VALUE_SIZE, HashCore } from "./hash-core";
import { HashMap } from "./hash-map";
import { LruHashMap } from "./lru-hash-map";
import { EBADF, EINVAL, ENOENT } from "./errno";
import {
  hashCoreOf,
  lpmTrieOf,
  registerHashMap,
  registerLpmTrie,
  releaseHashMap,
  releaseLpmTrie,
} from "./registry";

export const LPM_KEY_SIZE: u32 = 8;
export const LPM_KEY_PREFIXLEN_OFFSET: u32 = 0;
export const LPM_KEY_ADDRESS_OFFSET: u32 = 4;
/** Size of one result (a u32 value pointer, 0 = no match) written by the batch lookups. */
export const MAP_BATCH_RESULT_SIZE: u32 = 4;
/** `kind` argument of hashCreate. */
export const HASH_KIND_HASH: u32 = 0;
export const HASH_KIND_LRU: u32 = 1;
/** Creation limits, so the host can check them against its own. */
export const LPM_LIMIT_MAX_ENTRIES: u32 = LPM_MAX_ENTRIES;
export const LPM_LIMIT_VALUE_SIZE: u32 = LPM_MAX_VALUE_SIZE;
export const HASH_LIMIT_MAX_ENTRIES: u32 = HASH_MAX_ENTRIES;
export const HASH_LIMIT_KEY_SIZE: u32 = HASH_MAX_KEY_SIZE;
export const HASH_LIMIT_VALUE_SIZE: u32 = HASH_MAX_VALUE_SIZE;

function keyLength(key: usize): u32 {
  return load<u32>(key + LPM_KEY_PREFIXLEN_OFFSET);
}

function keyAddress(key: usize): u32 {
  return bswap<u32>(load<u32>(key + LPM_KEY_ADDRESS_OFFSET));
}

function writeLpmKey(trie: LpmTrie, id: u32, key: usize): void {
  store<u32>(key + LPM_KEY_PREFIXLEN_OFFSET, trie.entryLength(id));
  store<u32>(key + LPM_KEY_ADDRESS_OFFSET, bswap<u32>(trie.entryAddress(id)));
}

// ---- LPM trie ----------------------------------------------------------------------------------

/** Creates an IPv4 LPM trie; returns its handle, or -EINVAL / -ENOMEM. */
export function lpmCreate(valueSize: u32, maxEntries: u32): i32 {
  const error = LpmTrie.check(valueSize, maxEntries);
  if (error != 0) return error;
  return registerLpmTrie(new LpmTrie(valueSize, maxEntries));
}

export function lpmDestroy(handle: i32): i32 {
  const trie = lpmTrieOf(handle);
  if (trie === null) return -EBADF;
  trie.dispose();
  releaseLpmTrie(handle);
  return 0;
}

/** bpf_map_update_elem: 0 or a negative errno (see LpmTrie.update). */
export function lpmUpdate(handle: i32, key: usize, value: usize, flags: u32): i32 {
  const trie = lpmTrieOf(handle);
  if (trie === null) return -EBADF;
  return trie.update(keyAddress(key), keyLength(key), value, flags);
}

/**
 * `n` updates in order: keys back to back (LPM_KEY_SIZE each), values back to back (valueSize
 * each). Each result code goes to `results` (i32 each) unless it is 0. Returns how many succeeded.
 */
export function lpmUpdateBatch(
  handle: i32,
  keys: usize,
  values: usize,
  n: u32,
  flags: u32,
  results: usize,
): i32 {
  const trie = lpmTrieOf(handle);
  if (trie === null) return -EBADF;
  const valueSize = <usize>trie.valueSize;
  let ok = 0;
  for (let i: usize = 0; i < <usize>n; i++) {
    const key = keys + i * LPM_KEY_SIZE;
    const code = trie.update(keyAddress(key), keyLength(key), values + i * valueSize, flags);
    if (results != 0) store<i32>(results + (i << 2), code);
    ok += i32(code == 0);
  }
  return ok;
}

/** bpf_map_delete_elem on the exact prefix: 0, -ENOENT or -EINVAL. */
export function lpmDelete(handle: i32, key: usize): i32 {
  const trie = lpmTrieOf(handle);
  if (trie === null) return -EBADF;
  return trie.delete(keyAddress(key), keyLength(key));
}

/** Value pointer of exactly the prefix at `key`, or 0. */
export function lpmGet(handle: i32, key: usize): usize {
  const trie = lpmTrieOf(handle);
  if (trie === null) return 0;
  return trie.get(keyAddress(key), keyLength(key));
}

/**
 * Longest-prefix lookup of a host-order address: the value pointer or 0. When `matchedKey` is not
 * 0, the matching prefix is written there as an LPM key.
 */
export function lpmLookup(handle: i32, address: u32, matchedKey: usize): usize {
  const trie = lpmTrieOf(handle);
  if (trie === null) return 0;
  const id = trie.lookupId(address);
  if (id < 0) return 0;
  if (matchedKey != 0) writeLpmKey(trie, <u32>id, matchedKey);
  return trie.entryValue(<u32>id);
}

/** `n` lookups (see LpmTrie.lookupBatch); returns the number of matches or -EBADF. */
export function lpmLookupBatch(handle: i32, addresses: usize, n: u32, results: usize): i32 {
  const trie = lpmTrieOf(handle);
  if (trie === null) return -EBADF;
  return <i32>trie.lookupBatch(addresses, n, results);
}

/**
 * bpf_map_get_next_key in (address, prefix length) order: writes the key following the one at
 * `previousKey` (or the first key when it is 0) to `nextKey`. 0, -ENOENT at the end, -EINVAL for a
 * previous key longer than /32.
 */
export function lpmNextKey(handle: i32, previousKey: usize, nextKey: usize): i32 {
  const trie = lpmTrieOf(handle);
  if (trie === null) return -EBADF;
  if (previousKey != 0 && keyLength(previousKey) > 32) return -EINVAL;
  const after = previousKey != 0;
  const id = trie.next(after, after ? keyAddress(previousKey) : 0, after ? keyLength(previousKey) : 0);
  if (id < 0) return -ENOENT;
  writeLpmKey(trie, <u32>id, nextKey);
  return 0;
}

export function lpmCount(handle: i32): i32 {
  const trie = lpmTrieOf(handle);
  return trie === null ? -EBADF : <i32>trie.count;
}

export function lpmMaxEntries(handle: i32): i32 {
  const trie = lpmTrieOf(handle);
  return trie === null ? -EBADF : <i32>trie.maxEntries;
}

export function lpmValueSize(handle: i32): i32 {
  const trie = lpmTrieOf(handle);
  return trie === null ? -EBADF : <i32>trie.valueSize;
}

/** Bytes of linear memory the trie holds (the host reads the result as unsigned). */
export function lpmMemoryBytes(handle: i32): usize {
  const trie = lpmTrieOf(handle);
  return trie === null ? 0 : trie.memoryBytes;
}

// ---- hash and LRU hash maps --------------------------------------------------------------------

/** Creates a hash map (kind HASH_KIND_HASH) or LRU hash map (HASH_KIND_LRU); handle or -errno. */
export function hashCreate(kind: u32, keySize: u32, valueSize: u32, maxEntries: u32): i32 {
  if (kind == HASH_KIND_HASH) {
    const error = HashMap.check(keySize, valueSize, maxEntries);
    if (error != 0) return error;
    return registerHashMap(new HashMap(keySize, valueSize, maxEntries));
  }
  if (kind == HASH_KIND_LRU) {
    const error = LruHashMap.check(keySize, valueSize, maxEntries);
    if (error != 0) return error;
    return registerHashMap(new LruHashMap(keySize, valueSize, maxEntries));
  }
  return -EINVAL;
}

export function hashDestroy(handle: i32): i32 {
  const map = hashCoreOf(handle);
  if (map === null) return -EBADF;
  map.dispose();
  releaseHashMap(handle);
  return 0;
}

function update(map: HashCore, key: usize, value: usize, flags: u32): i32 {
  return map instanceof LruHashMap
    ? changetype<LruHashMap>(map).update(key, value, flags)
    : changetype<HashMap>(map).update(key, value, flags);
}

/** bpf_map_update_elem: 0 or a negative errno (see HashMap.update / LruHashMap.update). */
export function hashUpdate(handle: i32, key: usize, value: usize, flags: u32): i32 {
  const map = hashCoreOf(handle);
  if (map === null) return -EBADF;
  return update(map, key, value, flags);
}

/** As lpmUpdateBatch, with keys of keySize bytes. */
export function hashUpdateBatch(
  handle: i32,
  keys: usize,
  values: usize,
  n: u32,
  flags: u32,
  results: usize,
): i32 {
  const map = hashCoreOf(handle);
  if (map === null) return -EBADF;
  const keySize = <usize>map.keySize;
  const valueSize = <usize>map.valueSize;
  let ok = 0;
  for (let i: usize = 0; i < <usize>n; i++) {
    const code = update(map, keys + i * keySize, values + i * valueSize, flags);
    if (results != 0) store<i32>(results + (i << 2), code);
    ok += i32(code == 0);
  }
  return ok;
}

/** bpf_map_delete_elem: 0 or -ENOENT. */
export function hashDelete(handle: i32, key: usize): i32 {
  const map = hashCoreOf(handle);
  if (map === null) return -EBADF;
  return map instanceof LruHashMap
    ? changetype<LruHashMap>(map).delete(key)
    : changetype<HashMap>(map).delete(key);
}

/** Value pointer or 0; an LRU hit sets the entry's reference bit. */
export function hashLookup(handle: i32, key: usize): usize {
  const map = hashCoreOf(handle);
  if (map === null) return 0;
  return map instanceof LruHashMap
    ? changetype<LruHashMap>(map).lookup(key)
    : changetype<HashMap>(map).lookup(key);
}

/** Value pointer or 0, leaving LRU reference bits alone (for dumps). */
export function hashPeek(handle: i32, key: usize): usize {
  const map = hashCoreOf(handle);
  if (map === null) return 0;
  return map.peek(key);
}

/** `n` lookups of keys stored back to back; u32 value pointers to `results`; number found or -EBADF. */
export function hashLookupBatch(handle: i32, keys: usize, n: u32, results: usize): i32 {
  const map = hashCoreOf(handle);
  if (map === null) return -EBADF;
  return <i32>(
    (map instanceof LruHashMap
      ? changetype<LruHashMap>(map).lookupBatch(keys, n, results)
      : changetype<HashMap>(map).lookupBatch(keys, n, results))
  );
}

/**
 * bpf_map_get_next_key in key byte order: writes the key following the one at `previousKey` (the
 * first key when 0) to `nextKey`. 0 or -ENOENT at the end.
 */
export function hashNextKey(handle: i32, previousKey: usize, nextKey: usize): i32 {
  const map = hashCoreOf(handle);
  if (map === null) return -EBADF;
  const id = map.next(previousKey);
  if (id < 0) return -ENOENT;
  memory.copy(nextKey, map.entryKey(<u32>id), map.keySize);
  return 0;
}

export function hashCount(handle: i32): i32 {
  const map = hashCoreOf(handle);
  return map === null ? -EBADF : <i32>map.count;
}

export function hashMaxEntries(handle: i32): i32 {
  const map = hashCoreOf(handle);
  return map === null ? -EBADF : <i32>map.maxEntries;
}

export function hashKeySize(handle: i32): i32 {
  const map = hashCoreOf(handle);
  return map === null ? -EBADF : <i32>map.keySize;
}

export function hashValueSize(handle: i32): i32 {
  const map = hashCoreOf(handle);
  return map === null ? -EBADF : <i32>map.valueSize;
}

/** Bytes of linear memory the map holds (the host reads the result as unsigned). */
export function hashMemoryBytes(handle: i32): usize {
  const map = hashCoreOf(handle);
  return map === null ? 0 : map.memoryBytes;
}

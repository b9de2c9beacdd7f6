// Handle tables: the host refers to maps by small integer handles; AssemblyScript code (the
// datapath) turns a handle back into the map object once and then calls its methods inline.
// Not exported from the module.
import { LpmTrie } from "./lpm-trie";
import { HashCore } from "./hash-core";
import { HashMap } from "./hash-map";
import { LruHashMap } from "./lru-hash-map";

const lpmTries = new Array<LpmTrie | null>();
const hashMaps = new Array<HashCore | null>();

function firstFree<T>(table: Array<T | null>): i32 {
  for (let i = 0; i < table.length; i++) if (table[i] === null) return i;
  table.push(null);
  return table.length - 1;
}

export function registerLpmTrie(trie: LpmTrie): i32 {
  const handle = firstFree(lpmTries);
  lpmTries[handle] = trie;
  return handle;
}

/** The LPM trie behind `handle`, or null if the handle is not live. */
export function lpmTrieOf(handle: i32): LpmTrie | null {
  return handle >= 0 && handle < lpmTries.length ? lpmTries[handle] : null;
}

export function releaseLpmTrie(handle: i32): void {
  lpmTries[handle] = null;
}

export function registerHashMap(map: HashCore): i32 {
  const handle = firstFree(hashMaps);
  hashMaps[handle] = map;
  return handle;
}

/** The hash or LRU hash map behind `handle`, or null if the handle is not live. */
export function hashCoreOf(handle: i32): HashCore | null {
  return handle >= 0 && handle < hashMaps.length ? hashMaps[handle] : null;
}

/** The plain hash map behind `handle`, or null (also if it is an LRU map). */
export function hashMapOf(handle: i32): HashMap | null {
  const map = hashCoreOf(handle);
  return map instanceof HashMap ? changetype<HashMap>(map) : null;
}

/** The LRU hash map behind `handle`, or null (also if it is a plain hash map). */
export function lruHashMapOf(handle: i32): LruHashMap | null {
  const map = hashCoreOf(handle);
  return map instanceof LruHashMap ? changetype<LruHashMap>(map) : null;
}

export function releaseHashMap(handle: i32): void {
  hashMaps[handle] = null;
}

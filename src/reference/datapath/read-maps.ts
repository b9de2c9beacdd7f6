// The reference twin's read-back: its maps hold the same key and value bytes as the Wasm maps, so
// they are decoded by the same decoders (src/wasm/codec.ts).
import type { DatapathMapName, DatapathMaps } from "../../engine/map-records.js";
import { decodeRecords, type RawRecord } from "../../wasm/codec.js";
import type { ReferenceHashMap } from "../maps/hash-map.js";
import type { ReferenceLpmMap } from "../maps/lpm-trie.js";
import type { RefNode } from "./node.js";

/** Hash-map entries in key byte order, without touching LRU recency. */
function hashRecords(map: ReferenceHashMap): RawRecord[] {
  return [...map.entries()].map(({ key, value }) => ({ key, value }));
}

/** LPM entries in (address, length) order, keyed {u32 address, u32 prefix length} like the Wasm read. */
function lpmRecords(map: ReferenceLpmMap): RawRecord[] {
  return [...map.entries()].map(({ prefix, value }) => {
    const key = new Uint8Array(8);
    const k = new DataView(key.buffer);
    k.setUint32(0, prefix.address >>> 0, true);
    k.setUint32(4, prefix.length, true);
    return { key, value };
  });
}

export function readReferenceMap<K extends DatapathMapName>(node: RefNode, name: K): DatapathMaps[K] {
  const maps: { readonly [N in Exclude<DatapathMapName, "maglev">]: () => RawRecord[] } = {
    services: () => hashRecords(node.services),
    backends: () => hashRecords(node.backends),
    revNat: () => hashRecords(node.revNat),
    ipcache: () => lpmRecords(node.ipcache),
    ipMasq: () => lpmRecords(node.ipMasq),
    ctTcp: () => hashRecords(node.ctTcp),
    ctAny: () => hashRecords(node.ctAny),
    nat: () => hashRecords(node.nat),
    endpoints: () => hashRecords(node.endpoints),
    affinity: () => hashRecords(node.affinity),
  };
  if (name === "maglev") {
    const tables = [...node.maglev].map(([revNatId, table]) => ({ revNatId, backendIds: Array.from(table) }));
    return tables.sort((a, b) => a.revNatId - b.revNatId) as DatapathMaps[K];
  }
  const which = name as Exclude<K, "maglev">;
  return decodeRecords(which, maps[which]());
}

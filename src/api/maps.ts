// "dpemu/maps": BPF map semantics outside a kernel — the shared interfaces, limits and errno codes,
// the Wasm maps and their TypeScript twins (LPM trie, hash and LRU hash maps).
export * from "../maps/types.js";
export { WasmHashMap, WasmLpmMap } from "../wasm/maps.js";
export { ReferenceHashMap } from "../reference/maps/hash-map.js";
export { ReferenceLpmMap } from "../reference/maps/lpm-trie.js";

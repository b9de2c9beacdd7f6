// dpemu public API.
export { loadWasm, WasmInstance, type WasmSource } from "./wasm/module.js";

// BPF maps: shared interfaces and constants, the Wasm maps, and their TypeScript twins.
export * from "./maps/types.js";
export { WasmHashMap, WasmLpmMap } from "./wasm/maps.js";
export { ReferenceLpmMap } from "./reference/maps/lpm-map.js";
export { ReferenceHashMap } from "./reference/maps/hash-map.js";

// dpemu public API.
export { loadWasm, WasmInstance, type WasmSource } from "./wasm/module.js";

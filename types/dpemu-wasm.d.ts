// The types of the package's `dpemu/dpemu.wasm` and `dpemu/dpemu.wasm?url` subpaths: a bundler's file
// or asset loader (esbuild `loader: { ".wasm": "file" }`, Vite `?url`) turns the import of dpemu's
// WebAssembly module into its URL, for setDefaultWasmSource or loadWasm.

/** URL of dpemu's WebAssembly module, as the bundler emitted it. */
declare const wasmUrl: string;
export default wasmUrl;

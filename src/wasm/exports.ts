// The exports of build/dpemu.wasm as the host sees them: the typings asc generates for the raw
// exports (exports.generated.ts), plus what @assemblyscript/loader adds to the instance.
import type { WasmExports } from "./exports.generated.js";

/** Helpers @assemblyscript/loader adds to the raw exports. */
export interface LoaderExports {
  __getString(ptr: number): string;
}

/** Every export of a loaded instance. Pointers and sizes are u32 numbers. */
export type DpemuExports = WasmExports & LoaderExports;

// The raw exports of build/dpemu.wasm, as the host sees them. Each area of assembly/ adds its own
// interface below and joins it into DpemuExports. Pointers and sizes are u32 numbers.
import type { LbExports } from "./lb-exports.js";
import type { MapsExports } from "./maps-exports.js";
import type { DatapathExports } from "./datapath-exports.js";
import type { DatapathDumpExports } from "./datapath-dump-exports.js";

/** Core exports: ABI version, scratch area, runtime. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  readonly ABI_VERSION: WebAssembly.Global;
  scratch(size: number): number;
  __collect(): void;
  __getString(ptr: number): string;
}

export type DpemuExports = CoreExports & LbExports & MapsExports & DatapathExports & DatapathDumpExports;

// "dpemu/wasm": the Wasm side of the engine for tools that drive it directly — the datapath engine,
// its packet and verdict record codec, and Maglev table builds in Wasm memory.
export { WasmDatapathEngine } from "../wasm/datapath.js";
export {
  RECORD_LAYOUT,
  decodeVerdict,
  encodePacket,
  verdictFlagNames,
  type RecordLayout,
} from "../wasm/codec.js";
export { MaglevWasm, type MaglevTableHandle } from "../wasm/maglev.js";

// "dpemu/wasm": the Wasm side of the engine for tools that drive it directly — the datapath engine,
// its packet and verdict record codec, and Maglev table builds in Wasm memory.
export {
  WasmDatapathEngine,
  decodeVerdict,
  encodePacket,
  readRecordLayout,
  verdictFlagNames,
  type RecordLayout,
} from "../wasm/datapath.js";
export { MaglevWasm, type MaglevTableHandle } from "../lb/maglev-wasm.js";

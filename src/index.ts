// dpemu public API.
export { loadWasm, WasmInstance, type WasmSource } from "./wasm/module.js";

// Flow sources: the packet record and the streaming readers that fill it.
export {
  EntryPoint,
  IcmpType,
  IpProto,
  ReplyState,
  TcpFlag,
  copyPacketRecord,
  createPacketRecord,
  type PacketRecord,
} from "./model/packet.js";
export { createObservedFlow, type ObservedFlow } from "./model/observed-flow.js";
export { formatIPv4, parseIPv4 } from "./model/ipv4.js";
export { chunkBytes, type ByteSource } from "./replay/byte-source.js";
export { CaptureFormatError, type CaptureErrorPosition } from "./replay/capture-error.js";
export {
  runDecoder,
  type PacketDecoder,
  type PacketHandler,
  type ReaderOptions,
} from "./replay/packet-decoder.js";
export { createReadSummary, type CaptureFormat, type ReadSummary } from "./replay/read-summary.js";
export {
  SKIP_KINDS,
  nonZeroSkips,
  totalSkipped,
  type SkipCounts,
  type SkipKind,
} from "./replay/skip-counts.js";
export { LinkType } from "./replay/link-type.js";
export { PcapDecoder, readPcap, type PcapHeader } from "./replay/pcap-reader.js";
export { PcapngDecoder, readPcapng, type PcapngInterface } from "./replay/pcapng-reader.js";
export { HubbleDecoder, readHubble, type HubbleReaderOptions } from "./replay/hubble-reader.js";
export { detectCaptureFormat, type DetectedFormat } from "./replay/detect-format.js";
export { readCapture, UnknownCaptureFormatError, type ReadCaptureOptions } from "./replay/read-capture.js";
export {
  SyntheticFlowGenerator,
  readSynthetic,
  type ChurnEvent,
  type SyntheticReaderOptions,
} from "./replay/synthetic.js";
export {
  SyntheticSpecError,
  parseSyntheticSpec,
  type SyntheticSpec,
  type SyntheticSpecJson,
} from "./replay/synthetic-spec.js";
export { formatRfc3339, parseRfc3339 } from "./replay/rfc3339.js";

// "dpemu/readers": the push-style decoders behind readPcap, readPcapng and readHubble (for callers
// that feed bytes as they arrive), the synthetic generator, and RFC 3339 time text.
export { runDecoder, type PacketDecoder } from "../replay/packet-decoder.js";
export { PcapDecoder } from "../replay/pcap-reader.js";
export { PcapngDecoder } from "../replay/pcapng-reader.js";
export { HubbleDecoder } from "../replay/hubble-reader.js";
export { SyntheticFlowGenerator } from "../replay/synthetic.js";
export { createReadSummary } from "../replay/read-summary.js";
export { formatRfc3339, parseRfc3339 } from "../replay/rfc3339.js";

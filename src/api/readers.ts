// "dpemu/readers": the push-style decoders behind readPcap, readPcapng and readHubble (for callers
// that feed bytes as they arrive), the synthetic generator, and RFC 3339 time text.
export { runDecoder, type PacketDecoder } from "../readers/packet-decoder.js";
export { PcapDecoder } from "../readers/pcap-reader.js";
export { PcapngDecoder } from "../readers/pcapng-reader.js";
export { HubbleDecoder } from "../readers/hubble-reader.js";
export { SyntheticFlowGenerator } from "../synthetic/synthetic.js";
export { createReadSummary } from "../readers/read-summary.js";
export { formatRfc3339, parseRfc3339 } from "../readers/rfc3339.js";

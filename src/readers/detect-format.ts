// Tells an input's format from its first bytes: pcap and pcapng by their magic numbers, Hubble JSON
// and synthetic-flow specs by their JSON content. Anything else gets a description of what it looks
// like, for a clear error message.
import { pcapMagicInfo } from "./pcap-reader.js";
import type { CaptureFormat } from "./read-summary.js";

export interface DetectedFormat {
  format: CaptureFormat | "unknown";
  /** Human-readable: "pcap (nanosecond timestamps, big-endian)", or why the input was not recognised. */
  description: string;
}

/** How many leading bytes detection looks at (less is fine if the input is shorter). */
export const DETECTION_BYTES = 64 * 1024;

const textDecoder = new TextDecoder("utf-8", { fatal: false });

export function detectCaptureFormat(firstBytes: Uint8Array): DetectedFormat {
  if (firstBytes.length >= 4) {
    const firstWord =
      (firstBytes[0]! | (firstBytes[1]! << 8) | (firstBytes[2]! << 16) | (firstBytes[3]! << 24)) >>> 0;
    const pcap = pcapMagicInfo(firstWord);
    if (pcap) {
      const variant = pcap.modified
        ? "modified pcap, microsecond"
        : pcap.nanosecond
          ? "nanosecond"
          : "microsecond";
      return {
        format: "pcap",
        description: `pcap (${variant} timestamps, ${pcap.littleEndian ? "little" : "big"}-endian)`,
      };
    }
    if (firstWord === 0x0a0d0d0a) return { format: "pcapng", description: "pcapng" };
    if (firstBytes[0] === 0x1f && firstBytes[1] === 0x8b) {
      return { format: "unknown", description: "gzip-compressed data: decompress it first (gunzip)" };
    }
  }
  return detectText(firstBytes);
}

function detectText(firstBytes: Uint8Array): DetectedFormat {
  let text = textDecoder.decode(firstBytes.subarray(0, DETECTION_BYTES));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed === "") return { format: "unknown", description: "empty input" };
  if (trimmed.startsWith("{")) {
    // Hubble writes one object per line; a synthetic spec is one (usually pretty-printed) document.
    const firstLine = trimmed.slice(0, trimmed.indexOf("\n") === -1 ? undefined : trimmed.indexOf("\n"));
    const hubbleKeys =
      /"(flow|node_status|lost_events|agent_event|debug_event)"\s*:|"(verdict|trace_observation_point|event_type|Type)"\s*:/;
    if (hubbleKeys.test(firstLine)) return { format: "hubble", description: "Hubble flows (JSON lines)" };
    if (/"clients"\s*:/.test(trimmed) && /"services"\s*:/.test(trimmed)) {
      return { format: "synthetic", description: "synthetic flow spec (JSON)" };
    }
    return {
      format: "unknown",
      description:
        "JSON that is neither Hubble flows (no flow/verdict keys on the first line) nor a synthetic spec (needs clients and services)",
    };
  }
  if (/^[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d\.\d+: /.test(trimmed)) {
    return {
      format: "unknown",
      description: "Hubble text output: capture it with `hubble observe -o json` (or -o jsonpb) instead",
    };
  }
  const head = Array.from(firstBytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return { format: "unknown", description: `not a capture this tool reads (first bytes: ${head})` };
}

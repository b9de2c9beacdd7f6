// What a reader reports when it finishes (or stops on an error): how much it read and what it skipped.
import { createSkipCounts, type SkipCounts } from "./skip-counts.js";

/** Input formats the readers understand. */
export type CaptureFormat = "pcap" | "pcapng" | "hubble" | "synthetic";

export interface ReadSummary {
  format: CaptureFormat;
  /** Packet records handed to the callback. */
  packets: number;
  /** Packets (frames, flow lines, generated packets) seen, delivered or skipped. */
  seen: number;
  /** Skipped packets by reason; seen = packets + the sum of these. */
  skipped: SkipCounts;
  /** Bytes of input consumed (complete records only). */
  bytesRead: number;
}

export function createReadSummary(format: CaptureFormat): ReadSummary {
  return { format, packets: 0, seen: 0, skipped: createSkipCounts(), bytesRead: 0 };
}

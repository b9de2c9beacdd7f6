// Writes hand-built frames as a text2pcap hexdump (with timestamps) on stdout, for make-captures.sh:
//   npx tsx test/captures/frames.ts ethernet|ipv4|raw|sll|sll2
import { framesFor, type Bytes } from "./frame-builders.js";

function hexdump(frame: Bytes): string {
  const lines: string[] = [];
  for (let offset = 0; offset < frame.length; offset += 16) {
    const row = frame.slice(offset, offset + 16).map((b) => b.toString(16).padStart(2, "0"));
    lines.push(`${offset.toString(16).padStart(4, "0")}  ${row.join(" ")}`);
  }
  return lines.join("\n");
}

const variant = process.argv[2] ?? "ethernet";
const frames = framesFor(variant);
// Timestamps 1.000123457 s apart with digits below the microsecond, so µs and ns files differ.
const baseMs = Date.UTC(2024, 4, 1, 12, 0, 0);
const out: string[] = [];
frames.forEach((frame, i) => {
  const nanos = i * 1_000_123_457 + 987_654_321;
  const seconds = Math.floor(nanos / 1e9);
  const fraction = String(nanos % 1e9).padStart(9, "0");
  const stamp = new Date(baseMs + seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
  out.push(`${stamp}.${fraction}`, hexdump(frame), "");
});
process.stdout.write(out.join("\n"));

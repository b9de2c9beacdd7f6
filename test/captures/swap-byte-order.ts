// Rewrites a little-endian pcap or pcapng file (as Wireshark's tools write them on x86) in big-endian
// byte order, as a capture written on a big-endian host would be, for make-captures.sh. tshark then
// reads the result to record its view, so a mistake here shows up as a mismatch, never as a wrong test.
//   npx tsx test/captures/swap-byte-order.ts IN OUT
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error("usage: swap-byte-order.ts IN OUT");
const bytes = new Uint8Array(readFileSync(input));
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function swap16(offset: number): void {
  view.setUint16(offset, view.getUint16(offset, true), false);
}
function swap32(offset: number): void {
  view.setUint32(offset, view.getUint32(offset, true), false);
}
function swap64(offset: number): void {
  view.setBigUint64(offset, view.getBigUint64(offset, true), false);
}

function swapPcap(): void {
  swap32(0);
  swap16(4);
  swap16(6);
  for (const field of [8, 12, 16, 20]) swap32(field);
  let offset = 24;
  while (offset < bytes.length) {
    const captured = view.getUint32(offset + 8, true);
    for (const field of [0, 4, 8, 12]) swap32(offset + field);
    offset += 16 + captured;
  }
}

/** Options whose values are strings or single bytes need no swapping; anything else is refused. */
const BYTE_OPTIONS: Record<number, Set<number>> = {
  // shb_comment / opt_comment (1), shb_hardware (2), shb_os (3), shb_userappl (4)
  0x0a0d0d0a: new Set([1, 2, 3, 4]),
  // opt_comment, if_name (2), if_description (3), if_tsresol (9), if_os (12)
  1: new Set([1, 2, 3, 9, 12]),
  6: new Set([1]),
};

function swapOptions(blockType: number, start: number, end: number): void {
  let offset = start;
  while (offset + 4 <= end) {
    const code = view.getUint16(offset, true);
    const length = view.getUint16(offset + 2, true);
    swap16(offset);
    swap16(offset + 2);
    if (code === 0) return;
    if (!BYTE_OPTIONS[blockType]?.has(code)) {
      throw new Error(`don't know how to swap option ${code} of block type 0x${blockType.toString(16)}`);
    }
    offset += 4 + ((length + 3) & ~3);
  }
}

function swapPcapng(): void {
  let offset = 0;
  while (offset < bytes.length) {
    const type = view.getUint32(offset, true);
    const length = view.getUint32(offset + 4, true);
    const end = offset + length - 4;
    swap32(offset);
    swap32(offset + 4);
    swap32(end);
    switch (type) {
      case 0x0a0d0d0a:
        swap32(offset + 8);
        swap16(offset + 12);
        swap16(offset + 14);
        swap64(offset + 16);
        swapOptions(type, offset + 24, end);
        break;
      case 1:
        swap16(offset + 8);
        swap16(offset + 10);
        swap32(offset + 12);
        swapOptions(type, offset + 16, end);
        break;
      case 6: {
        const captured = view.getUint32(offset + 20, true);
        for (const field of [8, 12, 16, 20, 24]) swap32(offset + field);
        swapOptions(type, offset + 28 + ((captured + 3) & ~3), end);
        break;
      }
      default:
        throw new Error(`don't know how to swap block type 0x${type.toString(16)}`);
    }
    offset += length;
  }
}

const magic = view.getUint32(0, true);
if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) swapPcap();
else if (magic === 0x0a0d0d0a) swapPcapng();
else throw new Error(`${input}: not a little-endian pcap or pcapng file`);
writeFileSync(output, bytes);

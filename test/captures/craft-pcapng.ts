// Writes a pcapng file with the features no Debian tool writes, for make-captures.sh: binary and
// picosecond timestamp resolutions, if_tsoffset, simple and obsolete packet blocks, an unsupported link
// type, name-resolution / statistics / custom / local-use blocks to skip, interfaces declared after the
// first packets, and sections in both byte orders. tshark reads the result to record the expected view.
//   npx tsx test/captures/craft-pcapng.ts OUT
import { writeFileSync } from "node:fs";
import { ethernet, filler, icmpEcho, ipv4, sll2Header, tcp, udp, type Bytes } from "./frame-builders.js";

class SectionWriter {
  readonly out: Bytes = [];
  constructor(private readonly littleEndian: boolean) {}

  u16(v: number): Bytes {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    return this.littleEndian ? b.reverse() : b;
  }
  u32(v: number): Bytes {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.littleEndian ? b.reverse() : b;
  }
  u64(v: bigint): Bytes {
    const b: Bytes = [];
    for (let i = 7; i >= 0; i--) b.push(Number((BigInt.asUintN(64, v) >> BigInt(i * 8)) & 0xffn));
    return this.littleEndian ? b.reverse() : b;
  }
  pad(body: Bytes): Bytes {
    return [...body, ...new Array<number>((4 - (body.length % 4)) % 4).fill(0)];
  }
  options(list: Array<[number, Bytes]>): Bytes {
    if (list.length === 0) return [];
    return [
      ...list.flatMap(([code, value]) => [...this.u16(code), ...this.u16(value.length), ...this.pad(value)]),
      0,
      0,
      0,
      0,
    ];
  }
  block(type: number, body: Bytes): void {
    const padded = this.pad(body);
    const total = padded.length + 12;
    this.out.push(...this.u32(type), ...this.u32(total), ...padded, ...this.u32(total));
  }
  sectionHeader(): void {
    const app = [..."dpemu test/captures/craft-pcapng.ts"].map((c) => c.charCodeAt(0));
    this.block(0x0a0d0d0a, [
      ...this.u32(0x1a2b3c4d),
      ...this.u16(1),
      ...this.u16(0),
      ...this.u64(-1n),
      ...this.options([[4, app]]),
    ]);
  }
  interface(linkType: number, snapLength: number, tsresol?: number, tsoffset?: bigint): void {
    const options: Array<[number, Bytes]> = [];
    if (tsresol !== undefined) options.push([9, [tsresol]]);
    if (tsoffset !== undefined) options.push([14, this.u64(tsoffset)]);
    this.block(1, [...this.u16(linkType), ...this.u16(0), ...this.u32(snapLength), ...this.options(options)]);
  }
  enhanced(
    interfaceId: number,
    ticks: bigint,
    frame: Bytes,
    wireLength = frame.length,
    options: Array<[number, Bytes]> = [],
  ): void {
    const high = Number(ticks >> 32n);
    const low = Number(ticks & 0xffffffffn);
    this.block(6, [
      ...this.u32(interfaceId),
      ...this.u32(high),
      ...this.u32(low),
      ...this.u32(frame.length),
      ...this.u32(wireLength),
      ...this.pad(frame),
      ...this.options(options),
    ]);
  }
  obsolete(interfaceId: number, ticks: bigint, frame: Bytes): void {
    this.block(2, [
      ...this.u16(interfaceId),
      ...this.u16(0),
      ...this.u32(Number(ticks >> 32n)),
      ...this.u32(Number(ticks & 0xffffffffn)),
      ...this.u32(frame.length),
      ...this.u32(frame.length),
      ...this.pad(frame),
    ]);
  }
  simple(frame: Bytes, snapLength: number): void {
    this.block(3, [
      ...this.u32(frame.length),
      ...this.pad(snapLength > 0 ? frame.slice(0, snapLength) : frame),
    ]);
  }
}

const client = "10.0.1.5";
const vip = "10.96.163.90";
const base = 1714564800n;
const v4 = (proto: number, payload: Bytes, src = client, dst = vip): Bytes =>
  ipv4({ src, dst, proto, payload });
const eth = (packet: Bytes): Bytes => ethernet(0x0800, packet);

// Section 1, little-endian: six interfaces with different link types and clocks.
const a = new SectionWriter(true);
a.sectionHeader();
a.interface(1, 0); // Ethernet, default resolution (microseconds)
a.interface(228, 0, 0x94, base - 100n); // raw IPv4, 2^-20 s ticks, offset
a.interface(276, 0, 3); // SLL2, milliseconds
a.interface(1, 0, 12, base); // Ethernet, picoseconds, offset
a.interface(105, 0); // 802.11: not decoded
a.interface(101, 0, 0x9e); // raw IP, 2^-30 s ticks
// Name resolution block: one IPv4 record, then end of records.
a.block(4, [
  ...a.u16(1),
  ...a.u16(8),
  10,
  96,
  163,
  90,
  ..."web\0".split("").map((c) => c.charCodeAt(0)),
  0,
  0,
  0,
  0,
]);
a.enhanced(0, base * 1_000_000n + 123_456n, eth(v4(6, tcp(41000, 80, 0x02))));
a.enhanced(1, (100n << 20n) + (1n << 19n) + 1n, v4(17, udp(41001, 53, filler(12)), client, "10.96.0.10"));
a.enhanced(2, base * 1000n + 999n, [
  ...sll2Header(0x0800, 4),
  ...v4(1, icmpEcho(8, 0x4d2, 3), client, "172.20.1.126"),
]);
// Interface statistics block for interface 0 (timestamp, then no options).
a.block(5, [
  ...a.u32(0),
  ...a.u32(Number((base * 1_000_000n) >> 32n)),
  ...a.u32(Number((base * 1_000_000n) & 0xffffffffn)),
]);
// 0.009876543789 s: below 2^64 / 1e9 ps, where tshark 4.0's sub-ns conversion does not overflow.
a.enhanced(3, 9_876_543_789n, eth(v4(17, udp(41002, 8472, filler(30)), "192.168.10.100", "192.168.10.101")));
a.enhanced(4, base * 1_000_000n, filler(40));
a.enhanced(5, (base << 30n) + (1n << 29n) + 12345n, v4(6, tcp(41003, 443, 0x18, filler(10))));
// Custom blocks (copiable and not, PEN 32473 = documentation): tshark lists them as frames without a
// packet. A local-use block type: skipped silently by both.
a.block(0x00000bad, [...a.u32(32473), ...filler(7)]);
a.block(0x40000bad, [...a.u32(32473), ...filler(5)]);
a.block(0x80001234, filler(16));
a.obsolete(0, base * 1_000_000n + 500_000n, eth(v4(6, tcp(41000, 80, 0x10))));
// epb_flags (inbound) and a comment after the packet data.
a.enhanced(0, base * 1_000_000n + 600_000n, eth(v4(6, tcp(80, 41000, 0x12), vip, client)), undefined, [
  [2, a.u32(1)],
  [1, [..."flags and comment"].map((c) => c.charCodeAt(0))],
]);
// Snapped by the writer: 40 of 70 bytes (TCP header cut).
const long = eth(v4(6, tcp(41004, 80, 0x18, filler(16))));
a.enhanced(0, base * 1_000_000n + 700_000n, long.slice(0, 40), long.length);

// Section 2, big-endian: snap length 64, simple packet blocks (no timestamp), nanoseconds.
const b = new SectionWriter(false);
b.sectionHeader();
b.interface(1, 64, 9);
b.simple(eth(v4(6, tcp(42000, 80, 0x18, filler(36)))), 64);
b.simple(eth(v4(17, udp(42001, 53, filler(10)), client, "10.96.0.10")), 64);
b.enhanced(0, (base + 5n) * 1_000_000_000n + 5n, eth(v4(6, tcp(42002, 80, 0x02))));

// Section 3, little-endian: a raw-IP interface, and one declared after the first packet.
const c = new SectionWriter(true);
c.sectionHeader();
c.interface(101, 0);
c.simple(v4(1, icmpEcho(0, 0x4d2, 3), "172.20.1.126", client), 0);
c.interface(1, 0, 6);
c.enhanced(1, (base + 9n) * 1_000_000n + 1n, eth(v4(132, [...filler(12)])));

const out = process.argv[2];
if (!out) throw new Error("usage: craft-pcapng.ts OUT");
writeFileSync(out, new Uint8Array([...a.out, ...b.out, ...c.out]));

// Hand-built frames for make-captures.sh (text2pcap input and crafted pcapng blocks). The frames'
// meaning is checked by tshark when the script records its view of every capture, not by this file.
// Checksums are left 0: tshark does not verify them by default and the readers ignore them.

export type Bytes = number[];

export function u16(v: number): Bytes {
  return [(v >>> 8) & 0xff, v & 0xff];
}
export function u32(v: number): Bytes {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
export function ip(text: string): Bytes {
  return text.split(".").map(Number);
}
export function filler(n: number, seed = 0x41): Bytes {
  return Array.from({ length: n }, (_, i) => (seed + i) & 0xff);
}

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  payload: Bytes;
  /** 4-byte multiples of IP options. */
  options?: Bytes;
  /** Fragment offset in 8-byte units, and the more-fragments flag. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  id?: number;
  /** Override the total-length field (e.g. 0 for a TSO capture). */
  totalLength?: number;
}

export function ipv4(o: Ipv4Options): Bytes {
  const options = o.options ?? [];
  const headerLength = 20 + options.length;
  const total = o.totalLength ?? headerLength + o.payload.length;
  const flagsFragment = (o.moreFragments ? 0x2000 : 0) | (o.fragmentOffset ?? 0);
  return [
    0x40 | (headerLength / 4),
    0x00,
    ...u16(total),
    ...u16(o.id ?? 0x1c46),
    ...u16(flagsFragment),
    64,
    o.proto,
    0,
    0,
    ...ip(o.src),
    ...ip(o.dst),
    ...options,
    ...o.payload,
  ];
}

export function tcp(
  sport: number,
  dport: number,
  flags: number,
  payload: Bytes = [],
  options: Bytes = [],
): Bytes {
  const headerWords = 5 + options.length / 4;
  // NS is flag bit 8: the low bit of byte 12.
  return [
    ...u16(sport),
    ...u16(dport),
    ...u32(0x01020304),
    ...u32((flags & 0x10) !== 0 ? 0x0a0b0c0d : 0),
    (headerWords << 4) | ((flags >>> 8) & 1),
    flags & 0xff,
    ...u16(64240),
    0,
    0,
    0,
    0,
    ...options,
    ...payload,
  ];
}

export function udp(sport: number, dport: number, payload: Bytes): Bytes {
  return [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload];
}

export function icmpEcho(type: 0 | 8, id: number, seq: number): Bytes {
  return [type, 0, 0, 0, ...u16(id), ...u16(seq), ...filler(16)];
}

function sctpInit(sport: number, dport: number): Bytes {
  // Common header (ports, verification tag 0, checksum) + an INIT chunk.
  const init = [1, 0, ...u16(20), ...u32(0x11223344), ...u32(65536), ...u16(10), ...u16(10), ...u32(1)];
  return [...u16(sport), ...u16(dport), ...u32(0), ...u32(0), ...init];
}

export function ipv6Tcp(): Bytes {
  const payload = tcp(44000, 443, 0x02);
  const src = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const dst = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
  return [0x60, 0, 0, 0, ...u16(payload.length), 6, 64, ...src, ...dst, ...payload];
}

export function arpRequest(): Bytes {
  return [
    ...u16(1),
    ...u16(0x0800),
    6,
    4,
    ...u16(1),
    ...MAC_A,
    ...ip("10.0.1.5"),
    0,
    0,
    0,
    0,
    0,
    0,
    ...ip("10.0.1.1"),
  ];
}

const MAC_A = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
const MAC_B = [0x02, 0x42, 0xac, 0x11, 0x00, 0x03];

/** One L3 packet with its Ethernet type, before any link-layer header. */
interface L3 {
  ethertype: number;
  bytes: Bytes;
}

const client = "10.0.1.5";
const vip = "10.96.163.90";

/** The IP-level packets every link type carries. */
function ipv4Packets(): L3[] {
  const v4 = (o: Ipv4Options): L3 => ({ ethertype: 0x0800, bytes: ipv4(o) });
  return [
    v4({ src: client, dst: vip, proto: 6, payload: tcp(40000, 80, 0x02, [], [2, 4, 5, 0xb4]) }),
    v4({ src: vip, dst: client, proto: 6, payload: tcp(80, 40000, 0x12) }),
    v4({ src: client, dst: vip, proto: 6, payload: tcp(40000, 80, 0x10) }),
    v4({ src: client, dst: vip, proto: 6, payload: tcp(40000, 80, 0x18, filler(32)) }),
    v4({ src: client, dst: vip, proto: 6, payload: tcp(40000, 80, 0x11) }),
    v4({ src: "192.168.10.100", dst: client, proto: 6, payload: tcp(30001, 51000, 0x14) }),
    // SYN with ECE, CWR and NS.
    v4({ src: client, dst: "10.0.2.7", proto: 6, payload: tcp(40001, 8080, 0x1c2) }),
    v4({ src: client, dst: "10.96.0.10", proto: 17, payload: udp(53000, 53, filler(29)) }),
    v4({ src: "10.96.0.10", dst: client, proto: 17, payload: udp(53, 53000, filler(45)) }),
    v4({ src: client, dst: "172.20.0.66", proto: 1, payload: icmpEcho(8, 0x1234, 1) }),
    v4({ src: "172.20.0.66", dst: client, proto: 1, payload: icmpEcho(0, 0x1234, 1) }),
    // Port unreachable, quoting the UDP datagram that caused it.
    v4({
      src: "10.0.2.7",
      dst: client,
      proto: 1,
      payload: [
        3,
        3,
        0,
        0,
        0,
        0,
        0,
        0,
        ...ipv4({ src: client, dst: "10.0.2.7", proto: 17, payload: udp(53001, 9999, []) }),
      ],
    }),
    v4({ src: client, dst: "10.0.2.7", proto: 132, payload: sctpInit(5000, 38412) }),
    // IP options (record route placeholder: NOP NOP NOP EOL).
    v4({ src: client, dst: vip, proto: 6, options: [1, 1, 1, 0], payload: tcp(40002, 80, 0x02) }),
    // First fragment (has the UDP header), then a later one (does not).
    v4({
      src: client,
      dst: "10.0.2.7",
      proto: 17,
      moreFragments: true,
      id: 0x4242,
      payload: udp(53002, 9000, filler(24)),
    }),
    v4({ src: client, dst: "10.0.2.7", proto: 17, fragmentOffset: 4, id: 0x4242, payload: filler(16) }),
    // GRE carrying an ICMP echo: the outer packet counts, and GRE is not a protocol the datapath handles.
    v4({
      src: "192.168.10.100",
      dst: "192.168.10.101",
      proto: 47,
      payload: [
        0,
        0,
        0x08,
        0x00,
        ...ipv4({ src: "172.20.1.9", dst: "172.20.0.66", proto: 1, payload: icmpEcho(8, 7, 7) }),
      ],
    }),
    // A header length of 16 bytes (IHL 4): impossible, so malformed.
    {
      ethertype: 0x0800,
      bytes: [0x44, ...ipv4({ src: client, dst: vip, proto: 6, payload: tcp(40004, 80, 0x02) }).slice(1)],
    },
    // TSO super-packet as captured on the sender: total length 0.
    v4({ src: client, dst: vip, proto: 6, totalLength: 0, payload: tcp(40003, 80, 0x18, filler(100)) }),
  ];
}

function otherPackets(): L3[] {
  return [
    { ethertype: 0x86dd, bytes: ipv6Tcp() },
    { ethertype: 0x0806, bytes: arpRequest() },
  ];
}

export function ethernet(ethertype: number, payload: Bytes, tags: Array<[number, number]> = []): Bytes {
  const tagBytes = tags.flatMap(([tpid, vid]) => [...u16(tpid), ...u16(vid)]);
  return [...MAC_B, ...MAC_A, ...tagBytes, ...u16(ethertype), ...payload];
}

function ethernetFrames(): Bytes[] {
  const frames = [...ipv4Packets(), ...otherPackets()].map((p) => ethernet(p.ethertype, p.bytes));
  const syn = ipv4({ src: client, dst: vip, proto: 6, payload: tcp(40010, 80, 0x02) });
  const dns = ipv4({ src: client, dst: "10.96.0.10", proto: 17, payload: udp(53010, 53, filler(20)) });
  frames.push(
    // 802.1Q, QinQ (802.1ad outer + 802.1Q inner), the old 0x9100 outer tag, and tagged non-IPv4.
    ethernet(0x0800, syn, [[0x8100, 100]]),
    ethernet(0x0800, dns, [
      [0x88a8, 10],
      [0x8100, 20],
    ]),
    ethernet(0x0800, syn, [
      [0x9100, 30],
      [0x8100, 40],
    ]),
    ethernet(0x86dd, ipv6Tcp(), [[0x8100, 100]]),
    ethernet(0x0806, arpRequest(), [[0x8100, 100]]),
    // LLDP, and an 802.3 frame with an LLC header (length field instead of a type).
    ethernet(0x88cc, [0x02, 0x07, 0x04, ...MAC_A, 0x04, 0x03, 0x05, 0x65, 0x30, 0x00, 0x00]),
    [...[0x01, 0x80, 0xc2, 0, 0, 0], ...MAC_A, ...u16(38), 0x42, 0x42, 0x03, ...filler(35)],
    // A short TCP ACK padded to Ethernet's 60-byte minimum.
    [
      ...ethernet(0x0800, ipv4({ src: vip, dst: client, proto: 6, payload: tcp(80, 40000, 0x10) })),
      ...filler(6, 0),
    ],
  );
  return frames;
}

export function sllHeader(protocol: number, packetType: number): Bytes {
  // Packet type, ARPHRD_ETHER (or loopback 772), address length, 8 address bytes, protocol.
  return [...u16(packetType), ...u16(1), ...u16(6), ...MAC_A, 0, 0, ...u16(protocol)];
}

export function sll2Header(protocol: number, packetType: number): Bytes {
  return [...u16(protocol), 0, 0, ...u32(2), ...u16(1), packetType, 6, ...MAC_A, 0, 0];
}

function cookedFrames(header: (protocol: number, packetType: number) => Bytes): Bytes[] {
  const packets = [...ipv4Packets(), ...otherPackets()];
  const frames = packets.map((p, i) => [...header(p.ethertype, i % 2 === 0 ? 4 : 0), ...p.bytes]);
  // A VLAN tag left in the payload (protocol 0x8100), as when the kernel does not strip it.
  const syn = ipv4({ src: client, dst: vip, proto: 6, payload: tcp(40020, 80, 0x02) });
  frames.push([...header(0x8100, 0), ...u16(100), ...u16(0x0800), ...syn]);
  return frames;
}

export function framesFor(variant: string): Bytes[] {
  switch (variant) {
    case "ethernet":
      return ethernetFrames();
    case "ipv4":
      return ipv4Packets().map((p) => p.bytes);
    case "raw":
      return [...ipv4Packets(), otherPackets()[0]!].map((p) => p.bytes);
    case "sll":
      return cookedFrames(sllHeader);
    case "sll2":
      return cookedFrames(sll2Header);
    default:
      throw new Error(`unknown frame set ${variant} (ethernet|ipv4|raw|sll|sll2)`);
  }
}

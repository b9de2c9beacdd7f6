// Reads the committed captures and tshark's recorded view of them (test/captures/make-captures.sh), and
// states what the readers must produce for each frame tshark listed: a packet record with tshark's
// values, or a skip of a given kind. The rules follow the readers' documented contract (IPv4 only,
// first fragments only, whole fixed L4 header present); the values all come from tshark.
import { readFileSync, readdirSync } from "node:fs";
import { IcmpType, type PacketRecord } from "../../src/model/packet.js";
import { formatIPv4 } from "../../src/model/ipv4.js";
import type { SkipKind } from "../../src/readers/skip-counts.js";

export const CAPTURES_DIR = new URL("../captures/files/", import.meta.url);

interface L4View {
  offset: number;
  captured: number;
  sport?: number;
  dport?: number;
  flags?: number;
  type?: number;
  code?: number;
  ident?: number;
}

export interface TsharkFrame {
  frame: number;
  time?: string;
  len: number;
  caplen: number;
  iface: number | null;
  protocols: string;
  ip?: {
    src?: string;
    dst?: string;
    len?: number;
    hdrLen: number;
    proto?: number;
    fragOffset?: number;
    offset: number;
    captured: number;
  };
  tcp?: L4View[];
  udp?: L4View[];
  sctp?: L4View[];
  icmp?: L4View[];
}

/** The fields of a packet record a test compares, as plain values. */
export interface RecordView {
  packetNumber: number;
  time: string;
  saddr: string;
  daddr: string;
  proto: number;
  sport: number;
  dport: number;
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  ipLength: number;
  wireLength: number;
  capturedLength: number;
  interfaceId: number;
}

export type Expected = { record: RecordView } | { skip: SkipKind; frame: number };

export function recordView(p: PacketRecord): RecordView {
  return {
    packetNumber: p.packetNumber,
    time: `${p.seconds}.${String(p.nanoseconds).padStart(9, "0")}`,
    saddr: formatIPv4(p.saddr),
    daddr: formatIPv4(p.daddr),
    proto: p.proto,
    sport: p.sport,
    dport: p.dport,
    tcpFlags: p.tcpFlags,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    ipLength: p.ipLength,
    wireLength: p.wireLength,
    capturedLength: p.capturedLength,
    interfaceId: p.interfaceId,
  };
}

/** Capture files that have a tshark view, split by whether tshark read them to the end. */
export function captureFiles(): { complete: string[]; cut: string[] } {
  const names = readdirSync(CAPTURES_DIR);
  const captures = names.filter((n) => /\.(pcap|pcapng)$/.test(n)).sort();
  return {
    complete: captures.filter((n) => !names.includes(`${n}.tshark-error.txt`)),
    cut: captures.filter((n) => names.includes(`${n}.tshark-error.txt`)),
  };
}

export function readCaptureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, CAPTURES_DIR)));
}

export function tsharkFrames(name: string): TsharkFrame[] {
  return readFileSync(new URL(`${name}.tshark.jsonl`, CAPTURES_DIR), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as TsharkFrame);
}

const FIXED_L4_HEADER: Record<number, number> = { 6: 20, 17: 8, 132: 12, 1: 8 };
const LINK_PROTOCOLS = new Set(["eth", "sll", "raw", "ip", "ipv6"]);

/** What the readers must make of each frame tshark listed, in order. */
export function expectedOutcomes(frames: TsharkFrame[], pcapng: boolean): Expected[] {
  let lastTime = "0.000000000";
  return frames.map((f) => {
    // Simple packet blocks have no timestamp: the readers keep the previous packet's.
    if (f.time !== undefined) lastTime = f.time;
    const time = lastTime;
    const skip = (kind: SkipKind): Expected => ({ skip: kind, frame: f.frame });
    if (pcapng && f.iface === null) return skip("pcapng-custom-block");
    const link = f.protocols.split(":")[0]!;
    if (!LINK_PROTOCOLS.has(link)) return skip("unsupported-link-type");
    const ip = f.ip;
    if (!ip) {
      if (f.protocols.includes("ipv6")) return skip("ipv6");
      if (f.protocols.includes("arp")) return skip("arp");
      return skip("other-ethertype");
    }
    if (ip.hdrLen < 20) return skip("malformed-ip");
    if (f.caplen < ip.offset + ip.hdrLen) return skip("truncated-l3");
    if ((ip.fragOffset ?? 0) > 0) return skip("ipv4-fragment");
    const proto = ip.proto!;
    const fixed = FIXED_L4_HEADER[proto];
    if (fixed === undefined) return skip("other-ip-protocol");
    const l4Offset = ip.offset + ip.hdrLen;
    const ipEnd = ip.offset + ip.len!;
    if (Math.min(f.caplen, ipEnd) - l4Offset < fixed) {
      return skip(ipEnd < l4Offset + fixed && ipEnd <= f.caplen ? "malformed-ip" : "truncated-l4");
    }
    const layerName = ({ 6: "tcp", 17: "udp", 132: "sctp", 1: "icmp" } as const)[proto as 6 | 17 | 132 | 1];
    // The L4 layer of this IP header (not one inside a tunnel or an ICMP error).
    const l4 = f[layerName]?.find((layer) => layer.offset === l4Offset);
    if (!l4) throw new Error(`frame ${f.frame}: tshark shows no ${layerName} header at offset ${l4Offset}`);
    let sport = l4.sport ?? 0;
    let dport = l4.dport ?? 0;
    if (proto === 1) {
      sport = l4.type === IcmpType.ECHO ? l4.ident! : 0;
      dport = l4.type === IcmpType.ECHO_REPLY ? l4.ident! : 0;
    }
    return {
      record: {
        packetNumber: f.frame,
        time,
        saddr: ip.src!,
        daddr: ip.dst!,
        proto,
        sport,
        dport,
        tcpFlags: proto === 6 ? l4.flags! : 0,
        icmpType: proto === 1 ? l4.type! : 0,
        icmpCode: proto === 1 ? l4.code! : 0,
        ipLength: ip.len!,
        wireLength: f.len,
        capturedLength: f.caplen,
        interfaceId: f.iface ?? 0,
      },
    };
  });
}

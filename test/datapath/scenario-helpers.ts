// Packet builders for the lab scenarios: "IP:PORT" endpoints, TCP by default.
import { EntryPoint, TcpFlag, createPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { type DatapathVerdict } from "../../src/engine/verdict.js";
import { requireIPv4, formatIPv4 } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";

export { EntryPoint, IpProto, TcpFlag };

export interface PacketOptions {
  proto?: number;
  flags?: number;
  entry?: EntryPoint;
  seconds?: number;
  icmpType?: number;
}

function split(endpoint: string): [number, number] {
  const [address, port] = endpoint.split(":");
  return [requireIPv4(address!), Number(port ?? 0)];
}

export function pkt(from: string, to: string, options: PacketOptions = {}): PacketRecord {
  const [saddr, sport] = split(from);
  const [daddr, dport] = split(to);
  const proto = options.proto ?? IpProto.TCP;
  return {
    ...createPacketRecord(),
    seconds: options.seconds ?? 1_700_000_000,
    saddr,
    daddr,
    sport,
    dport,
    proto,
    tcpFlags: proto === IpProto.TCP ? (options.flags ?? TcpFlag.SYN) : 0,
    icmpType: options.icmpType ?? 0,
    ipLength: 60,
    entry: options.entry ?? EntryPoint.FromEndpoint,
  };
}

/** The reply a destination sends back to what it received (addresses and ports swapped). */
export function replyTo(v: DatapathVerdict, entry: EntryPoint, options: PacketOptions = {}): PacketRecord {
  return pkt(`${formatIPv4(v.daddr)}:${v.dport}`, `${formatIPv4(v.saddr)}:${v.sport}`, {
    flags: TcpFlag.SYN | TcpFlag.ACK,
    ...options,
    entry,
  });
}

export const src = (v: DatapathVerdict): string => `${formatIPv4(v.saddr)}:${v.sport}`;
export const dst = (v: DatapathVerdict): string => `${formatIPv4(v.daddr)}:${v.dport}`;

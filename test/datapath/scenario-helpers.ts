// Packet builders for the lab scenarios: "IP:PORT" endpoints, TCP by default.
import {
  EntryPoint,
  IpProto,
  TcpFlag,
  createPacketRecord,
  type PacketRecord,
} from "../../src/model/packet.js";
import { formatIpv4, parseIpv4, type DatapathVerdict } from "../../src/engine/verdict.js";

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
  return [parseIpv4(address!), Number(port ?? 0)];
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
  return pkt(`${formatIpv4(v.daddr)}:${v.dport}`, `${formatIpv4(v.saddr)}:${v.sport}`, {
    flags: TcpFlag.SYN | TcpFlag.ACK,
    ...options,
    entry,
  });
}

export const src = (v: DatapathVerdict): string => `${formatIpv4(v.saddr)}:${v.sport}`;
export const dst = (v: DatapathVerdict): string => `${formatIpv4(v.daddr)}:${v.dport}`;

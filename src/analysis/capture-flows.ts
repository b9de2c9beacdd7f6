// Flows from captured packets: every client→frontend packet of a compared service is counted into
// its connection (client address and port), so a capture drives both algorithms with the flows,
// packets and bytes it really carried. Replies and packets to other destinations are counted apart.
import { parseIPv4 } from "../model/ipv4.js";
import type { CompareService, FlowSet } from "./model.js";

/** The fields of a reader's packet record this needs (the record is reused: nothing is kept). */
export interface CapturedPacket {
  readonly saddr: number;
  readonly daddr: number;
  readonly sport: number;
  readonly dport: number;
  readonly proto: number;
  readonly ipLength: number;
  readonly wireLength: number;
  /** 2 = a reply, as the input says (Hubble's is_reply); 0/1 = unknown or original direction. */
  readonly reply: number;
}

const REPLY = 2;

function ipv4Number(text: string): number {
  const address = parseIPv4(text);
  if (address === undefined) throw new RangeError(`frontend address ${text} is not IPv4`);
  return address;
}

class FlowTable {
  private readonly index = new Map<number, number>();
  private readonly addresses: number[] = [];
  private readonly ports: number[] = [];
  private readonly packets: number[] = [];
  private readonly bytes: number[] = [];

  add(address: number, port: number, length: number): void {
    const key = address * 65536 + port;
    let f = this.index.get(key);
    if (f === undefined) {
      f = this.addresses.length;
      this.index.set(key, f);
      this.addresses.push(address);
      this.ports.push(port);
      this.packets.push(0);
      this.bytes.push(0);
    }
    this.packets[f]! += 1;
    this.bytes[f]! += length;
  }

  toFlowSet(): FlowSet {
    return {
      count: this.addresses.length,
      clientAddress: Uint32Array.from(this.addresses),
      clientPort: Uint16Array.from(this.ports),
      packets: Float64Array.from(this.packets),
      bytes: Float64Array.from(this.bytes),
    };
  }
}

export interface CaptureFlowCounts {
  /** Packets counted into a compared service's flows. */
  readonly matched: number;
  /** Packets marked as replies. */
  readonly replies: number;
  /** Packets to no compared frontend. */
  readonly other: number;
}

/**
 * Gathers one FlowSet per compared service. A frontend on 0.0.0.0 (a NodePort surrogate) takes the
 * packets to its port and protocol that no exact frontend claims.
 */
export class CaptureFlowCollector {
  private readonly exact = new Map<string, FlowTable>();
  private readonly wildcard = new Map<string, FlowTable>();
  private readonly tables = new Map<string, FlowTable>();
  private matched = 0;
  private replies = 0;
  private other = 0;

  constructor(services: readonly CompareService[]) {
    for (const service of services) {
      const table = new FlowTable();
      this.tables.set(service.frontend, table);
      const portKey = `${service.port}/${service.protocol}`;
      if (service.address === "0.0.0.0") this.wildcard.set(portKey, table);
      else this.exact.set(`${ipv4Number(service.address)}:${portKey}`, table);
    }
  }

  add(packet: CapturedPacket): void {
    if (packet.reply === REPLY) {
      this.replies++;
      return;
    }
    const portKey = `${packet.dport}/${packet.proto}`;
    const table = this.exact.get(`${packet.daddr >>> 0}:${portKey}`) ?? this.wildcard.get(portKey);
    if (!table) {
      this.other++;
      return;
    }
    this.matched++;
    table.add(packet.saddr >>> 0, packet.sport, packet.ipLength || packet.wireLength);
  }

  counts(): CaptureFlowCounts {
    return { matched: this.matched, replies: this.replies, other: this.other };
  }

  /** Flows per service frontend (empty sets for services the capture never reached). */
  flows(): Map<string, FlowSet> {
    return new Map([...this.tables].map(([frontend, table]) => [frontend, table.toFlowSet()]));
  }
}

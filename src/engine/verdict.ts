// What the datapath produces per packet, as a host object (the binary verdict record behind it is
// defined in assembly/datapath/records.ts; src/wasm/datapath.ts converts), plus the address helpers
// the datapath API uses. Packets come in as PacketRecords (src/model/packet.ts).
import { formatIPv4, parseIPv4 } from "../model/ipv4.js";

/** Hubble's observation point names, by TraceObservationPoint number. */
export const OBSERVATION_POINT_NAMES: Readonly<Record<number, string>> = {
  3: "TO_STACK",
  4: "TO_OVERLAY",
  5: "FROM_ENDPOINT",
  9: "FROM_OVERLAY",
  10: "FROM_NETWORK",
  11: "TO_NETWORK",
  101: "TO_ENDPOINT",
};

export type CtState = "new" | "established" | "reply" | "related";
export const CT_STATE_NAMES: readonly CtState[] = ["new", "established", "reply", "related"];

/** The datapath's decision for one packet. */
export interface DatapathVerdict {
  verdict: "FORWARDED" | "DROPPED";
  /** Cilium's drop reason code (positive), 0 when forwarded. */
  dropReason: number;
  /** Hubble TraceObservationPoint number: where the packet went, or where it was dropped. */
  observationPoint: number;
  ctState: CtState;
  /** VFLAG_* bits (names from the module, see verdictFlagNames). */
  flags: number;
  revNatId: number;
  backendId: number;
  /** The packet after every translation. */
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  srcIdentity: number;
  dstIdentity: number;
  tunnelEndpoint: number;
  /** Service CT lookup result: a new service flow, an existing one, or none (not a service packet). */
  serviceCt: "new" | "existing" | null;
  /** Local endpoint ID the packet was delivered to, 0 if none. */
  dstEndpointId: number;
}

/** "10.0.0.1" → 0x0a000001; throws on anything that is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number {
  const value = parseIPv4(text);
  if (value === undefined) throw new Error(`not an IPv4 address: ${JSON.stringify(text)}`);
  return value;
}

/** 0x0a000001 → "10.0.0.1". */
export const formatIpv4 = formatIPv4;

/** "10.0.0.0/8" → { prefix, prefixLen }. */
export function parseCidr(text: string): { prefix: number; prefixLen: number } {
  const [address, length] = text.split("/");
  const prefixLen = length === undefined ? 32 : Number(length);
  if (address === undefined || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
    throw new Error(`not an IPv4 CIDR: ${JSON.stringify(text)}`);
  }
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  return { prefix: (parseIpv4(address) & mask) >>> 0, prefixLen };
}

// Reference twin of assembly/datapath/nat.ts: SNAT as bpf/lib/nat.h does it, a mapping being an OUT
// and an IN entry in the LRU SNAT map; new mappings probe ports with no-exist inserts of the IN entry
// (snat_v4_new_mapping); replies are translated back by the IN entry (snat_v4_rev_nat).
import { BPF_ANY, BPF_NOEXIST } from "../../maps/types.js";
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_TIME_EXCEEDED,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  decodeNatEntry,
  encodeNatEntry,
  encodeTuple,
  type NatEntry,
  type RefNode,
  type Tuple,
} from "./node.js";

import {
  DROP_NAT_NO_MAPPING,
  DROP_NAT_UNSUPP_PROTO,
  NAT_APPLIED,
  NAT_ICMP_ID_MAX,
  NAT_ICMP_ID_MIN,
  NAT_PUNT,
} from "./constants.js";

/** The translated source (after natSnat) or destination (after natRevSnat): Cilium's out-parameter style. */
export interface NatResult {
  addr: number;
  port: number;
}

/** __snat_clamp_port_range: maps a 16-bit value into [min, max] by multiplication. */
export function clampPort(min: number, max: number, value: number): number {
  return min + Math.floor(((value & 0xffff) * (max - min + 1)) / 65536);
}

const natTuple = (
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  flags: number,
): Tuple => ({
  daddr,
  saddr,
  dport,
  sport,
  nexthdr: proto,
  flags,
});

/** The address and port of `t`'s entry, into `out`; false when the map has no entry for `t`. */
function natLookupInto(node: RefNode, t: Tuple, out: NatResult): boolean {
  const v = node.nat.lookup(encodeTuple(t));
  if (v === undefined) return false;
  const e = decodeNatEntry(v);
  out.addr = e.addr;
  out.port = e.port;
  return true;
}

/** Deletes an OUT entry and the IN entry it created (if that IN entry still points back to it). */
export function natDeletePair(node: RefNode, out: Tuple, outValue: NatEntry): number {
  const r = natTuple(out.daddr, outValue.addr, out.dport, outValue.port, out.nexthdr, TUPLE_F_IN);
  const rKey = encodeTuple(r);
  let deleted = 0;
  const rv = node.nat.peek(rKey);
  if (rv !== undefined) {
    const back = decodeNatEntry(rv);
    if (back.addr === out.saddr && back.port === out.sport) {
      node.nat.delete(rKey);
      deleted++;
    }
  }
  if (node.nat.delete(encodeTuple(out)) === 0) deleted++;
  return deleted;
}

function countEviction(node: RefNode, key: Uint8Array): void {
  if (node.nat.count === node.nat.maxEntries && node.nat.peek(key) === undefined) node.natEvictions++;
}

function newMapping(
  node: RefNode,
  o: Tuple,
  target: number,
  min: number,
  max: number,
  now: number,
  out: NatResult,
): number {
  const r = natTuple(o.daddr, target, o.dport, 0, o.nexthdr, TUPLE_F_IN);
  const rv = encodeNatEntry({ created: now, needsCt: false, addr: o.saddr, port: o.sport });
  let port = o.sport >= min && o.sport <= max ? o.sport : clampPort(min, max, node.prng.next());
  let found = false;
  for (let i = 0; i < node.config.snatRetries; i++) {
    r.dport = port;
    const rKey = encodeTuple(r);
    countEviction(node, rKey);
    if (node.nat.update(rKey, rv, BPF_NOEXIST) === 0) {
      found = true;
      break;
    }
    port = clampPort(min, max, i !== 0 ? (port + 1) & 0xffff : node.prng.next());
  }
  if (!found) return DROP_NAT_NO_MAPPING;
  const oKey = encodeTuple(o);
  countEviction(node, oKey);
  if (
    node.nat.update(
      oKey,
      encodeNatEntry({ created: now, needsCt: false, addr: target, port }),
      BPF_NOEXIST,
    ) !== 0
  ) {
    node.nat.delete(encodeTuple(r));
    return DROP_NAT_NO_MAPPING;
  }
  out.addr = target;
  out.port = port;
  return NAT_APPLIED;
}

/**
 * snat_v4_nat for one packet towards `target` (new mappings as snat_v4_new_mapping makes them):
 * NAT_APPLIED (`out` holds the new source address and port), NAT_PUNT (not translated) or a drop code.
 * ICMP: echo requests translate their identifier; echo replies and error messages are not translated;
 * other types are dropped (DROP_NAT_UNSUPP_PROTO).
 */
export function natSnat(
  node: RefNode,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  icmpType: number,
  target: number,
  now: number,
  out: NatResult,
): number {
  let min = node.config.natPortMin;
  let max = node.config.natPortMax;
  if (proto === IPPROTO_ICMP) {
    if (icmpType === ICMP_ECHO) {
      min = NAT_ICMP_ID_MIN;
      max = NAT_ICMP_ID_MAX;
    } else if (
      icmpType === ICMP_ECHOREPLY ||
      icmpType === ICMP_DEST_UNREACH ||
      icmpType === ICMP_TIME_EXCEEDED
    ) {
      return NAT_PUNT;
    } else {
      return DROP_NAT_UNSUPP_PROTO;
    }
  } else if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) {
    return NAT_PUNT;
  }
  const o = natTuple(saddr, daddr, sport, dport, proto, TUPLE_F_OUT);
  const existing = node.nat.lookup(encodeTuple(o));
  if (existing !== undefined) {
    const e = decodeNatEntry(existing);
    if (e.addr === target) {
      out.addr = target;
      out.port = e.port;
      return NAT_APPLIED;
    }
    natDeletePair(node, o, e);
  }
  return newMapping(node, o, target, min, max, now, out);
}

/**
 * snat_v4_rev_nat: a reply matching an IN entry gets its destination address and port (the echo
 * identifier for ICMP) translated back. True when it did; `out` then holds them.
 */
export function natRevSnat(
  node: RefNode,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  icmpType: number,
  out: NatResult,
): boolean {
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) {
    if (dport < node.config.natPortMin || dport > node.config.natPortMax) return false;
  } else if (proto !== IPPROTO_ICMP || icmpType !== ICMP_ECHOREPLY) {
    return false;
  }
  return natLookupInto(node, natTuple(saddr, daddr, sport, dport, proto, TUPLE_F_IN), out);
}

/**
 * snat_v4_create_dsr on the backend's node: the OUT entry of the reply tuple (backend -> client)
 * pointing at the service address and port, so xlate_dsr_v4 can give replies the service as source.
 */
export function natCreateDsr(
  node: RefNode,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  svcAddr: number,
  svcPort: number,
  now: number,
): void {
  const key = encodeTuple(natTuple(saddr, daddr, sport, dport, proto, TUPLE_F_OUT));
  countEviction(node, key);
  node.nat.update(
    key,
    encodeNatEntry({ created: now, needsCt: false, addr: svcAddr, port: svcPort }),
    BPF_ANY,
  );
}

/**
 * xlate_dsr_v4: a reply (backend -> client) whose OUT entry natCreateDsr made gets the service
 * address and port as its source. True when it did; `out` then holds them.
 */
export function natXlateDsr(
  node: RefNode,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  out: NatResult,
): boolean {
  return natLookupInto(node, natTuple(saddr, daddr, sport, dport, proto, TUPLE_F_OUT), out);
}

/** Writes a pre-existing SNAT entry (from a snapshot). */
export function natInsert(node: RefNode, t: Tuple, e: NatEntry): number {
  return node.nat.update(encodeTuple(t), encodeNatEntry(e), BPF_ANY);
}

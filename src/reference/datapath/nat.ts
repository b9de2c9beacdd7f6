// Reference twin of assembly/datapath/nat.ts (bpf/lib/nat.h semantics).
import { BPF_ANY, BPF_NOEXIST } from "../../maps/types.js";
import {
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

export const DROP_NAT_NO_MAPPING = 167;
export const DROP_NAT_UNSUPP_PROTO = 168;
export const NAT_APPLIED = 0;
export const NAT_PUNT = 1;

/** Result of a translation: the new address and port. */
export interface NatResult {
  addr: number;
  port: number;
}

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

/** Deletes an OUT entry and the IN entry it created (if that IN entry still points back). */
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

/** snat_v4_nat towards `target`: NAT_APPLIED (out holds the new source), NAT_PUNT, or a drop code. */
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
    if (icmpType === 8) {
      min = 0;
      max = 0xffff;
    } else if (icmpType === 0 || icmpType === 3 || icmpType === 11) {
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

/** snat_v4_rev_nat: true when an IN entry translated the destination back (out holds it). */
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
  } else if (proto !== IPPROTO_ICMP || icmpType !== 0) {
    return false;
  }
  const v = node.nat.lookup(encodeTuple(natTuple(saddr, daddr, sport, dport, proto, TUPLE_F_IN)));
  if (v === undefined) return false;
  const e = decodeNatEntry(v);
  out.addr = e.addr;
  out.port = e.port;
  return true;
}

export function natInsert(node: RefNode, t: Tuple, e: NatEntry): number {
  return node.nat.update(encodeTuple(t), encodeNatEntry(e), BPF_ANY);
}

// SNAT as bpf/lib/nat.h does it: a mapping is a pair of entries in the LRU SNAT map, OUT
// {saddr:sport -> daddr:dport} -> to_saddr:to_sport and IN {daddr:dport -> to_saddr:port} ->
// saddr:sport, both keyed in packet layout. New mappings probe ports with no-exist inserts of the
// IN entry (snat_v4_new_mapping); replies are translated back by the IN entry (snat_v4_rev_nat).
import { BPF_NOEXIST } from "../maps/errno";
import { KeyBytes } from "../maps/key-bytes";
import { prngNext } from "../lb/select";
import { Node } from "./node";
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_TIME_EXCEEDED,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NAT_ADDR,
  NAT_CREATED,
  NAT_NEEDS_CT,
  NAT_PORT,
  NAT_VALUE_SIZE,
  TUPLE_DADDR,
  TUPLE_DPORT,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  TUPLE_FLAGS,
  TUPLE_NEXTHDR,
  TUPLE_SADDR,
  TUPLE_SPORT,
} from "./layout";
import {
  DROP_NAT_NO_MAPPING,
  DROP_NAT_UNSUPP_PROTO,
  NAT_APPLIED,
  NAT_ICMP_ID_MAX,
  NAT_ICMP_ID_MIN,
  NAT_PUNT,
} from "./constants";

/**
 * The translated source (after natSnat) or destination (after natRevSnat): Cilium's out-parameter
 * style, filled in a static scratch record the caller owns.
 */
@unmanaged
export class NatResult {
  addr: u32;
  port: u32;
}

/** __snat_clamp_port_range: maps a 16-bit value into [min, max] by multiplication. */
export function clampPort(min: u32, max: u32, value: u32): u32 {
  return min + (((value & 0xffff) * (max - min + 1)) >>> 16);
}

function setTuple(t: usize, saddr: u32, daddr: u32, sport: u32, dport: u32, proto: u8, flags: u8): void {
  store<u32>(t, daddr, TUPLE_DADDR);
  store<u32>(t, saddr, TUPLE_SADDR);
  store<u16>(t, <u16>dport, TUPLE_DPORT);
  store<u16>(t, <u16>sport, TUPLE_SPORT);
  store<u8>(t, proto, TUPLE_NEXTHDR);
  store<u8>(t, flags, TUPLE_FLAGS);
}

/** The address and port of `t`'s entry, into `out`; false when the map has no entry for `t`. */
function natLookupInto(node: Node, t: usize, out: NatResult): bool {
  const v = node.nat.lookup(t);
  if (v == 0) return false;
  out.addr = load<u32>(v, NAT_ADDR);
  out.port = <u32>load<u16>(v, NAT_PORT);
  return true;
}

/** A NAT map update that adds the LRU evictions it caused to the node's count. */
function natUpdateCounted(node: Node, key: usize, value: usize, flags: u32): i32 {
  const evictionsBefore = node.nat.evictions;
  const r = node.nat.update(key, value, flags);
  node.natEvictions += node.nat.evictions - evictionsBefore;
  return r;
}

/** Fills the NAT value record at `v` (created, needs_ct, to-address and port) and returns `v`. */
function fillNatValue(v: usize, created: u32, needsCt: bool, addr: u32, port: u32): usize {
  KeyBytes.zero(v, NAT_VALUE_SIZE);
  store<u32>(v, created, NAT_CREATED);
  store<u8>(v, needsCt ? 1 : 0, NAT_NEEDS_CT);
  store<u32>(v, addr, NAT_ADDR);
  store<u16>(v, <u16>port, NAT_PORT);
  return v;
}

/** Deletes an OUT entry and the IN entry it created (if that IN entry still points back to it). */
export function natDeletePair(node: Node, out: usize, outValue: usize): u32 {
  const r = node.natRevTuple;
  setTuple(
    r,
    load<u32>(out, TUPLE_DADDR),
    load<u32>(outValue, NAT_ADDR),
    <u32>load<u16>(out, TUPLE_DPORT),
    <u32>load<u16>(outValue, NAT_PORT),
    load<u8>(out, TUPLE_NEXTHDR),
    TUPLE_F_IN,
  );
  let deleted: u32 = 0;
  const rv = node.nat.peek(r);
  if (
    rv != 0 &&
    load<u32>(rv, NAT_ADDR) == load<u32>(out, TUPLE_SADDR) &&
    load<u16>(rv, NAT_PORT) == load<u16>(out, TUPLE_SPORT)
  ) {
    node.nat.delete(r);
    deleted++;
  }
  if (node.nat.delete(out) == 0) deleted++;
  return deleted;
}

function newMapping(node: Node, o: usize, target: u32, min: u32, max: u32, now: u32, out: NatResult): i32 {
  const r = node.natRevTuple;
  const sport = <u32>load<u16>(o, TUPLE_SPORT);
  setTuple(
    r,
    load<u32>(o, TUPLE_DADDR),
    target,
    <u32>load<u16>(o, TUPLE_DPORT),
    0,
    load<u8>(o, TUPLE_NEXTHDR),
    TUPLE_F_IN,
  );
  const rv = fillNatValue(node.natRevValue, now, false, load<u32>(o, TUPLE_SADDR), sport);
  let port = sport >= min && sport <= max ? sport : clampPort(min, max, prngNext(node.prng));
  const retries = node.snatRetries;
  let found = false;
  for (let i: u32 = 0; i < retries; i++) {
    store<u16>(r, <u16>port, TUPLE_DPORT);
    if (natUpdateCounted(node, r, rv, BPF_NOEXIST) == 0) {
      found = true;
      break;
    }
    port = clampPort(min, max, i != 0 ? (port + 1) & 0xffff : prngNext(node.prng));
  }
  if (!found) return DROP_NAT_NO_MAPPING;
  const ov = fillNatValue(node.natValue, now, false, target, port);
  if (natUpdateCounted(node, o, ov, BPF_NOEXIST) != 0) {
    node.nat.delete(r);
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
  node: Node,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  icmpType: u32,
  target: u32,
  now: u32,
  out: NatResult,
): i32 {
  let min = node.natPortMin;
  let max = node.natPortMax;
  if (proto == IPPROTO_ICMP) {
    if (icmpType == ICMP_ECHO) {
      min = NAT_ICMP_ID_MIN;
      max = NAT_ICMP_ID_MAX;
    } else if (
      icmpType == ICMP_ECHOREPLY ||
      icmpType == ICMP_DEST_UNREACH ||
      icmpType == ICMP_TIME_EXCEEDED
    ) {
      return NAT_PUNT;
    } else {
      return DROP_NAT_UNSUPP_PROTO;
    }
  } else if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
    return NAT_PUNT;
  }
  const o = node.natTuple;
  setTuple(o, saddr, daddr, sport, dport, proto, TUPLE_F_OUT);
  const existing = node.nat.lookup(o);
  if (existing != 0) {
    if (load<u32>(existing, NAT_ADDR) == target) {
      out.addr = target;
      out.port = <u32>load<u16>(existing, NAT_PORT);
      return NAT_APPLIED;
    }
    natDeletePair(node, o, existing);
  }
  return newMapping(node, o, target, min, max, now, out);
}

/**
 * snat_v4_rev_nat: a reply matching an IN entry gets its destination address and port (the echo
 * identifier for ICMP) translated back. True when it did; `out` then holds them.
 */
export function natRevSnat(
  node: Node,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  icmpType: u32,
  out: NatResult,
): bool {
  if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
    if (dport < node.natPortMin || dport > node.natPortMax) return false;
  } else if (proto != IPPROTO_ICMP || icmpType != ICMP_ECHOREPLY) {
    return false;
  }
  const t = node.natTuple;
  setTuple(t, saddr, daddr, sport, dport, proto, TUPLE_F_IN);
  return natLookupInto(node, t, out);
}

/**
 * snat_v4_create_dsr on the backend's node: the OUT entry of the reply tuple (backend -> client)
 * pointing at the service address and port, so xlate_dsr_v4 can give replies the service as source.
 */
export function natCreateDsr(
  node: Node,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  svcAddr: u32,
  svcPort: u32,
  now: u32,
): void {
  const t = node.natTuple;
  setTuple(t, saddr, daddr, sport, dport, proto, TUPLE_F_OUT);
  const v = fillNatValue(node.natValue, now, false, svcAddr, svcPort);
  natUpdateCounted(node, t, v, 0);
}

/**
 * xlate_dsr_v4: a reply (backend -> client) whose OUT entry natCreateDsr made gets the service
 * address and port as its source. True when it did; `out` then holds them.
 */
export function natXlateDsr(
  node: Node,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  out: NatResult,
): bool {
  const t = node.natTuple;
  setTuple(t, saddr, daddr, sport, dport, proto, TUPLE_F_OUT);
  return natLookupInto(node, t, out);
}

/** Writes a pre-existing SNAT entry (from a snapshot). */
export function natInsert(
  node: Node,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  flags: u8,
  created: u32,
  needsCt: bool,
  addr: u32,
  port: u32,
): i32 {
  const t = node.natTuple;
  setTuple(t, saddr, daddr, sport, dport, proto, flags);
  return node.nat.update(t, fillNatValue(node.natValue, created, needsCt, addr, port), 0);
}

// Conntrack as bpf/lib/conntrack.h does it (__ct_lookup, __ct_lookup4, ct_create4,
// ct_update_timeout): lookups refresh lifetimes and TCP flag bookkeeping, FIN/RST close entries,
// a SYN on a closing entry re-opens it as new. See docs/datapath.md for the rules in prose.
import { LruHashMap } from "../maps/lru-hash-map";
import { BPF_ANY } from "../maps/errno";
import { KeyBytes } from "../maps/key-bytes";
import { Node } from "./node";
import {
  CT_BACKEND,
  CT_FLAGS,
  CT_LAST_RX_REPORT,
  CT_LAST_TX_REPORT,
  CT_LIFETIME,
  CT_REPORT_INTERVAL,
  CT_REV_NAT,
  CT_RX_FLAGS_SEEN,
  CT_SRC_SEC_ID,
  CT_TX_FLAGS_SEEN,
  CT_VALUE_SIZE,
  CTF_LB_LOOPBACK,
  CTF_DSR_INTERNAL,
  CTF_NODE_PORT,
  CTF_RX_CLOSING,
  CTF_SEEN_NON_SYN,
  CTF_TX_CLOSING,
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_PARAMETERPROB,
  ICMP_TIME_EXCEEDED,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  TUPLE_DADDR,
  TUPLE_DPORT,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  TUPLE_F_RELATED,
  TUPLE_F_SERVICE,
  TUPLE_FLAGS,
  TUPLE_NEXTHDR,
  TUPLE_SADDR,
  TUPLE_SPORT,
} from "./layout";
import {
  CT_ESTABLISHED,
  CT_NEW,
  CT_RELATED,
  CT_REPLY,
  DIR_EGRESS,
  DIR_INGRESS,
  DIR_SERVICE,
  SCOPE_FORWARD,
  SCOPE_REVERSE,
} from "./constants";

const ACTION_UNSPEC: u32 = 0;
const ACTION_CREATE: u32 = 1;
const ACTION_CLOSE: u32 = 2;

/**
 * struct ct_state: what a lookup found, valid after a non-NEW result. Cilium's out-parameter; the
 * caller passes a static scratch record (ctStateScratch) so nothing is allocated per packet.
 */
@unmanaged
export class CtState {
  revNat: u32;
  backendId: u32;
  syn: bool;
  loopback: bool;
  nodePort: bool;
  dsr: bool;
  closing: bool;
}

/**
 * The ipv4_ct_tuple bpf_lxc and nodeport_lb4 build from a packet before ct_lookup4: addresses as in
 * the packet, L4 ports swapped; ICMP echo identifiers sit in the ports, ICMP error messages get ports 0
 * and TUPLE_F_RELATED, other ICMP messages ports 0. `flags` is the tuple type to start from. Fails
 * (false / null) for protocols conntrack does not handle (DROP_CT_UNKNOWN_PROTO).
 */
export function tupleFromPacket(
  t: usize,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  icmpType: u32,
  flags: u8,
): bool {
  if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
    storeTuple(t, daddr, saddr, sport, dport, proto, flags);
    return true;
  }
  if (proto == IPPROTO_ICMP) {
    if (icmpType == ICMP_ECHO || icmpType == ICMP_ECHOREPLY) {
      storeTuple(t, daddr, saddr, sport, dport, proto, flags);
    } else {
      const related =
        icmpType == ICMP_DEST_UNREACH || icmpType == ICMP_TIME_EXCEEDED || icmpType == ICMP_PARAMETERPROB;
      storeTuple(t, daddr, saddr, 0, 0, proto, related ? flags | TUPLE_F_RELATED : flags);
    }
    return true;
  }
  store<u32>(t, daddr, TUPLE_DADDR);
  store<u32>(t, saddr, TUPLE_SADDR);
  store<u8>(t, proto, TUPLE_NEXTHDR);
  store<u8>(t, flags, TUPLE_FLAGS);
  return false;
}

/**
 * Writes a whole tuple as three stores at the offsets the maps read keys in (u64 addresses, u32
 * ports, u16 nexthdr + flags), so the lookup that follows reads it straight from the store buffer.
 */
function storeTuple(
  t: usize,
  daddr: u32,
  saddr: u32,
  tupleDport: u32,
  tupleSport: u32,
  nexthdr: u8,
  flags: u8,
): void {
  store<u64>(t, (<u64>daddr) | ((<u64>saddr) << 32), TUPLE_DADDR);
  store<u32>(t, (tupleDport & 0xffff) | (tupleSport << 16), TUPLE_DPORT);
  store<u16>(t, (<u16>nexthdr) | ((<u16>flags) << 8), TUPLE_NEXTHDR);
}

/** ipv4_ct_tuple_reverse: swap addresses and ports, flip TUPLE_F_IN. */
export function tupleReverse(t: usize): void {
  storeTuple(
    t,
    load<u32>(t, TUPLE_SADDR),
    load<u32>(t, TUPLE_DADDR),
    <u32>load<u16>(t, TUPLE_SPORT),
    <u32>load<u16>(t, TUPLE_DPORT),
    load<u8>(t, TUPLE_NEXTHDR),
    load<u8>(t, TUPLE_FLAGS) ^ TUPLE_F_IN,
  );
}

/** ct_lookup_select_tuple_type: the tuple type a lookup in `dir` and `scope` starts with. */
export function selectTupleType(dir: u32, scope: u32): u8 {
  if (dir == DIR_SERVICE) return TUPLE_F_SERVICE;
  if (scope == SCOPE_FORWARD) return dir == DIR_EGRESS ? TUPLE_F_OUT : TUPLE_F_IN;
  return dir == DIR_EGRESS ? TUPLE_F_IN : TUPLE_F_OUT;
}

function updateTimeoutWith(node: Node, e: usize, lifetime: u32, dir: u32, tcpFlags: u8, now: u32): void {
  store<u32>(e, now + lifetime, CT_LIFETIME);
  const flagsAt: u32 = dir == DIR_INGRESS ? CT_RX_FLAGS_SEEN : CT_TX_FLAGS_SEEN;
  const reportAt: u32 = dir == DIR_INGRESS ? CT_LAST_RX_REPORT : CT_LAST_TX_REPORT;
  const accumulated = load<u8>(e + flagsAt);
  const seen = tcpFlags | accumulated;
  const last = load<u32>(e + reportAt);
  if (last + CT_REPORT_INTERVAL < now || accumulated != seen) {
    store<u8>(e + flagsAt, seen);
    store<u32>(e + reportAt, now);
  }
}

function updateTimeout(node: Node, e: usize, isTcp: bool, dir: u32, tcpFlags: u8, now: u32): void {
  let lifetime = dir == DIR_SERVICE ? node.timeoutServiceAny : node.timeoutRegularAny;
  if (isTcp) {
    let f = load<u16>(e, CT_FLAGS);
    if ((tcpFlags & TCP_SYN) == 0) f |= CTF_SEEN_NON_SYN;
    store<u16>(e, f, CT_FLAGS);
    if (f & CTF_SEEN_NON_SYN) lifetime = dir == DIR_SERVICE ? node.timeoutServiceTcp : node.timeoutRegularTcp;
    else lifetime = node.timeoutTcpSyn;
  }
  updateTimeoutWith(node, e, lifetime, dir, tcpFlags, now);
}

function closing(f: u16): bool {
  return (f & (CTF_RX_CLOSING | CTF_TX_CLOSING)) != 0;
}

function alive(f: u16): bool {
  return (f & (CTF_RX_CLOSING | CTF_TX_CLOSING)) != (CTF_RX_CLOSING | CTF_TX_CLOSING);
}

/** __ct_lookup: one map lookup with Cilium's side effects; CT_NEW or CT_ESTABLISHED. */
function ctLookupOne(
  node: Node,
  map: LruHashMap,
  t: usize,
  dir: u32,
  matchRevNat: bool,
  revNat: u32,
  isTcp: bool,
  tcpFlags: u8,
  now: u32,
  state: CtState,
): u8 {
  const e = map.lookup(t);
  if (e == 0) return CT_NEW;
  if (matchRevNat && <u32>load<u16>(e, CT_REV_NAT) != revNat) return CT_NEW;
  const syn = (tcpFlags & TCP_SYN) != 0;
  let f = load<u16>(e, CT_FLAGS);
  if (
    dir == DIR_SERVICE &&
    syn &&
    closing(f) &&
    load<u32>(e, CT_LAST_TX_REPORT) + node.timeoutServiceCloseRebalance <= now
  )
    return CT_NEW;
  if (alive(f)) updateTimeout(node, e, isTcp, dir, tcpFlags, now);
  if (dir == DIR_SERVICE && load<u16>(e, CT_REV_NAT) == 0) store<u16>(e, <u16>revNat, CT_REV_NAT);

  state.closing = false;
  let action = ACTION_UNSPEC;
  if (isTcp) {
    if (tcpFlags & (TCP_RST | TCP_FIN)) action = ACTION_CLOSE;
    else if (syn) action = ACTION_CREATE;
  }
  if (action == ACTION_CREATE) {
    f = load<u16>(e, CT_FLAGS);
    if (closing(f)) {
      store<u16>(e, f & ~(CTF_RX_CLOSING | CTF_TX_CLOSING | CTF_SEEN_NON_SYN), CT_FLAGS);
      store<u8>(e, 0, CT_RX_FLAGS_SEEN);
      store<u8>(e, 0, CT_TX_FLAGS_SEEN);
      updateTimeout(node, e, isTcp, dir, tcpFlags, now);
      return CT_NEW;
    }
  } else if (action == ACTION_CLOSE) {
    f = load<u16>(e, CT_FLAGS);
    const bothSyns =
      (load<u8>(e, CT_RX_FLAGS_SEEN) & TCP_SYN) != 0 && (load<u8>(e, CT_TX_FLAGS_SEEN) & TCP_SYN) != 0;
    if (dir == DIR_SERVICE || (!bothSyns && (tcpFlags & TCP_RST) != 0)) f |= CTF_RX_CLOSING | CTF_TX_CLOSING;
    else if (dir == DIR_INGRESS) f |= CTF_RX_CLOSING;
    else f |= CTF_TX_CLOSING;
    store<u16>(e, f, CT_FLAGS);
    state.closing = true;
    if (!alive(f)) updateTimeoutWith(node, e, node.timeoutTcpClose, dir, tcpFlags, now);
  }
  f = load<u16>(e, CT_FLAGS);
  state.revNat = <u32>load<u16>(e, CT_REV_NAT);
  state.backendId = load<u32>(e, CT_BACKEND);
  state.syn = syn;
  state.loopback = (f & CTF_LB_LOOPBACK) != 0;
  state.nodePort = (f & CTF_NODE_PORT) != 0;
  state.dsr = (f & CTF_DSR_INTERNAL) != 0;
  return CT_ESTABLISHED;
}

/**
 * __ct_lookup4 (ct_lookup4) on a packet-built tuple whose flags came from selectTupleType (plus
 * TUPLE_F_RELATED for ICMP errors). SCOPE_BIDIR: the reply interpretation first, then the reversed
 * (forward) tuple; on CT_NEW the tuple is left reversed, ready for ctCreate. SCOPE_REVERSE: only the
 * first; SCOPE_FORWARD: only the second. DIR_SERVICE lookups match only entries of `revNat` and return
 * CT_REPLY on a hit. After a non-NEW result `state` holds the entry's struct ct_state.
 */
export function ctLookup(
  node: Node,
  t: usize,
  dir: u32,
  scope: u32,
  revNat: u32,
  tcpFlags: u8,
  now: u32,
  state: CtState,
): u8 {
  const nexthdr = load<u8>(t, TUPLE_NEXTHDR);
  const isTcp = nexthdr == IPPROTO_TCP;
  const flags: u8 = isTcp ? tcpFlags : 0;
  const map = node.ctMapFor(nexthdr);
  const matchRevNat = dir == DIR_SERVICE;
  if (scope != SCOPE_FORWARD) {
    const r = ctLookupOne(node, map, t, dir, matchRevNat, revNat, isTcp, flags, now, state);
    if (r != CT_NEW) return (load<u8>(t, TUPLE_FLAGS) & TUPLE_F_RELATED) != 0 ? CT_RELATED : CT_REPLY;
    if (scope == SCOPE_REVERSE) return CT_NEW;
  }
  tupleReverse(t);
  return ctLookupOne(node, map, t, dir, matchRevNat, revNat, isTcp, flags, now, state);
}

/** Insert counting LRU evictions (a new key into a full map), with one probe of the map. */
function lruInsert(map: LruHashMap, key: usize, value: usize): u32 {
  const before = map.evictions;
  map.update(key, value, BPF_ANY);
  return map.evictions - before;
}

/**
 * ct_create4: inserts the (forward) tuple with a fresh entry; `related` also inserts the ICMP
 * TUPLE_F_RELATED twin into ct_any4 (endpoint paths). LRU evictions are counted on the node.
 */
export function ctCreate(
  node: Node,
  t: usize,
  dir: u32,
  related: bool,
  revNat: u32,
  srcSecId: u32,
  backendId: u32,
  entryFlags: u16,
  now: u32,
): void {
  const e = node.ctValue;
  KeyBytes.zero(e, CT_VALUE_SIZE);
  store<u16>(e, <u16>revNat, CT_REV_NAT);
  store<u32>(e, srcSecId, CT_SRC_SEC_ID);
  if (dir == DIR_SERVICE) store<u32>(e, backendId, CT_BACKEND);
  else store<u16>(e, entryFlags, CT_FLAGS);
  const nexthdr = load<u8>(t, TUPLE_NEXTHDR);
  const isTcp = nexthdr == IPPROTO_TCP;
  updateTimeout(node, e, isTcp, dir, isTcp ? TCP_SYN : 0, now);
  let evicted: u32 = 0;
  if (related) {
    const r = node.tuple2;
    storeTuple(
      r,
      load<u32>(t, TUPLE_DADDR),
      load<u32>(t, TUPLE_SADDR),
      0,
      0,
      IPPROTO_ICMP,
      load<u8>(t, TUPLE_FLAGS) | TUPLE_F_RELATED,
    );
    evicted += lruInsert(node.ctAny, r, e);
  }
  evicted += lruInsert(node.ctMapFor(nexthdr), t, e);
  node.ctEvictions += evicted;
}

/** ct_update_svc_entry: point an existing service entry at another backend. */
export function ctUpdateServiceEntry(node: Node, t: usize, backendId: u32, revNat: u32): void {
  const e = node.ctMapFor(load<u8>(t, TUPLE_NEXTHDR)).lookup(t);
  if (e == 0) return;
  store<u32>(e, backendId, CT_BACKEND);
  store<u16>(e, <u16>revNat, CT_REV_NAT);
}

/** Looks the tuple up with its flags replaced (ct_is_reply4, ct_has_nodeport_egress_entry4). */
export function ctProbe(node: Node, t: usize, flags: u8): usize {
  const saved = load<u16>(t, TUPLE_NEXTHDR);
  const nexthdr = <u8>saved;
  store<u16>(t, (<u16>nexthdr) | ((<u16>flags) << 8), TUPLE_NEXTHDR);
  const e = node.ctMapFor(nexthdr).lookup(t);
  store<u16>(t, saved, TUPLE_NEXTHDR);
  return e;
}

/** Whether a CT entry carries the node_port bit (CTF_NODE_PORT). */
export function ctEntryNodePort(e: usize): bool {
  return (load<u16>(e, CT_FLAGS) & CTF_NODE_PORT) != 0;
}

/** Whether a CT entry carries the dsr_internal bit (CTF_DSR_INTERNAL). */
export function ctEntryDsr(e: usize): bool {
  return (load<u16>(e, CT_FLAGS) & CTF_DSR_INTERNAL) != 0;
}

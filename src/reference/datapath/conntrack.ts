// Reference twin of assembly/datapath/conntrack.ts: conntrack as bpf/lib/conntrack.h does it
// (__ct_lookup, __ct_lookup4, ct_create4, ct_update_timeout). See docs/datapath.md for the rules.
import type { ReferenceHashMap } from "../maps/hash-map.js";
import { BPF_ANY, BPF_EXIST } from "../../maps/types.js";
import {
  CT_REPORT_INTERVAL,
  CTF_DSR_INTERNAL,
  CTF_LB_LOOPBACK,
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
  TUPLE_F_IN,
  TUPLE_F_OUT,
  TUPLE_F_RELATED,
  TUPLE_F_SERVICE,
  decodeCtEntry,
  emptyCtEntry,
  encodeCtEntry,
  encodeTuple,
  type CtEntry,
  type RefNode,
  type Tuple,
} from "./node.js";

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
} from "./constants.js";

const ACTION_UNSPEC = 0;
const ACTION_CREATE = 1;
const ACTION_CLOSE = 2;

/** struct ct_state: what a lookup found, valid after a non-NEW result (Cilium's out-parameter). */
export interface CtState {
  revNat: number;
  backendId: number;
  syn: boolean;
  loopback: boolean;
  nodePort: boolean;
  dsr: boolean;
  closing: boolean;
}

export const emptyCtState = (): CtState => ({
  revNat: 0,
  backendId: 0,
  syn: false,
  loopback: false,
  nodePort: false,
  dsr: false,
  closing: false,
});

/**
 * The ipv4_ct_tuple bpf_lxc and nodeport_lb4 build from a packet before ct_lookup4: addresses as in
 * the packet, L4 ports swapped; ICMP echo identifiers sit in the ports, ICMP error messages get ports 0
 * and TUPLE_F_RELATED, other ICMP messages ports 0. `flags` is the tuple type to start from. Fails
 * (false / null) for protocols conntrack does not handle (DROP_CT_UNKNOWN_PROTO).
 */
export function tupleFromPacket(
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  icmpType: number,
  flags: number,
): Tuple | null {
  const t: Tuple = { daddr, saddr, dport: 0, sport: 0, nexthdr: proto, flags };
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) {
    t.dport = sport;
    t.sport = dport;
    return t;
  }
  if (proto === IPPROTO_ICMP) {
    if (icmpType === ICMP_ECHO || icmpType === ICMP_ECHOREPLY) {
      t.dport = sport;
      t.sport = dport;
    } else if (
      icmpType === ICMP_DEST_UNREACH ||
      icmpType === ICMP_TIME_EXCEEDED ||
      icmpType === ICMP_PARAMETERPROB
    ) {
      t.flags = flags | TUPLE_F_RELATED;
    }
    return t;
  }
  return null;
}

/** ipv4_ct_tuple_reverse: swap addresses and ports, flip TUPLE_F_IN. */
export function tupleReverse(t: Tuple): void {
  const d = t.daddr;
  t.daddr = t.saddr;
  t.saddr = d;
  const dp = t.dport;
  t.dport = t.sport;
  t.sport = dp;
  t.flags ^= TUPLE_F_IN;
}

/** ct_lookup_select_tuple_type: the tuple type a lookup in `dir` and `scope` starts with. */
export function selectTupleType(dir: number, scope: number): number {
  if (dir === DIR_SERVICE) return TUPLE_F_SERVICE;
  if (scope === SCOPE_FORWARD) return dir === DIR_EGRESS ? TUPLE_F_OUT : TUPLE_F_IN;
  return dir === DIR_EGRESS ? TUPLE_F_IN : TUPLE_F_OUT;
}

function updateTimeoutWith(e: CtEntry, lifetime: number, dir: number, tcpFlags: number, now: number): void {
  e.lifetime = (now + lifetime) >>> 0;
  const ingress = dir === DIR_INGRESS;
  const accumulated = ingress ? e.rxFlagsSeen : e.txFlagsSeen;
  const seen = (tcpFlags | accumulated) & 0xff;
  const last = ingress ? e.lastRxReport : e.lastTxReport;
  if ((last + CT_REPORT_INTERVAL) >>> 0 < now || accumulated !== seen) {
    if (ingress) {
      e.rxFlagsSeen = seen;
      e.lastRxReport = now;
    } else {
      e.txFlagsSeen = seen;
      e.lastTxReport = now;
    }
  }
}

function updateTimeout(
  node: RefNode,
  e: CtEntry,
  isTcp: boolean,
  dir: number,
  tcpFlags: number,
  now: number,
): void {
  const t = node.config.timeouts;
  let lifetime = dir === DIR_SERVICE ? t.serviceAny : t.regularAny;
  if (isTcp) {
    if ((tcpFlags & TCP_SYN) === 0) e.flags |= CTF_SEEN_NON_SYN;
    if (e.flags & CTF_SEEN_NON_SYN) lifetime = dir === DIR_SERVICE ? t.serviceTcp : t.regularTcp;
    else lifetime = t.tcpSyn;
  }
  updateTimeoutWith(e, lifetime, dir, tcpFlags, now);
}

const closing = (f: number): boolean => (f & (CTF_RX_CLOSING | CTF_TX_CLOSING)) !== 0;
const alive = (f: number): boolean =>
  (f & (CTF_RX_CLOSING | CTF_TX_CLOSING)) !== (CTF_RX_CLOSING | CTF_TX_CLOSING);

function ctLookupOne(
  node: RefNode,
  map: ReferenceHashMap,
  t: Tuple,
  dir: number,
  matchRevNat: boolean,
  revNat: number,
  isTcp: boolean,
  tcpFlags: number,
  now: number,
  state: CtState,
): number {
  const key = encodeTuple(t);
  const raw = map.lookup(key);
  if (raw === undefined) return CT_NEW;
  const e = decodeCtEntry(raw);
  if (matchRevNat && e.revNat !== revNat) return CT_NEW;
  const syn = (tcpFlags & TCP_SYN) !== 0;
  if (
    dir === DIR_SERVICE &&
    syn &&
    closing(e.flags) &&
    (e.lastTxReport + node.config.timeouts.serviceCloseRebalance) >>> 0 <= now
  ) {
    return CT_NEW;
  }
  if (alive(e.flags)) updateTimeout(node, e, isTcp, dir, tcpFlags, now);
  if (dir === DIR_SERVICE && e.revNat === 0) e.revNat = revNat & 0xffff;

  state.closing = false;
  let action = ACTION_UNSPEC;
  if (isTcp) {
    if (tcpFlags & (TCP_RST | TCP_FIN)) action = ACTION_CLOSE;
    else if (syn) action = ACTION_CREATE;
  }
  if (action === ACTION_CREATE && closing(e.flags)) {
    e.flags &= ~(CTF_RX_CLOSING | CTF_TX_CLOSING | CTF_SEEN_NON_SYN);
    e.rxFlagsSeen = 0;
    e.txFlagsSeen = 0;
    updateTimeout(node, e, isTcp, dir, tcpFlags, now);
    map.update(key, encodeCtEntry(e), BPF_EXIST);
    return CT_NEW;
  }
  if (action === ACTION_CLOSE) {
    const bothSyns = (e.rxFlagsSeen & TCP_SYN) !== 0 && (e.txFlagsSeen & TCP_SYN) !== 0;
    if (dir === DIR_SERVICE || (!bothSyns && (tcpFlags & TCP_RST) !== 0))
      e.flags |= CTF_RX_CLOSING | CTF_TX_CLOSING;
    else if (dir === DIR_INGRESS) e.flags |= CTF_RX_CLOSING;
    else e.flags |= CTF_TX_CLOSING;
    state.closing = true;
    if (!alive(e.flags)) updateTimeoutWith(e, node.config.timeouts.tcpClose, dir, tcpFlags, now);
  }
  map.update(key, encodeCtEntry(e), BPF_EXIST);
  state.revNat = e.revNat;
  state.backendId = e.backendId;
  state.syn = syn;
  state.loopback = (e.flags & CTF_LB_LOOPBACK) !== 0;
  state.nodePort = (e.flags & CTF_NODE_PORT) !== 0;
  state.dsr = (e.flags & CTF_DSR_INTERNAL) !== 0;
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
  node: RefNode,
  t: Tuple,
  dir: number,
  scope: number,
  revNat: number,
  tcpFlags: number,
  now: number,
  state: CtState,
): number {
  const isTcp = t.nexthdr === IPPROTO_TCP;
  const flags = isTcp ? tcpFlags : 0;
  const map = node.ctMapFor(t.nexthdr);
  const matchRevNat = dir === DIR_SERVICE;
  if (scope !== SCOPE_FORWARD) {
    const r = ctLookupOne(node, map, t, dir, matchRevNat, revNat, isTcp, flags, now, state);
    if (r !== CT_NEW) return (t.flags & TUPLE_F_RELATED) !== 0 ? CT_RELATED : CT_REPLY;
    if (scope === SCOPE_REVERSE) return CT_NEW;
  }
  tupleReverse(t);
  return ctLookupOne(node, map, t, dir, matchRevNat, revNat, isTcp, flags, now, state);
}

function lruInsert(map: ReferenceHashMap, key: Uint8Array, value: Uint8Array): number {
  const evicted = map.count === map.maxEntries && map.peek(key) === undefined ? 1 : 0;
  map.update(key, value, BPF_ANY);
  return evicted;
}

/**
 * ct_create4: inserts the (forward) tuple with a fresh entry; `related` also inserts the ICMP
 * TUPLE_F_RELATED twin into ct_any4 (endpoint paths). LRU evictions are counted on the node.
 */
export function ctCreate(
  node: RefNode,
  t: Tuple,
  dir: number,
  related: boolean,
  revNat: number,
  srcSecId: number,
  backendId: number,
  entryFlags: number,
  now: number,
): void {
  const e = emptyCtEntry();
  e.revNat = revNat & 0xffff;
  e.srcSecId = srcSecId >>> 0;
  if (dir === DIR_SERVICE) e.backendId = backendId >>> 0;
  else e.flags = entryFlags;
  const isTcp = t.nexthdr === IPPROTO_TCP;
  updateTimeout(node, e, isTcp, dir, isTcp ? TCP_SYN : 0, now);
  const value = encodeCtEntry(e);
  let evicted = 0;
  if (related) {
    const r: Tuple = {
      daddr: t.daddr,
      saddr: t.saddr,
      dport: 0,
      sport: 0,
      nexthdr: IPPROTO_ICMP,
      flags: t.flags | TUPLE_F_RELATED,
    };
    evicted += lruInsert(node.ctAny, encodeTuple(r), value);
  }
  evicted += lruInsert(node.ctMapFor(t.nexthdr), encodeTuple(t), value);
  node.ctEvictions += evicted;
}

/** ct_update_svc_entry: point an existing service entry at another backend. */
export function ctUpdateServiceEntry(node: RefNode, t: Tuple, backendId: number, revNat: number): void {
  const map = node.ctMapFor(t.nexthdr);
  const key = encodeTuple(t);
  const raw = map.lookup(key);
  if (raw === undefined) return;
  const e = decodeCtEntry(raw);
  e.backendId = backendId >>> 0;
  e.revNat = revNat & 0xffff;
  map.update(key, encodeCtEntry(e), BPF_EXIST);
}

/** Looks the tuple up with its flags replaced (ct_is_reply4, ct_has_nodeport_egress_entry4). */
export function ctProbe(node: RefNode, t: Tuple, flags: number): CtEntry | undefined {
  const raw = node.ctMapFor(t.nexthdr).lookup(encodeTuple({ ...t, flags }));
  return raw === undefined ? undefined : decodeCtEntry(raw);
}

/** Whether a CT entry carries the node_port bit (CTF_NODE_PORT). */
export const ctEntryNodePort = (e: CtEntry): boolean => (e.flags & CTF_NODE_PORT) !== 0;

/** Whether a CT entry carries the dsr_internal bit (CTF_DSR_INTERNAL). */
export const ctEntryDsr = (e: CtEntry): boolean => (e.flags & CTF_DSR_INTERNAL) !== 0;

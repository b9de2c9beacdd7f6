// Service load balancing as bpf/lib/lb.h does it: lb4_lookup_service (two scopes, wildcard),
// lb4_local (service CT entry, backend selection by random slot, Maglev or session affinity,
// graceful termination of non-active backends) and the source-range check.
import { BPF_ANY } from "../maps/errno";
import { flowHashV4 } from "../lb/flow-hash";
import { maglevLookup, prngNext } from "../lb/select";
import { Node } from "./node";
import {
  AFFINITY_TIMEOUT_MASK,
  BACKEND_STATE,
  BE_STATE_ACTIVE,
  LB_ALG_MAGLEV,
  LB_ALG_RANDOM,
  LB_ALGORITHM_SHIFT,
  SRC_RANGE_RECORD_SIZE,
  SVC_COUNT,
  SVC_F_AFFINITY,
  SVC_F_SOURCE_RANGE,
  SVC_F2_SOURCE_RANGE_DENY,
  SVC_F2_TWO_SCOPES,
  SVC_FLAGS,
  SVC_FLAGS2,
  SVC_KEY_ADDR,
  SVC_KEY_PORT,
  SVC_KEY_PROTO,
  SVC_KEY_SCOPE,
  SVC_REV_NAT,
  SVC_UNION,
} from "./layout";
import { CT_NEW, DIR_SERVICE, DROP_NO_SERVICE, SCOPE_REVERSE } from "./constants";
import { VFLAG_AFFINITY, VFLAG_MAGLEV, VFLAG_RESELECTED, VFLAG_SELECTED, VFLAG_WILDCARD } from "./records";
import {
  ctCreate,
  ctLookup,
  CtState,
  ctUpdateServiceEntry,
  selectTupleType,
  tupleFromPacket,
} from "./conntrack";

/**
 * What lb4_local did, for the verdict: Cilium's out-parameter style, filled in a static scratch
 * record the caller owns (nothing is allocated per packet).
 */
@unmanaged
export class LbResult {
  /** VFLAG_* bits gathered by the lookup and the selection. */
  flags: u16;
  /** Service CT result (CT_NEW or CT_REPLY). */
  serviceCt: u8;
  /** The backend chosen, and its value in the backend map. */
  backendId: u32;
  backend: usize;
}

/**
 * lb4_lookup_service: the master entry for {addr, port, proto}, none if missing. East-west lookups
 * switch to the internal scope for two-scope services; north-south ones fall back to the per-address
 * wildcard {addr, 0, ANY} (VFLAG_WILDCARD).
 */
export function lookupService(
  node: Node,
  addr: u32,
  port: u32,
  proto: u8,
  eastWest: bool,
  res: LbResult,
): usize {
  const key = node.svcKey;
  storeServiceKey(key, addr, port, 0, proto, 0);
  res.flags = 0;
  const svc = node.services.lookup(key);
  if (svc == 0) {
    if (eastWest) return 0;
    storeServiceKey(key, addr, 0, 0, 0, 0);
    const wildcard = node.services.lookup(key);
    if (wildcard != 0) {
      res.flags |= VFLAG_WILDCARD;
      return wildcard;
    }
    return 0;
  }
  if (!eastWest || (load<u8>(svc, SVC_FLAGS2) & SVC_F2_TWO_SCOPES) == 0) return svc;
  storeServiceKey(key, addr, port, 0, proto, 1);
  return node.services.lookup(key);
}

/**
 * Writes a whole lb4_key as two stores at the offsets the maps read 12-byte keys in (u64 address,
 * port and slot; u32 proto, scope and padding), so the lookup that follows reads it straight from
 * the store buffer.
 */
function storeServiceKey(key: usize, addr: u32, port: u32, slot: u32, proto: u8, scope: u8): void {
  const head = (<u64>addr) | ((<u64>(port & 0xffff)) << 32) | ((<u64>(slot & 0xffff)) << 48);
  store<u64>(key, head, SVC_KEY_ADDR);
  store<u32>(key, (<u32>proto) | ((<u32>scope) << 8), SVC_KEY_PROTO);
}

/** lb4_src_range_ok: the client passes the service's loadBalancerSourceRanges check. */
export function sourceRangeOk(node: Node, svc: usize, saddr: u32): bool {
  if ((load<u8>(svc, SVC_FLAGS) & SVC_F_SOURCE_RANGE) == 0) return true;
  const revNat = <u32>load<u16>(svc, SVC_REV_NAT);
  let hit = false;
  for (let i: u32 = 0; i < node.sourceRangeCount; i++) {
    const rec = node.sourceRanges + <usize>i * SRC_RANGE_RECORD_SIZE;
    if (load<u32>(rec) == revNat && (saddr & load<u32>(rec, 8)) == load<u32>(rec, 4)) {
      hit = true;
      break;
    }
  }
  return hit != ((load<u8>(svc, SVC_FLAGS2) & SVC_F2_SOURCE_RANGE_DENY) != 0);
}

/** Backend ID in slot `slot` of the service whose key is node.svcKey, 0 if the slot is missing. */
function slotBackend(node: Node, slot: u32): u32 {
  const k = node.slotKey;
  const master = node.svcKey;
  storeServiceKey(
    k,
    load<u32>(master, SVC_KEY_ADDR),
    <u32>load<u16>(master, SVC_KEY_PORT),
    slot,
    load<u8>(master, SVC_KEY_PROTO),
    load<u8>(master, SVC_KEY_SCOPE),
  );
  const v = node.services.lookup(k);
  return v == 0 ? 0 : load<u32>(v, SVC_UNION);
}

/** lb4_select_backend_id: random slot (prandom % count + 1) or Maglev table[flow hash % M], by the service's algorithm. */
function selectBackend(
  node: Node,
  svc: usize,
  eastWest: bool,
  saddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  res: LbResult,
): u32 {
  let alg = node.algorithmOverride;
  if (alg == 0) {
    alg = load<u32>(svc, SVC_UNION) >>> LB_ALGORITHM_SHIFT;
    if (alg != LB_ALG_RANDOM && alg != LB_ALG_MAGLEV) alg = eastWest ? LB_ALG_RANDOM : node.nodeAlgorithm;
  }
  res.flags |= VFLAG_SELECTED;
  if (alg == LB_ALG_MAGLEV) {
    res.flags |= VFLAG_MAGLEV;
    const ref = node.maglev.lookupU32(<u32>load<u16>(svc, SVC_REV_NAT));
    if (ref == 0) return 0;
    const affinity = (load<u8>(svc, SVC_FLAGS) & SVC_F_AFFINITY) != 0;
    const hash = flowHashV4(saddr, sport, dport, proto, node.jhashSeed, node.flowHashPacking, affinity);
    return maglevLookup(<usize>load<u32>(ref), load<u32>(ref, 4), hash);
  }
  const count = <u32>load<u16>(svc, SVC_COUNT);
  return slotBackend(node, (prngNext(node.prng) % count) + 1);
}

/** The backend remembered for this client by session affinity, 0 if none is valid. */
function affinityBackend(node: Node, svc: usize, saddr: u32, now: u32): u32 {
  const key = node.affinityKey;
  store<u32>(key, saddr);
  store<u32>(key, <u32>load<u16>(svc, SVC_REV_NAT), 4);
  const v = node.affinity.lookup(key);
  if (v == 0) return 0;
  const timeout = load<u32>(svc, SVC_UNION) & AFFINITY_TIMEOUT_MASK;
  if (load<u32>(v) + timeout <= now) {
    node.affinity.delete(key);
    return 0;
  }
  const backendId = load<u32>(v, 4);
  // cilium_lb_affinity_match: the agent keeps {backend, service} for the service's active backends.
  const count = <u32>load<u16>(svc, SVC_COUNT);
  let member = false;
  for (let slot: u32 = 1; slot <= count; slot++) {
    if (slotBackend(node, slot) == backendId) {
      member = true;
      break;
    }
  }
  if (!member) {
    node.affinity.delete(key);
    return 0;
  }
  store<u32>(v, now);
  return backendId;
}

/** The service CT lookup's ct_state in lbLocal (a static scratch record). */
const serviceCtState = changetype<CtState>(memory.data(offsetof<CtState>()));

/**
 * lb4_local for a service found by lookupService: the service CT lookup (ct_lookup4, DIR_SERVICE),
 * backend selection for a new flow (session affinity, else lb4_select_backend_id: random slot or
 * Maglev), graceful termination of non-active backends. Returns 0 with the backend in `res`, or a
 * drop code (DROP_NO_SERVICE).
 */
export function lbLocal(
  node: Node,
  svc: usize,
  eastWest: bool,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  proto: u8,
  tcpFlags: u8,
  now: u32,
  res: LbResult,
): u8 {
  const revNat = <u32>load<u16>(svc, SVC_REV_NAT);
  const count = <u32>load<u16>(svc, SVC_COUNT);
  const affinity = (load<u8>(svc, SVC_FLAGS) & SVC_F_AFFINITY) != 0;
  const t = node.tuple;
  tupleFromPacket(t, saddr, daddr, sport, dport, proto, 0, selectTupleType(DIR_SERVICE, SCOPE_REVERSE));
  const state = serviceCtState;
  const status = ctLookup(node, t, DIR_SERVICE, SCOPE_REVERSE, revNat, tcpFlags, now, state);
  res.serviceCt = status;
  let backendId: u32 = 0;
  let backend: usize = 0;
  if (status == CT_NEW) {
    if (count == 0) return DROP_NO_SERVICE;
    if (affinity) {
      backendId = affinityBackend(node, svc, saddr, now);
      if (backendId != 0) {
        backend = node.backends.lookupU32(backendId);
        if (backend == 0) backendId = 0;
        else res.flags |= VFLAG_AFFINITY;
      }
    }
    if (backendId == 0) {
      backendId = selectBackend(node, svc, eastWest, saddr, sport, dport, proto, res);
      backend = node.backends.lookupU32(backendId);
      if (backend == 0) return DROP_NO_SERVICE;
    }
    ctCreate(node, t, DIR_SERVICE, false, revNat, 0, backendId, 0, now);
  } else {
    backendId = state.backendId;
    backend = node.backends.lookupU32(backendId);
    if (backend == 0 || load<u8>(backend, BACKEND_STATE) != BE_STATE_ACTIVE) {
      // Drain existing connections to a terminating backend; new ones go to an active one.
      if (backend == 0 || state.syn) {
        if (count == 0) return DROP_NO_SERVICE;
        backendId = selectBackend(node, svc, eastWest, saddr, sport, dport, proto, res);
        backend = node.backends.lookupU32(backendId);
        if (backend == 0) return DROP_NO_SERVICE;
        res.flags |= VFLAG_RESELECTED;
        ctUpdateServiceEntry(node, t, backendId, revNat);
      }
    }
  }
  if (affinity) {
    const key = node.affinityKey;
    store<u32>(key, saddr);
    store<u32>(key, revNat, 4);
    const v = node.affinityValue;
    store<u32>(v, now);
    store<u32>(v, backendId, 4);
    node.affinity.update(key, v, BPF_ANY);
  }
  res.backendId = backendId;
  res.backend = backend;
  return 0;
}

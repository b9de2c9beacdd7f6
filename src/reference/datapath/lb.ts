// Reference twin of assembly/datapath/lb.ts: service load balancing as bpf/lib/lb.h does it:
// lb4_lookup_service (two scopes, wildcard), lb4_local (service CT entry, backend selection by random
// slot, Maglev or session affinity, graceful termination of non-active backends), the source-range check.
import { BPF_ANY, BPF_EXIST } from "../../maps/types.js";
import { flowHashV4 } from "../lb/flow-hash.js";
import { maglevLookup } from "../lb/select.js";
import {
  AFFINITY_TIMEOUT_MASK,
  BE_STATE_ACTIVE,
  LB_ALG_MAGLEV,
  LB_ALG_RANDOM,
  LB_ALGORITHM_SHIFT,
  SVC_F_AFFINITY,
  SVC_F_SOURCE_RANGE,
  SVC_F2_SOURCE_RANGE_DENY,
  SVC_F2_TWO_SCOPES,
  decodeBackend,
  decodeSvcValue,
  encodeSvcKey,
  u32At,
  u32Key,
  type BackendValue,
  type RefNode,
  type SvcKey,
  type SvcValue,
} from "./node.js";
import { CT_NEW, DIR_SERVICE, DROP_NO_SERVICE, SCOPE_REVERSE } from "./constants.js";
import {
  ctCreate,
  ctLookup,
  ctUpdateServiceEntry,
  emptyCtState,
  selectTupleType,
  tupleFromPacket,
} from "./conntrack.js";
import type { RecordLayout } from "../../wasm/codec.js";

/** A service lookup hit: the key that found it and the master value. */
export interface ServiceHit {
  key: SvcKey;
  svc: SvcValue;
  wildcard: boolean;
}

/**
 * lb4_lookup_service: the master entry for {addr, port, proto}, none if missing. East-west lookups
 * switch to the internal scope for two-scope services; north-south ones fall back to the per-address
 * wildcard {addr, 0, ANY} (VFLAG_WILDCARD).
 */
export function lookupService(
  node: RefNode,
  addr: number,
  port: number,
  proto: number,
  eastWest: boolean,
): ServiceHit | null {
  const key: SvcKey = { address: addr, port, slot: 0, proto, scope: 0 };
  const raw = node.services.lookup(encodeSvcKey(key));
  if (raw === undefined) {
    if (eastWest) return null;
    key.port = 0;
    key.proto = 0;
    const wildcard = node.services.lookup(encodeSvcKey(key));
    return wildcard === undefined ? null : { key, svc: decodeSvcValue(wildcard), wildcard: true };
  }
  const svc = decodeSvcValue(raw);
  if (!eastWest || (svc.flags2 & SVC_F2_TWO_SCOPES) === 0) return { key, svc, wildcard: false };
  key.scope = 1;
  const internal = node.services.lookup(encodeSvcKey(key));
  return internal === undefined ? null : { key, svc: decodeSvcValue(internal), wildcard: false };
}

/** lb4_src_range_ok: the client passes the service's loadBalancerSourceRanges check. */
export function sourceRangeOk(node: RefNode, svc: SvcValue, saddr: number): boolean {
  if ((svc.flags & SVC_F_SOURCE_RANGE) === 0) return true;
  let hit = false;
  for (const r of node.sourceRanges) {
    if (r.revNat === svc.revNat && (saddr & r.mask) >>> 0 === r.prefix) {
      hit = true;
      break;
    }
  }
  return hit !== ((svc.flags2 & SVC_F2_SOURCE_RANGE_DENY) !== 0);
}

function slotBackend(node: RefNode, key: SvcKey, slot: number): number {
  const raw = node.services.lookup(encodeSvcKey({ ...key, slot }));
  return raw === undefined ? 0 : u32At(raw, 0);
}

/** What lb4_local did, for the verdict (Cilium's out-parameter style). */
export interface LbResult {
  flags: number;
  serviceCt: number;
  backendId: number;
  backend: BackendValue | null;
}

/** lb4_select_backend_id: random slot (prandom % count + 1) or Maglev table[flow hash % M], by the service's algorithm. */
function selectBackend(
  node: RefNode,
  layout: RecordLayout,
  hit: ServiceHit,
  eastWest: boolean,
  saddr: number,
  sport: number,
  dport: number,
  proto: number,
  res: LbResult,
): number {
  const config = node.config;
  let alg: number = config.algorithmOverride;
  if (alg === 0) {
    alg = hit.svc.union >>> LB_ALGORITHM_SHIFT;
    if (alg !== LB_ALG_RANDOM && alg !== LB_ALG_MAGLEV) alg = eastWest ? LB_ALG_RANDOM : config.nodeAlgorithm;
  }
  res.flags |= layout.VFLAG_SELECTED;
  if (alg === LB_ALG_MAGLEV) {
    res.flags |= layout.VFLAG_MAGLEV;
    const table = node.maglev.get(hit.svc.revNat);
    if (table === undefined) return 0;
    const affinity = (hit.svc.flags & SVC_F_AFFINITY) !== 0;
    const packing = config.flowHashPacking === 1 ? "service-port-high" : "client-port-high";
    const hash = flowHashV4(
      { clientAddress: saddr, clientPort: sport, servicePort: dport, protocol: proto },
      config.jhashSeed,
      packing,
      affinity,
    );
    return maglevLookup(table, hash);
  }
  return slotBackend(node, hit.key, (node.prng.next() % hit.svc.count) + 1);
}

function affinityBackend(node: RefNode, hit: ServiceHit, saddr: number, now: number): number {
  const key = new Uint8Array(8);
  const kv = new DataView(key.buffer);
  kv.setUint32(0, saddr >>> 0, true);
  kv.setUint32(4, hit.svc.revNat, true);
  const raw = node.affinity.lookup(key);
  if (raw === undefined) return 0;
  const timeout = hit.svc.union & AFFINITY_TIMEOUT_MASK;
  if ((u32At(raw, 0) + timeout) >>> 0 <= now) {
    node.affinity.delete(key);
    return 0;
  }
  const backendId = u32At(raw, 4);
  let member = false;
  for (let slot = 1; slot <= hit.svc.count; slot++) {
    if (slotBackend(node, hit.key, slot) === backendId) {
      member = true;
      break;
    }
  }
  if (!member) {
    node.affinity.delete(key);
    return 0;
  }
  const v = new Uint8Array(raw);
  new DataView(v.buffer).setUint32(0, now >>> 0, true);
  node.affinity.update(key, v, BPF_EXIST);
  return backendId;
}

function backendOf(node: RefNode, id: number): BackendValue | null {
  const raw = node.backends.lookup(u32Key(id));
  return raw === undefined ? null : decodeBackend(raw);
}

/**
 * lb4_local for a service found by lookupService: the service CT lookup (ct_lookup4, DIR_SERVICE),
 * backend selection for a new flow (session affinity, else lb4_select_backend_id: random slot or
 * Maglev), graceful termination of non-active backends. Returns 0 with the backend in `res`, or a
 * drop code (DROP_NO_SERVICE).
 */
export function lbLocal(
  node: RefNode,
  layout: RecordLayout,
  hit: ServiceHit,
  eastWest: boolean,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
  tcpFlags: number,
  now: number,
  res: LbResult,
): number {
  const svc = hit.svc;
  const affinity = (svc.flags & SVC_F_AFFINITY) !== 0;
  const t = tupleFromPacket(
    saddr,
    daddr,
    sport,
    dport,
    proto,
    0,
    selectTupleType(DIR_SERVICE, SCOPE_REVERSE),
  )!;
  const state = emptyCtState();
  const status = ctLookup(node, t, DIR_SERVICE, SCOPE_REVERSE, svc.revNat, tcpFlags, now, state);
  res.serviceCt = status;
  let backendId = 0;
  let backend: BackendValue | null = null;
  if (status === CT_NEW) {
    if (svc.count === 0) return DROP_NO_SERVICE;
    if (affinity) {
      backendId = affinityBackend(node, hit, saddr, now);
      if (backendId !== 0) {
        backend = backendOf(node, backendId);
        if (backend === null) backendId = 0;
        else res.flags |= layout.VFLAG_AFFINITY;
      }
    }
    if (backendId === 0) {
      backendId = selectBackend(node, layout, hit, eastWest, saddr, sport, dport, proto, res);
      backend = backendOf(node, backendId);
      if (backend === null) return DROP_NO_SERVICE;
    }
    ctCreate(node, t, DIR_SERVICE, false, svc.revNat, 0, backendId, 0, now);
  } else {
    backendId = state.backendId;
    backend = backendOf(node, backendId);
    if (backend === null || backend.state !== BE_STATE_ACTIVE) {
      if (backend === null || state.syn) {
        if (svc.count === 0) return DROP_NO_SERVICE;
        backendId = selectBackend(node, layout, hit, eastWest, saddr, sport, dport, proto, res);
        backend = backendOf(node, backendId);
        if (backend === null) return DROP_NO_SERVICE;
        res.flags |= layout.VFLAG_RESELECTED;
        ctUpdateServiceEntry(node, t, backendId, svc.revNat);
      }
    }
  }
  if (affinity) {
    const key = new Uint8Array(8);
    const kv = new DataView(key.buffer);
    kv.setUint32(0, saddr >>> 0, true);
    kv.setUint32(4, svc.revNat, true);
    const v = new Uint8Array(8);
    const vv = new DataView(v.buffer);
    vv.setUint32(0, now >>> 0, true);
    vv.setUint32(4, backendId >>> 0, true);
    node.affinity.update(key, v, BPF_ANY);
  }
  res.backendId = backendId;
  res.backend = backend;
  return 0;
}

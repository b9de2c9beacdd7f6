// Host-facing exports of the datapath: create an emulated node, fill its maps, process batches,
// collect garbage and read statistics. The host refers to a node by a small integer handle; the
// node table keeps every live node reachable for the runtime.
import { BPF_ANY } from "../maps/errno";
import { prngSeed } from "../lb/select";
import { Node, NodeCapacities } from "./node";
import {
  BACKEND_ADDR,
  BACKEND_PORT,
  BACKEND_PROTO,
  BACKEND_STATE,
  BACKEND_VALUE_SIZE,
  CT_BACKEND,
  CT_FLAGS,
  CT_LAST_RX_REPORT,
  CT_LAST_TX_REPORT,
  CT_LIFETIME,
  CT_REV_NAT,
  CT_RX_FLAGS_SEEN,
  CT_SRC_SEC_ID,
  CT_TX_FLAGS_SEEN,
  CT_VALUE_SIZE,
  EP_ID,
  EP_IDENTITY,
  EP_IS_HOST,
  IPCACHE_FLAGS,
  IPCACHE_IDENTITY,
  IPCACHE_TUNNEL,
  REVNAT_ADDR,
  REVNAT_PORT,
  SRC_RANGE_RECORD_SIZE,
  SVC_COUNT,
  SVC_FLAGS,
  SVC_FLAGS2,
  SVC_KEY_ADDR,
  SVC_KEY_PORT,
  SVC_KEY_PROTO,
  SVC_KEY_SCOPE,
  SVC_KEY_SIZE,
  SVC_KEY_SLOT,
  SVC_QCOUNT,
  SVC_REV_NAT,
  SVC_UNION,
  SVC_VALUE_SIZE,
  TUPLE_DADDR,
  TUPLE_DPORT,
  TUPLE_FLAGS,
  TUPLE_NEXTHDR,
  TUPLE_SADDR,
  TUPLE_SPORT,
} from "./layout";
import { natInsert } from "./nat";
import { processBatch } from "./pipeline";
import { gcRun } from "./gc";
import { nodeOf as node, nodes } from "./handles";

// Scratch buffer for map writes from the host.
const tmp = heap.alloc(64);

/** Creates an emulated node; returns its handle. Capacities of 0 take Cilium's defaults. */
export function dpCreate(
  ctTcpMax: u32,
  ctAnyMax: u32,
  natMax: u32,
  affinityMax: u32,
  servicesMax: u32,
  backendsMax: u32,
  ipcacheMax: u32,
  endpointsMax: u32,
  seed: u32,
): i32 {
  const caps = new NodeCapacities();
  if (servicesMax != 0) caps.services = servicesMax;
  if (backendsMax != 0) {
    caps.backends = backendsMax;
    caps.revNat = max(backendsMax, caps.services);
  }
  if (ipcacheMax != 0) caps.ipcache = ipcacheMax;
  if (endpointsMax != 0) caps.endpoints = endpointsMax;
  const n = new Node(caps, ctTcpMax, ctAnyMax, natMax, affinityMax, seed);
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i] === null) {
      nodes[i] = n;
      return i;
    }
  }
  nodes.push(n);
  return nodes.length - 1;
}

/** Frees a node and its maps; the handle may be reused by a later dpCreate. */
export function dpDestroy(h: i32): void {
  node(h).dispose();
  nodes[h] = null;
}

/** Node addresses and modes (see NodeConfig in src/datapath/state.ts). */
export function dpConfigure(
  h: i32,
  masqueradeAddress: u32,
  directRoutingAddress: u32,
  routerAddress: u32,
  loopbackAddress: u32,
  nativeCidrPrefix: u32,
  nativeCidrMask: u32,
  hasNativeCidr: bool,
  tunnelMode: bool,
  bpfHostRouting: bool,
  masquerade: bool,
  ipMasqAgent: bool,
  serviceProtocols: bool,
): void {
  const n = node(h);
  n.masqueradeAddress = masqueradeAddress;
  n.directRoutingAddress = directRoutingAddress;
  n.routerAddress = routerAddress;
  n.loopbackAddress = loopbackAddress;
  n.nativeCidrPrefix = nativeCidrPrefix & nativeCidrMask;
  n.nativeCidrMask = nativeCidrMask;
  n.hasNativeCidr = hasNativeCidr;
  n.tunnelMode = tunnelMode;
  n.bpfHostRouting = bpfHostRouting;
  n.masquerade = masquerade;
  n.ipMasqAgent = ipMasqAgent;
  n.serviceProtocols = serviceProtocols;
}

/** NAT port range, SNAT retries, load-balancing algorithm and Maglev hash parameters. */
export function dpConfigureLb(
  h: i32,
  natPortMin: u32,
  natPortMax: u32,
  snatRetries: u32,
  nodeAlgorithm: u32,
  algorithmOverride: u32,
  jhashSeed: u32,
  flowHashPacking: u32,
  gcInterval: u32,
): void {
  const n = node(h);
  n.natPortMin = natPortMin;
  n.natPortMax = natPortMax;
  n.snatRetries = snatRetries;
  n.nodeAlgorithm = nodeAlgorithm;
  n.algorithmOverride = algorithmOverride;
  n.jhashSeed = jhashSeed;
  n.flowHashPacking = flowHashPacking;
  n.gcInterval = gcInterval;
}

/** CT lifetimes in seconds. */
export function dpConfigureTimeouts(
  h: i32,
  regularTcp: u32,
  regularAny: u32,
  serviceTcp: u32,
  serviceAny: u32,
  tcpSyn: u32,
  tcpClose: u32,
  serviceCloseRebalance: u32,
): void {
  const n = node(h);
  n.timeoutRegularTcp = regularTcp;
  n.timeoutRegularAny = regularAny;
  n.timeoutServiceTcp = serviceTcp;
  n.timeoutServiceAny = serviceAny;
  n.timeoutTcpSyn = tcpSyn;
  n.timeoutTcpClose = tcpClose;
  n.timeoutServiceCloseRebalance = serviceCloseRebalance;
}

/** Re-seeds the PRNG (random selection and SNAT port choice). */
export function dpSeed(h: i32, seed: u32): void {
  prngSeed(node(h).prng, seed);
  node(h).baseSeed = seed;
}

/** Turns the "random per flow" option on or off (see flow-seed.ts). */
export function dpSetRandomPerFlow(h: i32, on: bool): void {
  node(h).randomPerFlow = on;
}

function serviceKey(address: u32, port: u32, proto: u32, scope: u32, slot: u32): usize {
  memory.fill(tmp, 0, SVC_KEY_SIZE);
  store<u32>(tmp, address, SVC_KEY_ADDR);
  store<u16>(tmp, <u16>port, SVC_KEY_PORT);
  store<u16>(tmp, <u16>slot, SVC_KEY_SLOT);
  store<u8>(tmp, <u8>proto, SVC_KEY_PROTO);
  store<u8>(tmp, <u8>scope, SVC_KEY_SCOPE);
  return tmp;
}

/** Writes one lb4 service record (master: slot 0). Returns 0 or a negative errno. */
export function dpServiceUpdate(
  h: i32,
  address: u32,
  port: u32,
  proto: u32,
  scope: u32,
  slot: u32,
  unionWord: u32,
  count: u32,
  qcount: u32,
  revNat: u32,
  flags: u32,
  flags2: u32,
): i32 {
  const key = serviceKey(address, port, proto, scope, slot);
  const v = tmp + 16;
  memory.fill(v, 0, SVC_VALUE_SIZE);
  store<u32>(v, unionWord, SVC_UNION);
  store<u16>(v, <u16>count, SVC_COUNT);
  store<u16>(v, <u16>revNat, SVC_REV_NAT);
  store<u8>(v, <u8>flags, SVC_FLAGS);
  store<u8>(v, <u8>flags2, SVC_FLAGS2);
  store<u16>(v, <u16>qcount, SVC_QCOUNT);
  return node(h).services.update(key, v, BPF_ANY);
}

export function dpServiceDelete(h: i32, address: u32, port: u32, proto: u32, scope: u32, slot: u32): i32 {
  return node(h).services.delete(serviceKey(address, port, proto, scope, slot));
}

export function dpBackendUpdate(h: i32, id: u32, address: u32, port: u32, proto: u32, state: u32): i32 {
  store<u32>(tmp, id);
  const v = tmp + 16;
  memory.fill(v, 0, BACKEND_VALUE_SIZE);
  store<u32>(v, address, BACKEND_ADDR);
  store<u16>(v, <u16>port, BACKEND_PORT);
  store<u8>(v, <u8>proto, BACKEND_PROTO);
  store<u8>(v, <u8>state, BACKEND_STATE);
  return node(h).backends.update(tmp, v, BPF_ANY);
}

export function dpBackendDelete(h: i32, id: u32): i32 {
  store<u32>(tmp, id);
  return node(h).backends.delete(tmp);
}

export function dpRevNatUpdate(h: i32, id: u32, address: u32, port: u32): i32 {
  store<u32>(tmp, id);
  const v = tmp + 16;
  store<u32>(v, address, REVNAT_ADDR);
  store<u32>(v, port, REVNAT_PORT);
  return node(h).revNat.update(tmp, v, BPF_ANY);
}

export function dpRevNatDelete(h: i32, id: u32): i32 {
  store<u32>(tmp, id);
  return node(h).revNat.delete(tmp);
}

export function dpEndpointUpdate(h: i32, address: u32, endpointId: u32, identity: u32, isHost: bool): i32 {
  store<u32>(tmp, address);
  const v = tmp + 16;
  store<u32>(v, endpointId, EP_ID);
  store<u32>(v, identity, EP_IDENTITY);
  store<u32>(v, isHost ? 1 : 0, EP_IS_HOST);
  return node(h).endpoints.update(tmp, v, BPF_ANY);
}

export function dpIpcacheUpdate(
  h: i32,
  prefix: u32,
  prefixLen: u32,
  identity: u32,
  tunnelEndpoint: u32,
  flags: u32,
  encryptKey: u32,
): i32 {
  const v = tmp;
  memory.fill(v, 0, 12);
  store<u32>(v, identity, IPCACHE_IDENTITY);
  store<u32>(v, tunnelEndpoint, IPCACHE_TUNNEL);
  store<u8>(v, <u8>flags, IPCACHE_FLAGS);
  store<u8>(v, <u8>encryptKey, IPCACHE_FLAGS + 1);
  return node(h).ipcache.update(prefix, prefixLen, v, BPF_ANY);
}

export function dpIpMasqAdd(h: i32, prefix: u32, prefixLen: u32): i32 {
  store<u32>(tmp, 1);
  return node(h).ipMasq.update(prefix, prefixLen, tmp, BPF_ANY);
}

/** Adds a loadBalancerSourceRanges CIDR of a service; -28 (ENOSPC) when the list is full. */
export function dpSourceRangeAdd(h: i32, revNat: u32, prefix: u32, prefixLen: u32): i32 {
  const n = node(h);
  if (n.sourceRangeCount == n.sourceRangeMax) return -28;
  const mask: u32 = prefixLen == 0 ? 0 : <u32>(0xffffffff << (32 - prefixLen));
  const rec = n.sourceRanges + <usize>n.sourceRangeCount * SRC_RANGE_RECORD_SIZE;
  store<u32>(rec, revNat);
  store<u32>(rec, prefix & mask, 4);
  store<u32>(rec, mask, 8);
  n.sourceRangeCount++;
  return 0;
}

/**
 * Installs the Maglev table (u32[m] backend IDs at `table`, copied) for a rev-NAT ID, replacing any
 * previous one; m = 0 removes it.
 */
export function dpMaglevSet(h: i32, revNat: u32, table: usize, m: u32): i32 {
  const n = node(h);
  store<u32>(tmp, revNat);
  const old = n.maglev.lookup(tmp);
  if (old != 0) {
    heap.free(<usize>load<u32>(old));
    n.maglev.delete(tmp);
  }
  if (m == 0) return 0;
  const copy = heap.alloc((<usize>m) << 2);
  memory.copy(copy, table, (<usize>m) << 2);
  const v = tmp + 16;
  store<u32>(v, <u32>copy);
  store<u32>(v, m, 4);
  store<u32>(tmp, revNat);
  return n.maglev.update(tmp, v, BPF_ANY);
}

/** Writes a pre-existing CT entry into ct4_global (TCP) or ct_any4_global. */
export function dpCtInsert(
  h: i32,
  daddr: u32,
  saddr: u32,
  dport: u32,
  sport: u32,
  nexthdr: u32,
  tupleFlags: u32,
  lifetime: u32,
  flags: u32,
  revNat: u32,
  backendId: u32,
  srcSecId: u32,
  txFlagsSeen: u32,
  rxFlagsSeen: u32,
  lastTxReport: u32,
  lastRxReport: u32,
): i32 {
  const n = node(h);
  const t = tmp;
  store<u32>(t, daddr, TUPLE_DADDR);
  store<u32>(t, saddr, TUPLE_SADDR);
  store<u16>(t, <u16>dport, TUPLE_DPORT);
  store<u16>(t, <u16>sport, TUPLE_SPORT);
  store<u8>(t, <u8>nexthdr, TUPLE_NEXTHDR);
  store<u8>(t, <u8>tupleFlags, TUPLE_FLAGS);
  const v = tmp + 16;
  memory.fill(v, 0, CT_VALUE_SIZE);
  store<u32>(v, lifetime, CT_LIFETIME);
  store<u16>(v, <u16>flags, CT_FLAGS);
  store<u16>(v, <u16>revNat, CT_REV_NAT);
  store<u32>(v, backendId, CT_BACKEND);
  store<u32>(v, srcSecId, CT_SRC_SEC_ID);
  store<u8>(v, <u8>txFlagsSeen, CT_TX_FLAGS_SEEN);
  store<u8>(v, <u8>rxFlagsSeen, CT_RX_FLAGS_SEEN);
  store<u32>(v, lastTxReport, CT_LAST_TX_REPORT);
  store<u32>(v, lastRxReport, CT_LAST_RX_REPORT);
  return n.ctMapFor(<u8>nexthdr).update(t, v, BPF_ANY);
}

/** Writes a pre-existing SNAT entry (tuple in packet layout). */
export function dpNatInsert(
  h: i32,
  saddr: u32,
  daddr: u32,
  sport: u32,
  dport: u32,
  nexthdr: u32,
  tupleFlags: u32,
  created: u32,
  needsCt: bool,
  address: u32,
  port: u32,
): i32 {
  return natInsert(
    node(h),
    saddr,
    daddr,
    sport,
    dport,
    <u8>nexthdr,
    <u8>tupleFlags,
    created,
    needsCt,
    address,
    port,
  );
}

/** Runs the pipeline over `n` packet records at `packets`; writes `n` verdict records at `verdicts`. */
export function dpProcess(h: i32, packets: usize, n: u32, verdicts: usize): void {
  processBatch(node(h), packets, n, verdicts);
}

/** Collects expired CT entries (and their SNAT pairs) as of `now` (datapath seconds). */
export function dpGc(h: i32, now: u32): void {
  gcRun(node(h), now);
}

export const DP_STATS_SIZE: u32 = 96;

/**
 * Writes statistics at `out` (DP_STATS_SIZE bytes): u32 counts then capacities of ct4, ct_any4,
 * SNAT, affinity (0..28), u32 gc runs (32), then u64: packets (40), forwarded (48), dropped (56),
 * CT entries collected (64), SNAT entries collected (72), CT evictions (80), SNAT evictions (88).
 */
export function dpStats(h: i32, out: usize): void {
  const n = node(h);
  store<u32>(out, n.ctTcp.count, 0);
  store<u32>(out, n.ctTcp.maxEntries, 4);
  store<u32>(out, n.ctAny.count, 8);
  store<u32>(out, n.ctAny.maxEntries, 12);
  store<u32>(out, n.nat.count, 16);
  store<u32>(out, n.nat.maxEntries, 20);
  store<u32>(out, n.affinity.count, 24);
  store<u32>(out, n.affinity.maxEntries, 28);
  store<u32>(out, n.gcRuns, 32);
  store<u32>(out, 0, 36);
  store<u64>(out, n.packets, 40);
  store<u64>(out, n.forwarded, 48);
  store<u64>(out, n.dropped, 56);
  store<u64>(out, n.gcCtDeleted, 64);
  store<u64>(out, n.gcNatDeleted, 72);
  store<u64>(out, n.ctEvictions, 80);
  store<u64>(out, n.natEvictions, 88);
}

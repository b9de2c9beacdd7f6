// One emulated node: its BPF maps (fixed capacity, like max_entries), the agent configuration the
// datapath reads, the seeded PRNG, and scratch records reused by every packet (no per-packet
// allocation). Created and filled by api.ts; read by the pipeline.
import { HashMap } from "../maps/hash-map";
import { LruHashMap } from "../maps/lru-hash-map";
import { LpmTrie } from "../maps/lpm-trie";
import { PRNG_STATE_SIZE, prngSeed } from "../lb/select";
import {
  AFFINITY_KEY_SIZE,
  AFFINITY_VALUE_SIZE,
  BACKEND_VALUE_SIZE,
  CT_VALUE_SIZE,
  EP_VALUE_SIZE,
  IPCACHE_VALUE_SIZE,
  MAGLEV_VALUE_SIZE,
  NAT_VALUE_SIZE,
  REVNAT_VALUE_SIZE,
  SRC_RANGE_RECORD_SIZE,
  SVC_KEY_SIZE,
  SVC_VALUE_SIZE,
  TUPLE_SIZE,
} from "./layout";

/** Capacities of the lookup maps that are not sized by the agent's CT/NAT options. */
export class NodeCapacities {
  services: u32 = 65536;
  backends: u32 = 65536;
  revNat: u32 = 65536;
  ipcache: u32 = 512000;
  endpoints: u32 = 65535;
  ipMasq: u32 = 16384;
  sourceRanges: u32 = 1024;
}

export class Node {
  readonly services: HashMap;
  readonly backends: HashMap;
  readonly revNat: HashMap;
  readonly endpoints: HashMap;
  readonly maglev: HashMap;
  readonly ipcache: LpmTrie;
  readonly ipMasq: LpmTrie;
  readonly ctTcp: LruHashMap;
  readonly ctAny: LruHashMap;
  readonly nat: LruHashMap;
  readonly affinity: LruHashMap;
  readonly sourceRanges: usize;
  sourceRangeCount: u32 = 0;
  readonly sourceRangeMax: u32;

  // Agent configuration.
  masqueradeAddress: u32 = 0;
  directRoutingAddress: u32 = 0;
  routerAddress: u32 = 0;
  loopbackAddress: u32 = 0xa9fe2a01;
  nativeCidrPrefix: u32 = 0;
  nativeCidrMask: u32 = 0;
  hasNativeCidr: bool = false;
  tunnelMode: bool = true;
  bpfHostRouting: bool = true;
  masquerade: bool = true;
  ipMasqAgent: bool = false;
  /** NODEPORT_MODE_* (bpf-lb-mode), DSR_DISPATCH_* (bpf-lb-dsr-dispatch) and the tunnel's ENCAP_*. */
  nodePortMode: u8 = 0;
  dsrDispatch: u8 = 0;
  tunnelProtocol: u8 = 1;
  /** Service keys carry the L4 protocol (Cilium >= 1.16); else lookups use ANY. */
  serviceProtocols: bool = true;
  natPortMin: u32 = 32768;
  natPortMax: u32 = 65535;
  snatRetries: u32 = 32;
  timeoutRegularTcp: u32 = 8000;
  timeoutRegularAny: u32 = 60;
  timeoutServiceTcp: u32 = 8000;
  timeoutServiceAny: u32 = 60;
  timeoutTcpSyn: u32 = 60;
  timeoutTcpClose: u32 = 10;
  timeoutServiceCloseRebalance: u32 = 60;
  gcInterval: u32 = 300;
  /** Node-wide algorithm (LB_ALG_*) for north-south traffic. */
  nodeAlgorithm: u32 = 1;
  /** 0, or LB_ALG_* forced for every selection (the --algorithm override). */
  algorithmOverride: u32 = 0;
  /** SeedJhash0 (hash_init4_seed). */
  jhashSeed: u32 = 0;
  /** FLOW_HASH_* packing of the Maglev tuple hash for the emulated Cilium version. */
  flowHashPacking: u32 = 1;

  // Clock and garbage collection.
  nextGc: u32 = 0;
  gcStarted: bool = false;
  readonly gcIds: usize;
  readonly gcIdsCapacity: u32;

  // Statistics.
  packets: u64 = 0;
  forwarded: u64 = 0;
  dropped: u64 = 0;
  gcRuns: u32 = 0;
  gcCtDeleted: u64 = 0;
  gcNatDeleted: u64 = 0;
  ctEvictions: u64 = 0;
  natEvictions: u64 = 0;

  readonly prng: usize;
  /** The seed given at creation (or by dpSeed), and whether the PRNG is re-seeded per packet from it. */
  baseSeed: u32;
  randomPerFlow: bool = false;

  // Scratch records reused per packet.
  readonly tuple: usize;
  readonly tuple2: usize;
  readonly natTuple: usize;
  readonly natRevTuple: usize;
  readonly svcKey: usize;
  readonly slotKey: usize;
  readonly ctValue: usize;
  readonly natValue: usize;
  readonly natRevValue: usize;
  readonly affinityKey: usize;
  readonly affinityValue: usize;
  readonly u32Key: usize;

  constructor(caps: NodeCapacities, ctTcpMax: u32, ctAnyMax: u32, natMax: u32, affinityMax: u32, seed: u32) {
    this.services = new HashMap(SVC_KEY_SIZE, SVC_VALUE_SIZE, caps.services);
    this.backends = new HashMap(4, BACKEND_VALUE_SIZE, caps.backends);
    this.revNat = new HashMap(4, REVNAT_VALUE_SIZE, caps.revNat);
    this.endpoints = new HashMap(4, EP_VALUE_SIZE, caps.endpoints);
    this.maglev = new HashMap(4, MAGLEV_VALUE_SIZE, caps.revNat);
    this.ipcache = new LpmTrie(IPCACHE_VALUE_SIZE, caps.ipcache);
    this.ipMasq = new LpmTrie(4, caps.ipMasq);
    this.ctTcp = new LruHashMap(TUPLE_SIZE, CT_VALUE_SIZE, ctTcpMax);
    this.ctAny = new LruHashMap(TUPLE_SIZE, CT_VALUE_SIZE, ctAnyMax);
    this.nat = new LruHashMap(TUPLE_SIZE, NAT_VALUE_SIZE, natMax);
    this.affinity = new LruHashMap(AFFINITY_KEY_SIZE, AFFINITY_VALUE_SIZE, affinityMax);
    this.sourceRangeMax = caps.sourceRanges;
    this.sourceRanges = heap.alloc(<usize>caps.sourceRanges * SRC_RANGE_RECORD_SIZE);
    this.gcIdsCapacity = max(ctTcpMax, ctAnyMax);
    this.gcIds = heap.alloc((<usize>this.gcIdsCapacity) << 2);
    this.prng = heap.alloc(PRNG_STATE_SIZE);
    prngSeed(this.prng, seed);
    this.baseSeed = seed;
    this.tuple = heap.alloc(16);
    this.tuple2 = heap.alloc(16);
    this.natTuple = heap.alloc(16);
    this.natRevTuple = heap.alloc(16);
    this.svcKey = heap.alloc(SVC_KEY_SIZE);
    this.slotKey = heap.alloc(SVC_KEY_SIZE);
    this.ctValue = heap.alloc(CT_VALUE_SIZE);
    this.natValue = heap.alloc(NAT_VALUE_SIZE);
    this.natRevValue = heap.alloc(NAT_VALUE_SIZE);
    this.affinityKey = heap.alloc(AFFINITY_KEY_SIZE);
    this.affinityValue = heap.alloc(AFFINITY_VALUE_SIZE);
    this.u32Key = heap.alloc(4);
  }

  /** Frees every map and buffer; the node must not be used afterwards. */
  dispose(): void {
    this.services.dispose();
    this.backends.dispose();
    this.revNat.dispose();
    this.endpoints.dispose();
    this.ipcache.dispose();
    this.ipMasq.dispose();
    this.ctTcp.dispose();
    this.ctAny.dispose();
    this.nat.dispose();
    this.affinity.dispose();
    // Maglev tables are separate allocations referenced from the maglev map.
    let id = this.maglev.next(0);
    while (id >= 0) {
      heap.free(<usize>load<u32>(this.maglev.entryValue(<u32>id)));
      id = this.maglev.next(this.maglev.entryKey(<u32>id));
    }
    this.maglev.dispose();
    heap.free(this.sourceRanges);
    heap.free(this.gcIds);
    heap.free(this.prng);
    heap.free(this.tuple);
    heap.free(this.tuple2);
    heap.free(this.natTuple);
    heap.free(this.natRevTuple);
    heap.free(this.svcKey);
    heap.free(this.slotKey);
    heap.free(this.ctValue);
    heap.free(this.natValue);
    heap.free(this.natRevValue);
    heap.free(this.affinityKey);
    heap.free(this.affinityValue);
    heap.free(this.u32Key);
  }

  /** The CT map a tuple belongs to: TCP entries in ct4_global, everything else in ct_any4_global. */
  @inline
  ctMapFor(nexthdr: u8): LruHashMap {
    return nexthdr == 6 ? this.ctTcp : this.ctAny;
  }
}

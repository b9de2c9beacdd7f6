// The contract both datapath implementations fulfil: the Wasm pipeline (src/wasm/datapath.ts) and
// its pure-TypeScript twin (src/reference/datapath/). Datapath drives either through it, and the
// differential tests drive both with the same calls and compare every verdict.
import type { PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "./verdict.js";
import type { MapReader } from "./map-records.js";
import type {
  BackendMapEntry,
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceMapEntry,
} from "./state.js";

/** Node configuration in the numeric form the pipelines read. */
export interface EngineConfig {
  capacities: {
    ctTcp: number;
    ctAny: number;
    nat: number;
    affinity: number;
    services: number;
    backends: number;
    ipcache: number;
    endpoints: number;
  };
  seed: number;
  /** Re-seed the PRNG per packet (EngineOptions.randomPerFlow); absent = false. */
  randomPerFlow?: boolean;
  masqueradeAddress: number;
  directRoutingAddress: number;
  routerAddress: number;
  loopbackAddress: number;
  nativeCidr: { prefix: number; prefixLen: number } | null;
  tunnelMode: boolean;
  /** ENCAP_VXLAN (1) or ENCAP_GENEVE (2): the overlay's encapsulation. */
  tunnelProtocol: 1 | 2;
  /** NodePort forwarding to remote backends: 0 SNAT, 1 DSR, 2 hybrid (DSR for TCP, SNAT else). */
  nodePortMode: 0 | 1 | 2;
  /** DSR dispatch: 0 IPv4 option, 1 IPIP, 2 Geneve option. */
  dsrDispatch: 0 | 1 | 2;
  bpfHostRouting: boolean;
  masquerade: boolean;
  ipMasqAgent: boolean;
  serviceProtocols: boolean;
  natPortMin: number;
  natPortMax: number;
  snatRetries: number;
  /** 1 random, 2 Maglev: the node's algorithm for north-south traffic. */
  nodeAlgorithm: 1 | 2;
  /** 0 none, else forced for every selection. */
  algorithmOverride: 0 | 1 | 2;
  /** SeedJhash0 of the cluster seed. */
  jhashSeed: number;
  /** 0: client port high (Cilium <= 1.16), 1: service port high (>= 1.17). */
  flowHashPacking: 0 | 1;
  gcIntervalSec: number;
  timeouts: {
    regularTcp: number;
    regularAny: number;
    serviceTcp: number;
    serviceAny: number;
    tcpSyn: number;
    tcpClose: number;
    serviceCloseRebalance: number;
  };
}

/** Map occupancy and counters of one emulated node. */
export interface EngineStats {
  ct: { tcp: number; tcpMax: number; any: number; anyMax: number; evictions: number };
  nat: { entries: number; max: number; evictions: number };
  affinity: { entries: number; max: number };
  packets: number;
  forwarded: number;
  dropped: number;
  gc: { runs: number; ctDeleted: number; natDeleted: number };
}

/** Identifies one lb4 service record. */
export interface ServiceKey {
  address: number;
  port: number;
  proto: number;
  scope: 0 | 1;
  slot: number;
}

/** One emulated node: its maps (written, and read back through MapReader) and its pipeline. */
export interface DatapathEngine extends MapReader {
  readonly kind: "wasm" | "reference";
  upsertService(entry: ServiceMapEntry): void;
  deleteService(key: ServiceKey): void;
  upsertBackend(backend: BackendMapEntry): void;
  deleteBackend(id: number): void;
  upsertRevNat(entry: RevNatMapEntry): void;
  upsertEndpoint(endpoint: LocalEndpoint): void;
  upsertIpcache(entry: IpcacheMapEntry): void;
  addIpMasqCidr(prefix: number, prefixLen: number): void;
  addSourceRange(revNatId: number, prefix: number, prefixLen: number): void;
  /** Installs (or with null removes) the Maglev table of a rev-NAT ID. */
  setMaglevTable(revNatId: number, table: Uint32Array | null): void;
  insertCt(entry: CtMapEntry): void;
  insertNat(entry: NatMapEntry): void;
  processBatch(packets: readonly PacketRecord[]): DatapathVerdict[];
  /** Collects CT entries expired at `now` (datapath seconds) and their SNAT pairs. */
  gc(now: number): void;
  stats(): EngineStats;
  dispose(): void;
}

/**
 * The union word of a service record: a slot's backend ID; a master's algorithm (top byte) and
 * affinity timeout (below), or an L7 load balancer's proxy port.
 */
export function serviceUnionWord(entry: ServiceMapEntry): number {
  if (entry.slot !== 0) return entry.backendId >>> 0;
  if (entry.l7ProxyPort !== undefined) return entry.l7ProxyPort >>> 0;
  return ((entry.algorithm << 24) | (entry.affinityTimeoutSec & 0xffffff)) >>> 0;
}

/** The mask of a prefix length (host order). */
export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

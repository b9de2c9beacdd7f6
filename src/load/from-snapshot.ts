// Converts one node's view of a loaded snapshot (src/model) into the map-level DatapathState the
// pipelines read. Dumps rarely say everything, so some node facts are inferred from what other
// nodes' dumps show about this node (every inference is listed in `notes`), and what dpemu does
// not emulate (IPv6, ClusterMesh entries, DSR, another node's CT/NAT state) is reported, never
// silently dropped.
import type { CtEntry } from "../model/ct.js";
import type { IpcacheEntry } from "../model/ipcache.js";
import { ipcacheFlagBits } from "../model/ipcache.js";
import type { NatEntry } from "../model/nat.js";
import { protocolNumber } from "../model/protocol.js";
import type { NodeView, Snapshot } from "../model/snapshot.js";
import { parseIPv4, type Cidr } from "../model/ipv4.js";
import { BACKEND_STATES, BackendState, type Backend, type BackendStateValue } from "../model/backend.js";
import type { Service } from "../model/service.js";
import { prefixMask } from "../engine/engine.js";
import { slotFlags } from "../control/slot-layout.js";
import {
  IpcacheFlag,
  TupleFlag,
  defaultNodeConfig,
  type CtMapEntry,
  type DatapathState,
  type IpcacheMapEntry,
  type LocalEndpoint,
  type NatMapEntry,
  type DsrDispatchMode,
  type NodeConfig,
  type ServiceMapEntry,
  type TunnelProtocol,
} from "../engine/state.js";
import type { AgentConfig } from "../model/agent-config.js";
import { escapeForTerminal } from "../model/escape.js";
import { ServiceFlag } from "../model/service-flags.js";

/** Which node of a snapshot to emulate, and at what time the dumps were taken. */
export interface FromSnapshotOptions {
  /** Node to take the view of (default: the snapshot's selected node). */
  node?: string;
  /**
   * The datapath clock (seconds, the capture's clock) at the moment the dumps were taken: CT
   * lifetimes and NAT creation times are placed relative to it. Default: the current time.
   */
  dumpTime?: number;
  /** Overrides of the inferred node configuration (e.g. smaller CT maps for tests). */
  config?: Partial<NodeConfig>;
}

/**
 * How the loader placed the dump's times on the datapath clock: CT times `t` of the node's boot
 * clock became `dumpTime + (t - ctBootTime)`, NAT ages `a` became `created = dumpTime - a`.
 */
export interface DumpClock {
  /** The datapath time (seconds) standing for the moment the dumps were taken. */
  dumpTime: number;
  /** The boot-clock reading taken as that moment (the latest CT trace report); null without CT entries. */
  ctBootTime: number | null;
}

/** The state built from a snapshot, the clock it was loaded with, and notes on what was inferred or left out. */
export interface SnapshotDatapathState {
  state: DatapathState;
  /** Facts inferred rather than dumped, and entries not emulated: one line each. */
  notes: string[];
  clock: DumpClock;
}

const ID_HOST = 1;
const MAX_BACKEND_ID = 0xffffffffn;
const ID_REMOTE_NODE = 6;
const ID_KUBE_APISERVER = 7;

const ipv4 = (text: string): number | undefined => parseIPv4(text);

function ipcacheOf(view: NodeView): Map<string, IpcacheEntry> {
  const out = new Map<string, IpcacheEntry>();
  for (const e of view.ipcache) {
    if (e.prefix.family === "ipv4" && e.clusterId === 0) out.set(`${e.prefix.address}/${e.prefix.length}`, e);
  }
  return out;
}

/** Addresses this node owns: its identity-1 /32 ipcache entries, KPR devices, node-IP frontends. */
function ownAddresses(view: NodeView): string[] {
  const own = new Set<string>();
  for (const e of view.ipcache) {
    if (e.identity === ID_HOST && e.prefix.family === "ipv4" && e.prefix.length === 32)
      own.add(e.prefix.address);
  }
  for (const a of view.config.deviceAddresses ?? []) own.add(a);
  for (const a of view.hostAddresses) own.add(a);
  return [...own].filter((a) => ipv4(a) !== undefined);
}

/** What the other nodes' ipcaches say about `address`: as a tunnel endpoint, and with which identity. */
function seenFromOtherNodes(snapshot: Snapshot | undefined, self: NodeView, address: string) {
  let tunnelEndpoint = false;
  let remoteNode = false;
  let behindTunnelOfSelf = false;
  for (const other of snapshot?.nodes ?? []) {
    if (other.name === self.name) continue;
    for (const e of other.ipcache) {
      if (e.tunnelEndpoint === address) tunnelEndpoint = true;
      if (e.prefix.length === 32 && e.prefix.address === address) {
        if (e.identity === ID_REMOTE_NODE || e.identity === ID_KUBE_APISERVER) remoteNode = true;
        if (e.flags.hasTunnel) behindTunnelOfSelf = true;
      }
    }
  }
  return { tunnelEndpoint, remoteNode, behindTunnelOfSelf };
}

function stateOf(state: string): BackendStateValue {
  const i = BACKEND_STATES.indexOf(state as (typeof BACKEND_STATES)[number]);
  return (i < 0 ? BackendState.ACTIVE : i) as BackendStateValue;
}

function cidrOf(text: string | undefined): Cidr | null {
  if (!text) return null;
  const [address, length] = text.split("/");
  const prefix = ipv4(address ?? "");
  const prefixLen = Number(length);
  if (prefix === undefined || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) return null;
  return { prefix: (prefix & prefixMask(prefixLen)) >>> 0, prefixLen };
}

/**
 * CT expiry and report times are in the node's boot clock; the dump does not say what that clock
 * read when it was taken, so the most recent trace report stands in for it.
 */
function ctEntries(
  view: NodeView,
  dumpTime: number,
  notes: string[],
): { entries: CtMapEntry[]; bootNow: number | null } {
  const v4 = view.ct.filter((e) => e.family === "ipv4");
  if (v4.length < view.ct.length) notes.push(`${view.ct.length - v4.length} IPv6 CT entries not emulated`);
  if (v4.length === 0) return { entries: [], bootNow: null };
  const bootNow = ctBootTime(v4);
  notes.push(
    `CT times: the latest trace report (boot clock ${bootNow}) is taken as the dump time ${dumpTime}`,
  );
  const at = (t: number) => Math.max(0, dumpTime + (t - bootNow));
  // Backend IDs are u32; newer agents keep an egress entry's NAT address in the same CT bytes.
  const wide = v4.filter((e) => e.backendId > MAX_BACKEND_ID).length;
  if (wide > 0) {
    notes.push(
      `${wide} CT entries have a BackendID beyond 32 bits (newer agents keep the DSR NAT address in those bytes, not emulated): loaded with backend ID 0`,
    );
  }
  const entries = v4.flatMap((e: CtEntry) => {
    const src = ipv4(e.source.address);
    const dst = ipv4(e.destination.address);
    if (src === undefined || dst === undefined) return [];
    const related = e.related ? TupleFlag.RELATED : 0;
    // IN/OUT are stored in reply layout {daddr: originator, saddr: responder, dport: responder
    // port, sport: originator port}; SVC entries as the request's own tuple.
    const tuple =
      e.direction === "SVC"
        ? {
            daddr: dst,
            saddr: src,
            dport: e.source.port,
            sport: e.destination.port,
            nexthdr: e.nexthdr,
            flags: TupleFlag.SERVICE | related,
          }
        : {
            daddr: src,
            saddr: dst,
            dport: e.destination.port,
            sport: e.source.port,
            nexthdr: e.nexthdr,
            flags: (e.direction === "IN" ? TupleFlag.IN : TupleFlag.OUT) | related,
          };
    return [
      {
        tuple,
        lifetime: e.remainingSeconds !== null ? dumpTime + e.remainingSeconds : at(e.expires),
        flags: e.flags,
        revNatId: e.revNat,
        backendId: e.backendId <= MAX_BACKEND_ID ? Number(e.backendId) : 0,
        txFlagsSeen: e.txFlagsSeen,
        rxFlagsSeen: e.rxFlagsSeen,
        srcSecId: e.sourceSecurityId,
        lastTxReport: at(e.lastTxReport),
        lastRxReport: at(e.lastRxReport),
      },
    ];
  });
  return { entries, bootNow };
}

/** The boot-clock reading the loader takes as the dump's moment: the latest trace report. */
export function ctBootTime(entries: readonly CtEntry[]): number {
  return entries.reduce((latest, e) => Math.max(latest, e.lastTxReport, e.lastRxReport), 0);
}

function natEntries(view: NodeView, dumpTime: number, notes: string[]): NatMapEntry[] {
  const v4 = view.nat.filter((e) => e.family === "ipv4");
  if (v4.length < view.nat.length) notes.push(`${view.nat.length - v4.length} IPv6 NAT entries not emulated`);
  return v4.flatMap((e: NatEntry) => {
    const saddr = ipv4(e.source.address);
    const daddr = ipv4(e.destination.address);
    const to = ipv4(e.translated.address);
    if (saddr === undefined || daddr === undefined || to === undefined) return [];
    return [
      {
        tuple: {
          saddr,
          daddr,
          sport: e.source.port,
          dport: e.destination.port,
          nexthdr: e.nexthdr,
          flags: (e.direction === "IN" ? TupleFlag.IN : TupleFlag.OUT) | (e.related ? TupleFlag.RELATED : 0),
        },
        created: Math.max(0, dumpTime - e.createdSecondsAgo),
        needsCt: e.needsCt !== 0,
        address: to,
        port: e.translated.port,
      },
    ];
  });
}

/** Builds the DatapathState of one node of a snapshot. */
export function datapathStateFromSnapshot(
  snapshot: Snapshot,
  options: FromSnapshotOptions = {},
): SnapshotDatapathState {
  const view = options.node ? snapshot.nodes.find((n) => n.name === options.node) : snapshot.selected;
  if (!view) {
    throw new Error(
      `no node ${JSON.stringify(options.node)} in the snapshot (nodes: ${snapshot.nodes.map((n) => n.name).join(", ")})`,
    );
  }
  return datapathStateFromView(view, options, snapshot);
}

/** Builds the DatapathState of one node view (other nodes' views, when given, sharpen the inferences). */
export function datapathStateFromView(
  view: NodeView,
  options: FromSnapshotOptions = {},
  snapshot?: Snapshot,
): SnapshotDatapathState {
  const notes: string[] = [];
  const dumpTime = Math.floor(options.dumpTime ?? Date.now() / 1000);
  const lb = lbMaps(view, notes);
  const ipcache = ipcacheMap(view, notes);
  const addresses = nodeAddresses(view, snapshot, notes);
  const endpoints = localEndpoints(view, addresses.own, notes);
  const borrowed = new Set(view.borrowed.map((b) => b.kind));
  const ownState = (kind: string) => !borrowed.has(kind);
  const ctLoaded = ownState("bpf-ct-list")
    ? ctEntries(view, dumpTime, notes)
    : { entries: [], bootNow: null };
  const nat = ownState("bpf-nat-list") ? natEntries(view, dumpTime, notes) : [];
  if (!ownState("bpf-ct-list") || !ownState("bpf-nat-list"))
    notes.push("CT/NAT dumps of another node not loaded");
  const ipMasqCidrs = view.ipmasq.flatMap((e) =>
    e.prefix.family === "ipv4" ? [cidrOf(`${e.prefix.address}/${e.prefix.length}`)!] : [],
  );
  const node = nodeConfig(view, snapshot, { ...addresses, ipcache, ipMasqCidrs, lb }, options, notes);
  return {
    state: {
      node,
      services: lb.services,
      backends: lb.backends,
      revNat: lb.revNat,
      ipcache,
      ipMasqCidrs,
      sourceRanges: [],
      endpoints,
      ct: ctLoaded.entries,
      nat,
    },
    notes,
    clock: { dumpTime, ctBootTime: ctLoaded.bootNow },
  };
}

/** The lb4 maps: what the agent writes for the view's IPv4 services (master + one entry per slot). */
interface LbMaps {
  services: ServiceMapEntry[];
  backends: DatapathState["backends"];
  revNat: DatapathState["revNat"];
  /** Whether a service frontend with a port has protocol ANY (the agent then ignores protocols). */
  protocolAny: boolean;
}

function lbMaps(view: NodeView, notes: string[]): LbMaps {
  const services: ServiceMapEntry[] = [];
  const backendStates = new Map(view.backends.map((b) => [b.id, b.state]));
  let v6Services = 0;
  let protocolAny = false;
  for (const s of view.services) {
    const address = ipv4(s.frontend.address);
    if (address === undefined) {
      v6Services++;
      continue;
    }
    if (s.frontend.protocol === "ANY" && s.frontend.port !== 0) protocolAny = true;
    services.push(...serviceEntries(s, address, backendStates));
    if ((s.flags2 & 0x80) !== 0 && (view.config.kprMode ?? "SNAT") === "SNAT") {
      notes.push(
        `service ${s.frontend.address}:${s.frontend.port} is marked DSR (forwarding-mode annotation), not emulated per service: remote backends get SNAT as the node's mode says`,
      );
    }
  }
  if (v6Services > 0) notes.push(`${v6Services} IPv6 service frontends not emulated`);
  const backends = view.backends.flatMap((b) => {
    const address = ipv4(b.address);
    if (address === undefined) return [];
    return [
      {
        id: b.id,
        address,
        port: b.port,
        proto: protocolNumber(b.protocol),
        state: stateOf(b.state),
        weight: b.weight,
      },
    ];
  });
  return { services, backends, revNat: revNatEntries(view, services), protocolAny };
}

/** A service's master entry (slot 0) and one entry per backend slot, as the agent writes them. */
function serviceEntries(
  s: Service,
  address: number,
  backendStates: ReadonlyMap<number, Backend["state"]>,
): ServiceMapEntry[] {
  const base = {
    address,
    port: s.frontend.port,
    proto: protocolNumber(s.frontend.protocol),
    scope: (s.frontend.scope === "internal" ? 1 : 0) as 0 | 1,
    revNatId: s.revNatId,
  };
  const master: ServiceMapEntry = {
    ...base,
    slot: 0,
    backendId: 0,
    count: s.count,
    qcount: s.qcount,
    flags: s.flags,
    flags2: s.flags2,
    affinityTimeoutSec: s.affinityTimeout,
    algorithm: s.lbAlgorithm === "maglev" ? 2 : s.lbAlgorithm === "random" ? 1 : 0,
    ...((s.flags2 & (ServiceFlag.L7LoadBalancer >> 8)) !== 0 ? { l7ProxyPort: s.l7ProxyPort } : {}),
  };
  return [
    master,
    ...s.backendSlots.map((id, i): ServiceMapEntry => ({
      ...base,
      slot: i + 1,
      backendId: id,
      count: 0,
      qcount: 0,
      ...slotFlags(s, backendStates.get(id) === "quarantined"),
      affinityTimeoutSec: 0,
      algorithm: 0,
    })),
  ];
}

/** The rev-NAT entries dumped, plus one per service frontend no dump gave one for. */
function revNatEntries(view: NodeView, services: readonly ServiceMapEntry[]): DatapathState["revNat"] {
  const revNat = new Map<number, { id: number; address: number; port: number }>();
  for (const r of view.revNat) {
    const address = ipv4(r.address);
    if (address !== undefined) revNat.set(r.id, { id: r.id, address, port: r.port });
  }
  for (const s of services) {
    if (s.slot === 0 && s.revNatId !== 0 && !revNat.has(s.revNatId)) {
      revNat.set(s.revNatId, { id: s.revNatId, address: s.address, port: s.port });
    }
  }
  return [...revNat.values()].sort((a, b) => a.id - b.id);
}

/** The ipcache's IPv4 entries, plus the world entry the agent always has. */
function ipcacheMap(view: NodeView, notes: string[]): IpcacheMapEntry[] {
  const ipcache: IpcacheMapEntry[] = [];
  for (const e of ipcacheOf(view).values()) {
    const prefix = ipv4(e.prefix.address);
    const tunnel = ipv4(e.tunnelEndpoint) ?? 0;
    if (prefix === undefined) continue;
    let flags = ipcacheFlagBits(e.flags);
    if (!e.flagsPrinted && tunnel !== 0) flags |= IpcacheFlag.HAS_TUNNEL_EP;
    ipcache.push({
      prefix,
      prefixLen: e.prefix.length,
      identity: e.identity,
      tunnelEndpoint: tunnel,
      encryptKey: e.encryptKey,
      flags,
    });
  }
  const skipped = view.ipcache.length - ipcache.length;
  if (skipped > 0) notes.push(`${skipped} ipcache entries (IPv6 or other clusters) not emulated`);
  if (!ipcache.some((e) => e.prefixLen === 0)) {
    ipcache.push({ prefix: 0, prefixLen: 0, identity: 2, tunnelEndpoint: 0, encryptKey: 0, flags: 0 });
    notes.push("ipcache has no 0.0.0.0/0 entry: added world (identity 2), as the agent always does");
  }
  return ipcache;
}

/** The node's own addresses, and which of them is its node IP and its cilium_host (router) address. */
interface NodeAddresses {
  own: string[];
  nodeIp: string | undefined;
  router: string | undefined;
}

function nodeAddresses(view: NodeView, snapshot: Snapshot | undefined, notes: string[]): NodeAddresses {
  const own = ownAddresses(view);
  const nodeIp =
    own.find((a) => seenFromOtherNodes(snapshot, view, a).tunnelEndpoint) ??
    own.find((a) => seenFromOtherNodes(snapshot, view, a).remoteNode) ??
    view.config.deviceAddresses?.at(-1) ??
    own[0];
  const router = own.find((a) => a !== nodeIp && seenFromOtherNodes(snapshot, view, a).behindTunnelOfSelf);
  notes.push(`node address ${nodeIp ?? "unknown"} (masquerade and NodePort SNAT source)`);
  if (router) notes.push(`router (cilium_host) address ${router}`);
  return { own, nodeIp, router };
}

/** The node's local endpoints (pods and the host's own addresses). */
function localEndpoints(view: NodeView, own: readonly string[], notes: string[]): LocalEndpoint[] {
  const cache = ipcacheOf(view);
  const tunnelled = (address: string): boolean => {
    const e = cache.get(`${address}/32`);
    return e !== undefined && ipv4(e.tunnelEndpoint) !== 0 && ipv4(e.tunnelEndpoint) !== undefined;
  };
  const borrowedList = view.borrowed.some((b) => b.kind === "endpoint-list");
  const endpoints: LocalEndpoint[] = [];
  let hostEndpointId = 0;
  let foreign = 0;
  for (const ep of view.endpoints) {
    if (ep.identity === ID_HOST) hostEndpointId = ep.id;
    if (!ep.ipv4) continue;
    const address = ipv4(ep.ipv4);
    if (address === undefined) continue;
    // A borrowed endpoint list belongs to another node: its pods sit behind a tunnel here.
    if (borrowedList && tunnelled(ep.ipv4)) {
      foreign++;
      continue;
    }
    endpoints.push({
      address,
      endpointId: ep.id,
      identity: ep.identity ?? 0,
      isHost: ep.identity === ID_HOST,
    });
  }
  if (foreign > 0)
    notes.push(`${foreign} endpoints of the borrowed endpoint list are remote on this node: left out`);
  for (const a of own) {
    endpoints.push({ address: ipv4(a)!, endpointId: hostEndpointId, identity: ID_HOST, isHost: true });
  }
  return endpoints;
}

/** What the node configuration is inferred from besides the agent's own config. */
interface ConfigInputs extends NodeAddresses {
  ipcache: readonly IpcacheMapEntry[];
  ipMasqCidrs: readonly Cidr[];
  lb: LbMaps;
}

/** The node configuration: the agent's where dumped, else inferred from the maps (each inference noted). */
function nodeConfig(
  view: NodeView,
  snapshot: Snapshot | undefined,
  inputs: ConfigInputs,
  options: FromSnapshotOptions,
  notes: string[],
): NodeConfig {
  const cfg = view.config;
  const { own, nodeIp, router, ipcache, ipMasqCidrs } = inputs;
  const tunnelMode = cfg.routingMode
    ? cfg.routingMode === "tunnel"
    : ipcache.some((e) => e.tunnelEndpoint !== 0);
  if (!cfg.routingMode)
    notes.push(`routing mode ${tunnelMode ? "tunnel" : "native"} (from the ipcache's tunnel endpoints)`);
  const nativeRoutingCidr = cidrOf(cfg.ipv4NativeRoutingCidr) ?? localPodCidr(view, snapshot, nodeIp, notes);
  const sizes = cfg.mapSizes ?? {};
  const nodePortMax = cfg.nodePortRange?.max ?? 32767;
  const node = defaultNodeConfig({
    name: view.name,
    addresses: own.map((a) => ipv4(a)!),
    masqueradeAddress: ipv4(nodeIp ?? "") ?? 0,
    directRoutingAddress: ipv4(nodeIp ?? "") ?? 0,
    routerAddress: ipv4(router ?? "") ?? 0,
    nativeRoutingCidr,
    routingMode: tunnelMode ? "tunnel" : "native",
    masquerade: cfg.bpfMasquerade ?? cfg.ipv4Masquerade ?? true,
    ipMasqAgent: cfg.ipMasqAgent ?? ipMasqCidrs.length > 0,
    serviceProtocols: !inputs.lb.protocolAny,
    natPortMin: nodePortMax + 1,
    ctTcpMax: sizes.ctTcp ?? 524288,
    ctAnyMax: sizes.ctAny ?? 262144,
    natMax: sizes.nat ?? 524288,
    affinityMax: sizes.lbAffinity ?? 65536,
    lbAlgorithm: cfg.backendSelection === "Maglev" ? "maglev" : "random",
    maglevTableSize: cfg.maglevTableSize ?? 16381,
    ...(cfg.maglevHashSeed ? { clusterSeed: cfg.maglevHashSeed } : {}),
    ...(cfg.ciliumVersion ? { ciliumVersion: cfg.ciliumVersion } : {}),
    kprMode: cfg.kprMode === "DSR" ? "dsr" : cfg.kprMode === "Hybrid" ? "hybrid" : "snat",
    tunnelProtocol: tunnelProtocol(cfg, tunnelMode, notes),
    dsrDispatch: dsrDispatch(cfg, tunnelMode, notes),
    ...options.config,
  });
  if (cfg.bpfMasquerade === undefined && cfg.ipv4Masquerade === undefined)
    notes.push("masquerading assumed on (BPF)");
  return node;
}

/** The overlay's protocol: the agent's tunnel-protocol, else Cilium's default VXLAN (noted in tunnel mode). */
function tunnelProtocol(cfg: AgentConfig, tunnelMode: boolean, notes: string[]): TunnelProtocol {
  const shown = cfg.tunnelProtocol?.toLowerCase();
  if (shown === "vxlan" || shown === "geneve") return shown;
  if (tunnelMode) {
    notes.push(
      shown === undefined
        ? "tunnel protocol not shown: VXLAN assumed (Cilium's default)"
        : `tunnel protocol ${escapeForTerminal(shown)} not emulated: VXLAN assumed`,
    );
  }
  return "vxlan";
}

/**
 * The DSR dispatch of the DSR and hybrid modes: the agent's, else the only one Cilium allows in
 * tunnel mode (Geneve) or its default in native routing (the IPv4 option); the guess is noted.
 */
function dsrDispatch(cfg: AgentConfig, tunnelMode: boolean, notes: string[]): DsrDispatchMode {
  if (cfg.dsrDispatch !== undefined) return cfg.dsrDispatch;
  const guess = tunnelMode ? "geneve" : "opt";
  if (cfg.kprMode === "DSR" || cfg.kprMode === "Hybrid") {
    notes.push(
      `DSR dispatch not shown: ${guess === "geneve" ? "Geneve option (the only dispatch in tunnel mode)" : "IPv4 option (Cilium's default)"} assumed`,
    );
  }
  return guess;
}

/**
 * Without ipv4-native-routing-cidr the agent excludes the local pod CIDR from masquerading: the
 * prefix other nodes send to this node's address.
 */
function localPodCidr(
  view: NodeView,
  snapshot: Snapshot | undefined,
  nodeIp: string | undefined,
  notes: string[],
): Cidr | null {
  if (!nodeIp) return null;
  for (const other of snapshot?.nodes ?? []) {
    if (other.name === view.name) continue;
    const pods = other.ipcache.find(
      (e) => e.tunnelEndpoint === nodeIp && e.prefix.length < 32 && e.prefix.family === "ipv4",
    );
    const cidr = pods ? cidrOf(`${pods.prefix.address}/${pods.prefix.length}`) : null;
    if (cidr) {
      notes.push("no ipv4-native-routing-cidr: the local pod CIDR is excluded from masquerading");
      return cidr;
    }
  }
  return null;
}

// The emulated Cilium nodes behind the conntrack experiments (churn with CT state, node failover).
// Each node is a Datapath holding ONE compared service, with the algorithm under test forced.
// Clients are external and reach the frontend from the network: that is the traffic Cilium builds
// Maglev tables for (north-south; bpf_lxc forces random for pod traffic) and the traffic an ECMP
// rehash or node failover moves between nodes. So the frontend is installed as externally
// reachable (a LoadBalancer VIP with the service's backends); a 0.0.0.0 NodePort surrogate sits
// at the node's address, as the agent clones NodePorts onto every node address.
import { Datapath } from "../datapath/datapath.js";
import { dropReason } from "../engine/drop-reasons.js";
import { layoutSlots } from "../control/slot-layout.js";
import {
  defaultNodeConfig,
  type BackendMapEntry,
  type DatapathState,
  type NodeConfig,
  type ServiceMapEntry,
} from "../engine/state.js";
import { portPackingForCiliumVersion } from "../model/cilium-version.js";
import { DEFAULT_MAGLEV_SEED } from "../model/cluster-seed.js";
import { requireIPv4 } from "../model/ipv4.js";
import { EntryPoint, TcpFlag, createPacketRecord, type PacketRecord } from "../model/packet.js";
import type { PortPacking } from "../model/flow.js";
import { loadWasm, type WasmInstance } from "../wasm/module.js";
import { nodeStreamSeed } from "./engine-options.js";
import type { Algorithm, CompareBackend, CompareService, FlowSet } from "./model.js";
import { BackendState } from "../model/backend.js";
import { IpProto, parseProtocol } from "../model/protocol.js";
import { ServiceFlag } from "../model/service-flags.js";

/** How the emulated service nodes of the conntrack experiments are configured. */
export interface ServiceNodeOptions {
  /** Agent configuration of the emulated nodes: the snapshot node's, else Cilium's defaults. */
  readonly node?: NodeConfig;
  readonly tableSize: number;
  /** bpf-lb-maglev-hash-seed (base64); default Cilium's. */
  readonly clusterSeed?: string;
  readonly portPacking: PortPacking;
  /** Seed of the run: each node's PRNG stream is derived from it and the node number. */
  readonly seed: number;
  /** "wasm" (default, what `dpemu compare` runs) or the TypeScript "reference" pipeline. */
  readonly engine?: "wasm" | "reference";
}

/** The node of a synthetic comparison: a documentation address (RFC 5737). */
const SYNTHETIC_NODE_ADDRESS = 0xc00002fe; // 192.0.2.254
/** Datapath clock at the first packet; every send advances it by one second. */
const START_SECONDS = 1_000_000;
/** A Cilium version per port packing, for nodes whose own version packs the other way. */
const VERSION_OF_PACKING: Readonly<Record<PortPacking, string>> = {
  "service-port-high": "1.17.0",
  "client-port-high": "1.16.0",
};
/**
 * The IP protocol of the packets a service's flows send through the datapath, or null when the
 * datapath does not translate it (it load-balances TCP and UDP; a protocol-less frontend of an
 * older agent is reached with TCP).
 */
export function datapathProtocol(service: CompareService): number | null {
  if (service.protocol === IpProto.TCP || service.protocol === IpProto.UDP) return service.protocol;
  return service.protocol === IpProto.ANY ? IpProto.TCP : null;
}

function backendEntry(b: CompareBackend): BackendMapEntry {
  const name = parseProtocol(b.protocol);
  const proto =
    name === "TCP" || name === "UDP" || name === "SCTP" || name === "ANY" ? IpProto[name] : undefined;
  if (proto === undefined) throw new Error(`backend ${b.address}:${b.port}: unknown protocol ${b.protocol}`);
  return {
    id: b.id,
    address: requireIPv4(b.address, "backend address"),
    port: b.port,
    proto,
    state: BackendState.ACTIVE,
    weight: b.weight,
  };
}

/**
 * Map room for one node: `flows` service entries plus one regular entry per flow and backend it
 * is sent to (a re-selection adds one), `reselections` times at most; NAT holds a pair per
 * regular entry (NodePort SNAT towards a remote backend).
 */
function capacities(flows: number, reselections: number): Partial<NodeConfig> {
  const ct = flows * (reselections + 2) + 1024;
  return { ctTcpMax: ct, ctAnyMax: ct, natMax: 2 * ct, affinityMax: 64 };
}

/** Client → frontend packets of a flow set, rewritten in place for every send. */
class FlowPackets {
  readonly records: PacketRecord[];
  private readonly tcp: boolean;

  constructor(address: number, port: number, proto: number, flows: FlowSet) {
    this.tcp = proto === IpProto.TCP;
    this.records = Array.from({ length: flows.count }, (_, f) => {
      const p = createPacketRecord();
      p.saddr = flows.clientAddress[f]!;
      p.sport = flows.clientPort[f]!;
      p.daddr = address;
      p.dport = port;
      p.proto = proto;
      // Bare headers: IPv4 + TCP, or IPv4 + UDP.
      p.ipLength = this.tcp ? 40 : 28;
      p.entry = EntryPoint.FromNetwork;
      p.packetNumber = f + 1;
      return p;
    });
  }

  stamp(opening: boolean, seconds: number): void {
    const flags = !this.tcp ? 0 : opening ? TcpFlag.SYN : TcpFlag.ACK;
    for (const p of this.records) {
      p.tcpFlags = flags;
      p.seconds = seconds;
    }
  }
}

/** One emulated node serving one service's flows; made by ServiceNodes.open. */
export class ServiceNode {
  private clock = START_SECONDS;

  constructor(
    readonly datapath: Datapath,
    private readonly service: CompareService,
    private readonly revNatId: number,
    private readonly packets: FlowPackets,
  ) {}

  /**
   * Sends one packet of every flow (a SYN when `opening`, else a mid-connection ACK; UDP
   * datagrams either way) and returns the backend ID each reached. The experiment's maps are
   * sized so nothing is dropped; a drop means the emulation went wrong, and says why.
   */
  send(opening: boolean): Uint32Array {
    this.packets.stamp(opening, this.clock++);
    const verdicts = this.datapath.processBatch(this.packets.records);
    const backends = new Uint32Array(verdicts.length);
    for (let f = 0; f < verdicts.length; f++) {
      const v = verdicts[f]!;
      if (v.verdict !== "FORWARDED" || v.revNatId !== this.revNatId) {
        const why = v.verdict === "FORWARDED" ? "not translated" : dropReason(v.dropReason).cilium;
        throw new Error(
          `emulated node: packet ${f + 1} of ${verdicts.length} to ${this.service.frontend} was ${why}`,
        );
      }
      backends[f] = v.backendId;
    }
    return backends;
  }

  /**
   * Opens every flow (SYN, then the client's ACK of the handshake) and returns its backend. The
   * ACK must follow the SYN's CT entry to the same backend: anything else is an emulation fault.
   */
  establish(): Uint32Array {
    const opened = this.send(true);
    const acked = this.send(false);
    for (let f = 0; f < opened.length; f++) {
      if (opened[f] !== acked[f]) {
        throw new Error(
          `emulated node: flow ${f + 1} to ${this.service.frontend} left backend ${opened[f]} for ${acked[f]} without any change`,
        );
      }
    }
    return opened;
  }

  /**
   * Turns the service's backends from `before` into `after` with the agent's operations: new
   * backends are added first (a rolling update brings the new pod up before the old one goes),
   * weights changed, and backends no longer listed removed — and deleted, as when their pod is gone.
   */
  async change(before: readonly CompareBackend[], after: readonly CompareBackend[]): Promise<void> {
    const old = new Map(before.map((b) => [b.id, b]));
    const next = new Set(after.map((b) => b.id));
    for (const b of after) {
      const was = old.get(b.id);
      if (!was) {
        const entry = backendEntry(b);
        await this.datapath.addBackend(this.revNatId, {
          id: entry.id,
          address: entry.address,
          port: entry.port,
          proto: entry.proto,
          weight: entry.weight,
        });
      } else if (was.weight !== b.weight) {
        await this.datapath.setBackendWeight(b.id, b.weight);
      }
    }
    for (const b of before) if (!next.has(b.id)) await this.datapath.removeBackend(this.revNatId, b.id);
  }

  /** Fails if a CT or NAT map had to evict an entry (the maps were sized too small). */
  checkNoEvictions(): void {
    const s = this.datapath.stats();
    if (s.ct.evictions > 0 || s.nat.evictions > 0) {
      throw new Error(
        `emulated node for ${this.service.frontend} evicted ${s.ct.evictions} CT and ${s.nat.evictions} NAT entries`,
      );
    }
  }

  dispose(): void {
    this.datapath.dispose();
  }
}

/**
 * Creates the emulated nodes of an experiment. Nodes share one Wasm module instance (each has its
 * own maps in it), so create them one after another and dispose of each when done.
 */
export class ServiceNodes {
  private readonly node: NodeConfig;

  private constructor(
    private readonly options: ServiceNodeOptions,
    private readonly wasm: WasmInstance,
  ) {
    const base = options.node ?? defaultNodeConfig({ addresses: [SYNTHETIC_NODE_ADDRESS] });
    let ownPacking: PortPacking | null;
    try {
      ownPacking = portPackingForCiliumVersion(base.ciliumVersion);
    } catch {
      ownPacking = null; // not a version number: the comparison's packing decides
    }
    this.node = {
      ...base,
      maglevTableSize: options.tableSize,
      clusterSeed: options.clusterSeed ?? DEFAULT_MAGLEV_SEED,
      ciliumVersion:
        ownPacking === options.portPacking ? base.ciliumVersion : VERSION_OF_PACKING[options.portPacking],
    };
  }

  static async create(options: ServiceNodeOptions): Promise<ServiceNodes> {
    return new ServiceNodes(options, await loadWasm());
  }

  /** Where external clients reach a service: its frontend, or the node's address for 0.0.0.0. */
  frontendAddress(service: CompareService): number {
    const address = requireIPv4(service.address, `frontend of ${service.frontend}`);
    if (address !== 0) return address;
    const nodeAddress = this.node.addresses[0];
    if (nodeAddress === undefined)
      throw new Error(`the emulated node has no address for ${service.frontend}`);
    return nodeAddress;
  }

  /**
   * A node with `service` listing `backends`, ready for `flows`; `node` numbers the machine (its
   * own PRNG stream) and `reselections` bounds how often a flow may be re-selected on it (sizes
   * the CT and NAT maps). Throws for a protocol the datapath does not translate.
   */
  async open(
    service: CompareService,
    backends: readonly CompareBackend[],
    algorithm: Algorithm,
    node: number,
    flows: FlowSet,
    reselections: number,
  ): Promise<ServiceNode> {
    const proto = datapathProtocol(service);
    if (proto === null) throw new Error(`the datapath does not load-balance ${service.frontend}`);
    const revNatId = service.id ?? 1;
    const address = this.frontendAddress(service);
    const entries = backends.map(backendEntry);
    const layout = layoutSlots(entries);
    const frontend = { address, port: service.port, proto: service.protocol, scope: 0 as const, revNatId };
    const services: ServiceMapEntry[] = [
      {
        ...frontend,
        slot: 0,
        backendId: 0,
        count: layout.count,
        qcount: layout.qcount,
        flags: ServiceFlag.LoadBalancer | ServiceFlag.Routable,
        flags2: 0,
        affinityTimeoutSec: 0,
        algorithm: 0,
      },
      ...layout.backendIds.map((backendId, i) => ({
        ...frontend,
        slot: i + 1,
        backendId,
        count: 0,
        qcount: 0,
        flags: 0,
        flags2: 0,
        affinityTimeoutSec: 0,
        algorithm: 0 as const,
      })),
    ];
    const state: DatapathState = {
      node: {
        ...this.node,
        ...capacities(flows.count, reselections),
        serviceProtocols: service.protocol !== IpProto.ANY,
      },
      services,
      backends: entries,
      revNat: [{ id: revNatId, address, port: service.port }],
      ipcache: [],
      ipMasqCidrs: [],
      sourceRanges: [],
      endpoints: [],
      ct: [],
      nat: [],
    };
    const datapath = await Datapath.create(state, {
      engine: this.options.engine ?? "wasm",
      wasm: this.wasm,
      algorithm,
      seed: nodeStreamSeed(this.options.seed, node),
    });
    return new ServiceNode(datapath, service, revNatId, new FlowPackets(address, service.port, proto, flows));
  }
}

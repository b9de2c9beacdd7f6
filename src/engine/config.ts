// Turns a node's agent configuration (NodeConfig) plus the caller's options into the numeric
// EngineConfig both pipelines read. Capacities follow the node's CT/NAT sizes; the lookup maps are
// sized to the snapshot with room to grow, since nothing but backend churn inserts into them.
import { InvalidInputError } from "../model/errors.js";
import { parseClusterSeed } from "../model/cluster-seed.js";
import { LIMIT_TABLE_MAX } from "../model/map-limits.js";
import { portPackingForCiliumVersion } from "../model/cilium-version.js";
import type { EngineConfig } from "./engine.js";
import type { DatapathState, LbAlgorithm } from "./state.js";

/** Choices of one Datapath that no dump fixes: a forced selection algorithm, the PRNG seed and its per-flow mode. */
export interface EngineOptions {
  /** Forces this selection algorithm for every service and path. */
  algorithm?: LbAlgorithm;
  /** PRNG seed for random backend selection and SNAT port choice (default 1). */
  seed?: number;
  /**
   * Re-seed the PRNG before every packet from the seed and the packet's tuple and second, instead
   * of drawing from one sequential stream: random choices then do not depend on which other packets
   * the node saw (what a sharded replay needs). Default false.
   */
  randomPerFlow?: boolean;
}

const NODEPORT_MODE_CODES = { snat: 0, dsr: 1, hybrid: 2 } as const;
const DSR_DISPATCH_CODES = { opt: 0, ipip: 1, geneve: 2 } as const;

const algorithmCode = (a: LbAlgorithm): 1 | 2 => (a === "maglev" ? 2 : 1);

/** Room for a map holding `n` entries now and more after churn. */
const room = (n: number, minimum: number): number => Math.max(minimum, n * 2 + 16);

/**
 * The map capacities a caller may give: at least one entry (a map of size 0 has no free slot and
 * the engines would search for one forever), at most Cilium's LimitTableMax (beyond it Wasm memory
 * cannot hold the map). Snapshots are held to Cilium's own, narrower bounds when they are read.
 */
function checkCapacities(node: DatapathState["node"]): void {
  const sizes = {
    ctTcpMax: node.ctTcpMax,
    ctAnyMax: node.ctAnyMax,
    natMax: node.natMax,
    affinityMax: node.affinityMax,
  };
  for (const [name, size] of Object.entries(sizes)) {
    if (!Number.isSafeInteger(size) || size < 1 || size > LIMIT_TABLE_MAX)
      throw new InvalidInputError(
        `node config ${name} ${size}: expected a map size between 1 and ${LIMIT_TABLE_MAX} entries`,
      );
  }
}

export function toEngineConfig(state: DatapathState, options: EngineOptions = {}): EngineConfig {
  const node = state.node;
  checkCapacities(node);
  const seed = parseClusterSeed(node.clusterSeed);
  return {
    capacities: {
      ctTcp: node.ctTcpMax,
      ctAny: node.ctAnyMax,
      nat: node.natMax,
      affinity: node.affinityMax,
      services: room(state.services.length, 1024),
      backends: room(state.backends.length, 1024),
      ipcache: room(state.ipcache.length, 1024),
      endpoints: room(state.endpoints.length, 256),
    },
    seed: (options.seed ?? 1) >>> 0,
    randomPerFlow: options.randomPerFlow ?? false,
    masqueradeAddress: node.masqueradeAddress,
    directRoutingAddress: node.directRoutingAddress,
    routerAddress: node.routerAddress,
    loopbackAddress: node.serviceLoopbackAddress,
    nativeCidr: node.nativeRoutingCidr,
    tunnelMode: node.routingMode === "tunnel",
    tunnelProtocol: node.tunnelProtocol === "geneve" ? 2 : 1,
    nodePortMode: NODEPORT_MODE_CODES[node.kprMode],
    dsrDispatch: DSR_DISPATCH_CODES[node.dsrDispatch],
    bpfHostRouting: node.hostRouting === "bpf",
    masquerade: node.masquerade,
    ipMasqAgent: node.ipMasqAgent,
    serviceProtocols: node.serviceProtocols,
    natPortMin: node.natPortMin,
    natPortMax: node.natPortMax,
    snatRetries: node.snatCollisionRetries,
    nodeAlgorithm: algorithmCode(node.lbAlgorithm),
    algorithmOverride: options.algorithm ? algorithmCode(options.algorithm) : 0,
    jhashSeed: seed.jhashV4,
    flowHashPacking: portPackingForCiliumVersion(node.ciliumVersion) === "service-port-high" ? 1 : 0,
    gcIntervalSec: node.gcIntervalSec,
    timeouts: { ...node.ctTimeouts },
  };
}

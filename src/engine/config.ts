// Turns a node's agent configuration (NodeConfig) plus the caller's options into the numeric
// EngineConfig both pipelines read. Capacities follow the node's CT/NAT sizes; the lookup maps are
// sized to the snapshot with room to grow, since nothing but backend churn inserts into them.
import { parseClusterSeed } from "../lb/seed.js";
import { portPackingForCiliumVersion } from "../lb/cilium-version.js";
import type { EngineConfig } from "./engine.js";
import type { DatapathState, LbAlgorithm } from "./state.js";

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

const algorithmCode = (a: LbAlgorithm): 1 | 2 => (a === "maglev" ? 2 : 1);

/** Room for a map holding `n` entries now and more after churn. */
const room = (n: number, minimum: number): number => Math.max(minimum, n * 2 + 16);

export function toEngineConfig(state: DatapathState, options: EngineOptions = {}): EngineConfig {
  const node = state.node;
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

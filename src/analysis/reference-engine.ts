// The selection engine in plain TypeScript (the reference twins of the Wasm Maglev build, tuple
// hash and PRNG): the oracle the Wasm engine is tested against, and usable where Wasm is not.
import { toEntries } from "../lb/backend.js";
import { resolveSeed } from "../lb/maglev.js";
import type { ClusterSeed } from "../model/cluster-seed.js";
import { flowHashV4 } from "../reference/lb/flow-hash.js";
import type { PortPacking } from "../model/flow.js";
import { maglevBuild } from "../reference/lb/maglev.js";
import { Xoshiro128 } from "../model/prng.js";
import { randomSlot } from "../reference/lb/select.js";
import { medianTime, nodeStreamSeed, type SelectionEngineOptions } from "./engine-options.js";
import type { Algorithm, CompareBackend, CompareService, FlowSet } from "./model.js";
import type { NodeSelector, SelectionEngine } from "./selection.js";

/** The selection engine on the TypeScript reference twins (the baseline of the cost figures). */
export class ReferenceSelectionEngine implements SelectionEngine {
  readonly tableSize: number;
  private readonly clusterSeed: ClusterSeed;
  private readonly packing: PortPacking;
  private readonly seed: number;
  private readonly prngs = new Map<number, Xoshiro128>();

  constructor(options: SelectionEngineOptions) {
    this.tableSize = options.tableSize;
    this.clusterSeed = resolveSeed(options.clusterSeed);
    this.packing = options.portPacking;
    this.seed = options.seed;
  }

  node(algorithm: Algorithm, node: number): NodeSelector {
    if (algorithm === "maglev") {
      return {
        algorithm,
        select: (service, backends, flows) =>
          this.selectMaglev(this.maglevTable(backends, this.tableSize), service, flows),
      };
    }
    return {
      algorithm,
      select: (_service, backends, flows) => this.selectRandom(this.prng(node), backends, flows),
    };
  }

  maglevTable(backends: readonly CompareBackend[], tableSize: number): Uint32Array {
    return maglevBuild(toEntries(backends), tableSize, this.clusterSeed.murmur);
  }

  timeMaglevBuild(backends: readonly CompareBackend[], tableSize: number): number {
    const entries = toEntries(backends);
    return medianTime(() => maglevBuild(entries, tableSize, this.clusterSeed.murmur));
  }

  timeSelection(
    algorithm: Algorithm,
    service: CompareService,
    backends: readonly CompareBackend[],
    flows: FlowSet,
  ): number {
    if (flows.count === 0) return 0;
    if (algorithm === "maglev") {
      const table = this.maglevTable(backends, this.tableSize);
      return (medianTime(() => this.selectMaglev(table, service, flows)) * 1e6) / flows.count;
    }
    const prng = new Xoshiro128(this.seed);
    return (medianTime(() => this.selectRandom(prng, backends, flows)) * 1e6) / flows.count;
  }

  private prng(node: number): Xoshiro128 {
    let prng = this.prngs.get(node);
    if (!prng) {
      prng = new Xoshiro128(nodeStreamSeed(this.seed, node));
      this.prngs.set(node, prng);
    }
    return prng;
  }

  private selectMaglev(table: Uint32Array, service: CompareService, flows: FlowSet): Uint32Array {
    const out = new Uint32Array(flows.count);
    const seed = this.clusterSeed.jhashV4;
    for (let f = 0; f < flows.count; f++) {
      const hash = flowHashV4(
        {
          clientAddress: flows.clientAddress[f]!,
          clientPort: flows.clientPort[f]!,
          servicePort: service.port,
          protocol: service.protocol,
        },
        seed,
        this.packing,
      );
      out[f] = table[(hash >>> 0) % table.length]!;
    }
    return out;
  }

  private selectRandom(prng: Xoshiro128, backends: readonly CompareBackend[], flows: FlowSet): Uint32Array {
    const out = new Uint32Array(flows.count);
    for (let f = 0; f < flows.count; f++) out[f] = backends[randomSlot(prng, backends.length) - 1]!.id;
    return out;
  }
}

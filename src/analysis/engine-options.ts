// What both selection engines (Wasm and TS reference) are configured with, and the helpers they share.
import type { ClusterSeed } from "../model/cluster-seed.js";
import type { PortPacking } from "../model/flow.js";

/** Settings shared by the Wasm and reference selection engines. */
export interface SelectionEngineOptions {
  /** Maglev table size M (one of Cilium's supported primes). */
  readonly tableSize: number;
  /** The cluster's bpf-lb-maglev-hash-seed (base64 or parsed); default Cilium's. */
  readonly clusterSeed?: string | ClusterSeed;
  /** How the tuple hash packs the ports (depends on the Cilium version). */
  readonly portPacking: PortPacking;
  /** Seed of the random-selection streams. */
  readonly seed: number;
}

/**
 * The PRNG seed of node `node`'s random stream: the run's seed and the node number mixed through
 * a 32-bit finaliser, so streams of neighbouring nodes share no structure.
 */
export function nodeStreamSeed(seed: number, node: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(node + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Median wall time of `run` in milliseconds: at least 3 runs, and more (up to 25) until 20 ms have
 * been spent, so short operations are not lost in timer granularity.
 */
export function medianTime(run: () => void): number {
  const times: number[] = [];
  let spent = 0;
  while (times.length < 3 || (spent < 20 && times.length < 25)) {
    const start = performance.now();
    run();
    const elapsed = performance.now() - start;
    times.push(elapsed);
    spent += elapsed;
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

// A synthetic service for `dpemu compare --backends N [--weights W,...]`: N TCP backends behind one
// frontend, on documentation/benchmark addresses that no real cluster uses.
import type { CompareBackend, CompareService } from "./model.js";

/** Cilium keeps backend weights as u16; 0 would take a backend out of the Maglev table. */
const MAX_WEIGHT = 0xffff;
/** Large enough for any table Cilium builds (M ≤ 131071 needs N ≪ M). */
export const MAX_SYNTHETIC_BACKENDS = 65536;

export const SYNTHETIC_FRONTEND = "192.0.2.1:80/TCP";

/**
 * Cilium gives Kubernetes backends weight 100. It matters: Cilium's Maglev only applies weights
 * when total weight div backends > 1, so equal weights of 1 and a single doubled one (2) would be
 * ignored, while 100 and 200 are not.
 */
export const DEFAULT_BACKEND_WEIGHT = 100;

/**
 * Parses "W1,W2,..." (one weight per backend) or a single "W" for all. Weights are integers
 * 1..65535; the message says which entry is wrong.
 */
export function parseWeights(text: string, backends: number): number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 1 && parts.length !== backends) {
    throw new RangeError(
      `--weights lists ${parts.length} weights for ${backends} backends (give one, or one per backend)`,
    );
  }
  const weights = parts.map((p, i) => {
    const w = Number(p);
    if (!/^\d+$/.test(p) || !Number.isInteger(w) || w < 1 || w > MAX_WEIGHT) {
      throw new RangeError(
        `--weights entry ${i + 1} must be an integer 1..${MAX_WEIGHT}, got ${JSON.stringify(p)}`,
      );
    }
    return w;
  });
  return weights.length === 1 ? Array.from({ length: backends }, () => weights[0]!) : weights;
}

/** Backend i (0-based) lives at 10.200.x.y:8080 with ID i + 1. */
export function syntheticService(backends: number, weights?: readonly number[]): CompareService {
  if (!Number.isInteger(backends) || backends < 1 || backends > MAX_SYNTHETIC_BACKENDS) {
    throw new RangeError(`--backends must be an integer 1..${MAX_SYNTHETIC_BACKENDS}, got ${backends}`);
  }
  if (weights && weights.length !== backends) {
    throw new RangeError(`${weights.length} weights for ${backends} backends`);
  }
  const list: CompareBackend[] = Array.from({ length: backends }, (_, i) => ({
    id: i + 1,
    address: `10.200.${(i >>> 8) & 0xff}.${i & 0xff}`,
    port: 8080,
    protocol: "TCP",
    weight: weights?.[i] ?? DEFAULT_BACKEND_WEIGHT,
  }));
  return {
    id: null,
    frontend: SYNTHETIC_FRONTEND,
    address: "192.0.2.1",
    port: 80,
    protocol: 6,
    backends: list,
  };
}

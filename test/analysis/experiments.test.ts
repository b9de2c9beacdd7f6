// The statistical claims, with fixed seeds, on the Wasm engine (the one `dpemu compare` uses).
import { beforeAll, describe, expect, it } from "vitest";
import { measureBalance, tableEntryCounts } from "../../src/analysis/experiments/balance.js";
import { churnScenarios, measureChurn } from "../../src/analysis/experiments/churn.js";
import { measureFailover } from "../../src/analysis/experiments/failover.js";
import { flowsFor } from "../../src/analysis/run-compare.js";
import type { FlowSet } from "../../src/analysis/model.js";
import { binomialBounds } from "../../src/analysis/stats.js";
import { syntheticService } from "../../src/analysis/synthetic-service.js";
import type { SelectionEngine } from "../../src/analysis/selection.js";
import { WasmSelectionEngine } from "../../src/analysis/wasm-engine.js";

const SEED = 20260522;
const M = 16381;
const FLOWS = 40_000;
let engine: WasmSelectionEngine;
/** The largest table Cilium supports. */
let wide: WasmSelectionEngine;

function flows(count: number, index = 0): FlowSet {
  return flowsFor({ kind: "synthetic", flows: count, clients: 2000 }, syntheticService(1), index, SEED);
}

beforeAll(async () => {
  engine = await WasmSelectionEngine.create({ tableSize: M, seed: SEED, portPacking: "service-port-high" });
  wide = await WasmSelectionEngine.create({
    tableSize: 131071,
    seed: SEED,
    portPacking: "service-port-high",
  });
});

describe("balance", () => {
  it("unweighted Maglev gives every backend ⌊M/N⌋ or ⌈M/N⌉ entries", () => {
    for (const n of [2, 3, 7, 10, 50, 163]) {
      for (const m of [251, 4093, 16381]) {
        if (n > m) continue;
        const backends = syntheticService(n).backends;
        const counts = tableEntryCounts(backends, engine.maglevTable(backends, m));
        for (const c of counts) {
          expect(c === Math.floor(m / n) || c === Math.ceil(m / n), `N=${n} M=${m}: ${c} entries`).toBe(true);
        }
      }
    }
  });

  it("random flow counts fall within exact binomial bounds", () => {
    for (const n of [2, 3, 10, 40]) {
      const service = syntheticService(n);
      const f = flows(FLOWS, n);
      const picked = engine.node("random", 0).select(service, service.backends, f);
      const balance = measureBalance(service.backends, f, picked);
      // Two-sided, Bonferroni over the N backends: a false alarm has probability ≤ 1e-6.
      const { lower, upper } = binomialBounds(FLOWS, 1 / n, 1e-6 / n);
      for (const share of Object.values(balance.shares)) {
        const count = Math.round(share * FLOWS);
        expect(count).toBeGreaterThanOrEqual(lower);
        expect(count).toBeLessThanOrEqual(upper);
      }
      // Uniform shares are what Cilium's random aims at, so the fit test must not reject them.
      expect(balance.fit.pValue).toBeGreaterThan(1e-6);
    }
  });

  it("weighted Maglev follows the weights; random ignores them", () => {
    const service = syntheticService(4, [100, 200, 300, 400]);
    const f = flows(FLOWS, 99);
    const maglev = measureBalance(
      service.backends,
      f,
      engine.node("maglev", 0).select(service, service.backends, f),
    );
    const random = measureBalance(
      service.backends,
      f,
      engine.node("random", 0).select(service, service.backends, f),
    );
    const shares = Object.values(maglev.shares);
    shares.forEach((s, i) => expect(Math.abs(s - (i + 1) / 10)).toBeLessThan(0.01));
    expect(maglev.fit.pValue).toBeGreaterThan(1e-6);
    expect(random.fit.pValue).toBeLessThan(1e-12);
  });
});

describe("churn without CT", () => {
  it("removing k of N (N·100 ≪ M): Maglev moves at most k/N + 1%, random about (N−1)/N", () => {
    // The 1% margin needs M several hundred times N: at M = 16381 Cilium's table moves up to 2.2%
    // extra for N = 150 (see the next test), so larger N are checked at larger M.
    for (const [n, m] of [
      [3, 16381],
      [10, 16381],
      [50, 131071],
      [150, 131071],
    ] as const) {
      const sized = n === 3 || n === 10 ? engine : wide;
      expect(sized.tableSize).toBe(m);
      const service = syntheticService(n);
      const f = flows(FLOWS, 1000 + n);
      const scenarios = churnScenarios(service.backends, 5).filter((s) => s.event === "remove");
      const maglev = measureChurn(sized, "maglev", service, f, scenarios);
      const random = measureChurn(sized, "random", service, f, scenarios);
      for (let i = 0; i < scenarios.length; i++) {
        const k = scenarios[i]!.count;
        expect(maglev[i]!.optimalFraction).toBeCloseTo(k / n, 12);
        expect(maglev[i]!.disruptedFraction, `Maglev N=${n} k=${k}`).toBeLessThanOrEqual(k / n + 0.01);
        expect(maglev[i]!.disruptedFraction).toBeGreaterThanOrEqual(k / n - 0.01);
        // A fresh uniform draw over the N − k survivors matches the old backend with probability 1/N.
        const { lower, upper } = binomialBounds(FLOWS, (n - 1) / n, 1e-6);
        const moved = Math.round(random[i]!.disruptedFraction * FLOWS);
        expect(moved, `random N=${n} k=${k}`).toBeGreaterThanOrEqual(lower);
        expect(moved).toBeLessThanOrEqual(upper);
      }
    }
  });

  it("Maglev's extra disruption shrinks as the table grows", () => {
    const service = syntheticService(100);
    const f = flows(FLOWS, 5);
    const [removeOne] = churnScenarios(service.backends, 1);
    const extra = (e: SelectionEngine) =>
      measureChurn(e, "maglev", service, f, [removeOne!])[0]!.disruptedFraction - 0.01;
    const small = extra(engine);
    const large = extra(wide);
    expect(large).toBeLessThan(small);
    expect(large).toBeLessThan(0.01);
  });

  it("adding, re-weighting and rolling stay near the least possible with Maglev", () => {
    const service = syntheticService(20);
    const f = flows(FLOWS, 7);
    const scenarios = churnScenarios(service.backends, 3, 5);
    const results = measureChurn(engine, "maglev", service, f, scenarios);
    for (const r of results) {
      // A replacement is a removal plus an addition to a consistent hash, which cannot know the new
      // backend stands in for the old one: about 2/N per step, against the 1/N the shares shift.
      const bound = r.event === "rolling" ? 2 * r.optimalFraction : r.optimalFraction;
      expect(r.disruptedFraction, `${r.event} ${r.count}`).toBeLessThanOrEqual(bound + 0.02);
      expect(r.disruptedFraction).toBeGreaterThanOrEqual(r.optimalFraction - 0.02);
    }
    const rolling = results.find((r) => r.event === "rolling")!;
    expect(rolling.count).toBe(5);
    expect(rolling.optimalFraction).toBeCloseTo(1 / 20, 12);
  });
});

describe("node failover", () => {
  it("breaks no Maglev connection and more than half of random's for N ≥ 3", () => {
    for (const n of [3, 4, 10, 100]) {
      const service = syntheticService(n);
      const f = flows(FLOWS, 2000 + n);
      for (const algorithm of ["maglev", "random"] as const) {
        const established = engine.node(algorithm, 0).select(service, service.backends, f);
        const { brokenFraction } = measureFailover(engine, algorithm, service, f, established);
        if (algorithm === "maglev") expect(brokenFraction).toBe(0);
        else expect(brokenFraction, `random N=${n}`).toBeGreaterThan(0.5);
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import {
  changedFraction,
  churnCounts,
  churnScenarios,
  freshBackends,
  minimalDisruption,
} from "../../src/analysis/experiments/churn.js";
import { parseWeights, syntheticService } from "../../src/analysis/synthetic-service.js";

describe("churn scenarios", () => {
  const service = syntheticService(5, [100, 100, 100, 100, 100]);
  const scenarios = churnScenarios(service.backends, 3);

  it("removes the last k in slot order and adds k new backends", () => {
    const removals = scenarios.filter((s) => s.event === "remove");
    expect(removals.map((s) => s.count)).toEqual([1, 2, 3]);
    for (const s of removals) {
      expect(s.steps[1]).toEqual(service.backends.slice(0, 5 - s.count));
    }
    const adds = scenarios.filter((s) => s.event === "add");
    for (const s of adds) {
      const after = s.steps[1]!;
      expect(after.slice(0, 5)).toEqual(service.backends);
      expect(after).toHaveLength(5 + s.count);
      expect(new Set(after.map((b) => b.id)).size).toBe(after.length);
      expect(new Set(after.map((b) => b.address)).size).toBe(after.length);
    }
  });

  it("doubles one weight and replaces every backend in a rolling restart", () => {
    const weight = scenarios.find((s) => s.event === "weight")!;
    expect(weight.steps[1]!.map((b) => b.weight)).toEqual([200, 100, 100, 100, 100]);
    const rolling = scenarios.find((s) => s.event === "rolling")!;
    expect(rolling.count).toBe(5);
    expect(rolling.steps).toHaveLength(6);
    const last = rolling.steps[5]!;
    const originalIds = new Set(service.backends.map((b) => b.id));
    expect(last.every((b) => !originalIds.has(b.id))).toBe(true);
    // Each step replaces exactly one backend.
    for (let i = 1; i < rolling.steps.length; i++) {
      const changed = rolling.steps[i]!.filter((b, j) => b.id !== rolling.steps[i - 1]![j]!.id);
      expect(changed).toHaveLength(1);
    }
  });

  it("k ranges over 1..min(N−1, maxK), at least 1", () => {
    expect(churnCounts(1, 8)).toEqual([1]);
    expect(churnCounts(3, 8)).toEqual([1, 2]);
    expect(churnCounts(100, 4)).toEqual([1, 2, 3, 4]);
  });

  it("a single-backend service has nothing to remove", () => {
    const single = churnScenarios(syntheticService(1).backends, 8);
    expect(single.some((s) => s.event === "remove")).toBe(false);
  });
});

describe("minimal disruption", () => {
  const b = syntheticService(10).backends;

  it("is k/N for a removal and k/(N+k) for an addition", () => {
    expect(minimalDisruption(b, b.slice(0, 7))).toBeCloseTo(3 / 10, 12);
    const grown = [...b, ...freshBackends(b, 2, b[0]!)];
    expect(minimalDisruption(b, grown)).toBeCloseTo(2 / 12, 12);
  });

  it("is the share moved by a weight change and 1/N for one replacement", () => {
    const doubled = b.map((x, i) => (i === 0 ? { ...x, weight: x.weight * 2 } : x));
    // Backend 0 goes from 1/10 to 2/11; the other nine lose the difference.
    expect(minimalDisruption(b, doubled)).toBeCloseTo(2 / 11 - 1 / 10, 12);
    const replaced = [...b];
    replaced[4] = freshBackends(b, 1, b[0]!)[0]!;
    expect(minimalDisruption(b, replaced)).toBeCloseTo(1 / 10, 12);
  });
});

describe("changedFraction", () => {
  it("counts differing assignments", () => {
    expect(changedFraction(Uint32Array.of(1, 2, 3, 4), Uint32Array.of(1, 9, 3, 9))).toBe(0.5);
    expect(() => changedFraction(Uint32Array.of(1), Uint32Array.of(1, 2))).toThrow();
  });
});

describe("synthetic service", () => {
  it("parses one weight for all or one per backend, with clear errors", () => {
    expect(parseWeights("3", 4)).toEqual([3, 3, 3, 3]);
    expect(parseWeights("1, 2,3", 3)).toEqual([1, 2, 3]);
    expect(() => parseWeights("1,2", 3)).toThrow(/2 weights for 3 backends/);
    expect(() => parseWeights("1,x,3", 3)).toThrow(/entry 2 must be an integer 1\.\.65535, got "x"/);
    expect(() => parseWeights("0", 3)).toThrow(/entry 1/);
    expect(() => parseWeights("70000", 3)).toThrow(/entry 1/);
  });

  it("numbers backends 1..N on distinct addresses", () => {
    const s = syntheticService(300);
    expect(s.backends.map((b) => b.id)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(new Set(s.backends.map((b) => b.address)).size).toBe(300);
    expect(() => syntheticService(0)).toThrow(/--backends must be/);
  });
});

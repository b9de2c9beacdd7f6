// The conntrack experiments of `dpemu compare` through the real (Wasm) datapath, with fixed seeds:
// node failover with an empty CT on the second node, backend churn with CT on the same node, and
// the selection-only figures they must agree with.
import { beforeAll, describe, expect, it } from "vitest";
import { churnScenarios } from "../../src/analysis/experiments/churn.js";
import { measureChurnWithCt } from "../../src/analysis/experiments/churn-ct.js";
import { measureFailover, measureFailoverThroughDatapath } from "../../src/analysis/experiments/failover.js";
import { sampleFlows } from "../../src/analysis/flow-sample.js";
import type { CompareService, FlowSet } from "../../src/analysis/model.js";
import { ReferenceSelectionEngine } from "../../src/analysis/reference-engine.js";
import { compareSelection, flowsFor } from "../../src/analysis/run-compare.js";
import { ServiceNodes } from "../../src/analysis/service-node.js";
import { binomialBounds } from "../../src/analysis/stats.js";
import { syntheticService } from "../../src/analysis/synthetic-service.js";
import { WasmSelectionEngine } from "../../src/analysis/wasm-engine.js";
import { BackendState } from "../../src/engine/state.js";

const SEED = 20260523;
const M = 16381;
const FLOWS = 4096;
const PACKING = "service-port-high" as const;
let nodes: ServiceNodes;
let engine: WasmSelectionEngine;

function flows(count: number, index: number): FlowSet {
  return flowsFor({ kind: "synthetic", flows: count, clients: 500 }, syntheticService(1), index, SEED);
}

beforeAll(async () => {
  nodes = await ServiceNodes.create({ tableSize: M, portPacking: PACKING, seed: SEED });
  engine = await WasmSelectionEngine.create({ tableSize: M, seed: SEED, portPacking: PACKING });
});

describe("node failover through the datapath", () => {
  it("breaks no Maglev connection and more than half of random's for N ≥ 3", async () => {
    for (const n of [3, 4, 10, 100]) {
      const service = syntheticService(n);
      const f = flows(FLOWS, 3000 + n);
      const maglev = await measureFailoverThroughDatapath(nodes, "maglev", service, f);
      expect(maglev).toEqual({ brokenFraction: 0, flows: FLOWS, measuredThrough: "datapath" });
      const random = await measureFailoverThroughDatapath(nodes, "random", service, f);
      expect(random.brokenFraction, `random N=${n}`).toBeGreaterThan(0.5);
      // Node B draws afresh: a connection survives only if it draws its old backend, 1 in N.
      const { lower, upper } = binomialBounds(FLOWS, (n - 1) / n, 1e-6);
      const broken = Math.round(random.brokenFraction * FLOWS);
      expect(broken).toBeGreaterThanOrEqual(lower);
      expect(broken).toBeLessThanOrEqual(upper);
    }
  });

  it("agrees with the selection-only computation: equal for Maglev, close for random", async () => {
    for (const n of [2, 3, 7]) {
      const service = syntheticService(n);
      const f = flows(FLOWS, 4000 + n);
      for (const algorithm of ["maglev", "random"] as const) {
        const established = engine.node(algorithm, 0).select(service, service.backends, f);
        const selection = measureFailover(engine, algorithm, service, f, established);
        const datapath = await measureFailoverThroughDatapath(nodes, algorithm, service, f);
        expect(selection.measuredThrough).toBe("selection");
        if (algorithm === "maglev") {
          expect(selection.brokenFraction).toBe(0);
          expect(datapath.brokenFraction).toBe(0);
        } else {
          // Two independent binomial estimates of (N − 1)/N over 4096 connections.
          expect(Math.abs(datapath.brokenFraction - selection.brokenFraction), `N=${n}`).toBeLessThan(0.05);
        }
      }
    }
  });

  it("the datapath's Maglev picks are the selection engine's, flow by flow", async () => {
    const service = { ...syntheticService(5, [100, 200, 100, 300, 100]), id: 42 };
    const f = flows(FLOWS, 5000);
    const node = await nodes.open(service, service.backends, "maglev", 0, f, 0);
    try {
      expect(node.establish()).toEqual(engine.node("maglev", 0).select(service, service.backends, f));
    } finally {
      node.dispose();
    }
  });
});

describe("backend churn with CT on the same node", () => {
  it("no established connection moves when backends are added, with either algorithm", async () => {
    for (const n of [2, 5, 20]) {
      const service = syntheticService(n);
      const f = flows(FLOWS, 6000 + n);
      const additions = churnScenarios(service.backends, 4).filter((s) => s.event === "add");
      expect(additions.length).toBeGreaterThan(0);
      for (const algorithm of ["maglev", "random"] as const) {
        const kept = await measureChurnWithCt(nodes, algorithm, service, f, additions);
        expect(kept, `${algorithm} N=${n}`).toEqual(additions.map(() => 1));
      }
    }
  });

  it("a weight change keeps every connection; a removal loses exactly those of the removed backends", async () => {
    const service = syntheticService(6);
    const f = flows(FLOWS, 7000);
    const scenarios = churnScenarios(service.backends, 3).filter(
      (s) => s.event === "remove" || s.event === "weight",
    );
    // Maglev's assignment is the same on every node, so the connections a removal must lose are
    // known from selection alone: those whose backend is no longer listed.
    const established = engine.node("maglev", 0).select(service, service.backends, f);
    const kept = await measureChurnWithCt(nodes, "maglev", service, f, scenarios);
    scenarios.forEach((scenario, i) => {
      const surviving = new Set(scenario.steps[1]!.map((b) => b.id));
      const expected = established.filter((id) => surviving.has(id)).length / FLOWS;
      expect(kept[i], `${scenario.event} ${scenario.count}`).toBe(expected);
      if (scenario.event === "weight") expect(kept[i]).toBe(1);
    });
  });

  it("flow by flow: survivors keep their backend, the removed backend's connections are re-selected", async () => {
    const service = syntheticService(4);
    const [, after] = churnScenarios(service.backends, 1).find((s) => s.event === "remove")!.steps;
    const f = flows(FLOWS, 8000);
    for (const algorithm of ["maglev", "random"] as const) {
      const node = await nodes.open(service, service.backends, algorithm, 16, f, 1);
      try {
        const before = node.establish();
        await node.change(service.backends, after!);
        const now = node.send(false);
        const remaining = new Set(after!.map((b) => b.id));
        let moved = 0;
        for (let i = 0; i < FLOWS; i++) {
          expect(remaining.has(now[i]!)).toBe(true);
          if (remaining.has(before[i]!)) expect(now[i]).toBe(before[i]);
          else moved++;
        }
        // About a quarter of the connections sat on the removed backend.
        expect(moved / FLOWS).toBeGreaterThan(0.2);
        expect(moved / FLOWS).toBeLessThan(0.3);
      } finally {
        node.dispose();
      }
    }
  });

  it("a terminating backend keeps its established connections (graceful termination)", async () => {
    const service = syntheticService(3);
    const f = flows(FLOWS, 9000);
    for (const algorithm of ["maglev", "random"] as const) {
      const node = await nodes.open(service, service.backends, algorithm, 17, f, 1);
      try {
        const before = node.establish();
        await node.datapath.setBackendState(service.backends[0]!.id, BackendState.TERMINATING);
        expect(node.send(false)).toEqual(before);
        // New connections avoid it.
        expect(node.send(true).every((id) => id !== service.backends[0]!.id)).toBe(true);
      } finally {
        node.dispose();
      }
    }
  });
});

describe("the comparison's conntrack figures", () => {
  it("caps the flows per service, and falls back to selection for a protocol the datapath does not balance", async () => {
    const options = { tableSize: 251, seed: 9, portPacking: PACKING };
    const sctp: CompareService = {
      ...syntheticService(3),
      frontend: "192.0.2.3:9000/SCTP",
      address: "192.0.2.3",
      port: 9000,
      protocol: 132,
      backends: syntheticService(3).backends.map((b) => ({ ...b, protocol: "SCTP" })),
    };
    const report = await compareSelection({
      snapshot: { source: "synthetic", node: null, ciliumVersion: null, services: 2 },
      services: [syntheticService(3), sctp],
      flowSource: { kind: "synthetic", flows: 900, clients: 40 },
      tableSizes: [251],
      ctFlows: 250,
      engine: new ReferenceSelectionEngine(options),
      datapathEngine: "reference",
      ...options,
    });
    const [tcp, other] = report.services;
    expect(report.parameters.ctFlowsPerService).toBe(250);
    expect(tcp!.ctFlows).toBe(250);
    expect(tcp!.algorithms.maglev.failover).toEqual({
      brokenFraction: 0,
      flows: 250,
      measuredThrough: "datapath",
    });
    for (const c of tcp!.algorithms.random.churn) {
      if (c.event === "add" || c.event === "weight") expect(c.keptWithCtFraction).toBe(1);
      else expect(c.keptWithCtFraction).toBeLessThan(1);
    }
    expect(other!.ctFlows).toBe(0);
    expect(other!.algorithms.random.failover.measuredThrough).toBe("selection");
    expect(other!.algorithms.random.failover.flows).toBe(900);
    expect(other!.algorithms.maglev.churn.every((c) => c.keptWithCtFraction === null)).toBe(true);
    expect(report.notes.some((n) => n.includes("192.0.2.3:9000/SCTP"))).toBe(true);
  });

  it("samples flows evenly and leaves small sets alone", () => {
    const f = flows(1000, 1);
    expect(sampleFlows(f, 1000)).toBe(f);
    const s = sampleFlows(f, 10);
    expect(s.count).toBe(10);
    expect([...s.clientPort]).toEqual(Array.from({ length: 10 }, (_, i) => f.clientPort[i * 100]));
    expect(() => sampleFlows(f, 0)).toThrow(RangeError);
  });
});

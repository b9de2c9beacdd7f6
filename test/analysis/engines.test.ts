// Two implementations, one semantics: the Wasm selection engine and the TS reference engine pick
// the same backend for every flow, on every node, with either algorithm.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { syntheticFlows } from "../../src/analysis/flows.js";
import type { CompareBackend, CompareService, FlowSet } from "../../src/analysis/model.js";
import { ReferenceSelectionEngine } from "../../src/analysis/reference-engine.js";
import { WasmSelectionEngine } from "../../src/analysis/wasm-engine.js";
import { Xoshiro128 } from "../../src/model/prng.js";
import type { PortPacking } from "../../src/model/flow.js";
import { runs } from "../helpers/property.js";

const backendsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 0xffffff }), { minLength: 1, maxLength: 40 })
  .chain((hosts) =>
    fc.tuple(
      fc.constant(hosts),
      fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: hosts.length, maxLength: hosts.length }),
    ),
  )
  .map(([hosts, weights]): CompareBackend[] =>
    hosts.map((h, i) => ({
      id: 1 + i * 7,
      address: `10.${h >>> 16}.${(h >>> 8) & 0xff}.${h & 0xff}`,
      port: 8080,
      protocol: "TCP",
      weight: weights[i]!,
    })),
  );

const flowsArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 65535 })), {
    minLength: 1,
    maxLength: 300,
  })
  .map((pairs): FlowSet => ({
    count: pairs.length,
    clientAddress: Uint32Array.from(pairs.map((p) => p[0])),
    clientPort: Uint16Array.from(pairs.map((p) => p[1])),
    packets: new Float64Array(pairs.length).fill(1),
    bytes: new Float64Array(pairs.length).fill(100),
  }));

const packings: PortPacking[] = ["service-port-high", "client-port-high"];
const engines = new Map<string, { wasm: WasmSelectionEngine; reference: ReferenceSelectionEngine }>();

beforeAll(async () => {
  for (const portPacking of packings) {
    const options = { tableSize: 251, seed: 42, portPacking, clusterSeed: "AAECAwQFBgcICQoL" };
    engines.set(portPacking, {
      wasm: await WasmSelectionEngine.create(options),
      reference: new ReferenceSelectionEngine(options),
    });
  }
});

describe("Wasm engine = TS reference engine", () => {
  it("same Maglev tables and picks, same random picks per node", () => {
    fc.assert(
      fc.property(
        backendsArb,
        flowsArb,
        fc.constantFrom(...packings),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom(6, 17),
        fc.integer({ min: 0, max: 50 }),
        (backends, flows, packing, port, protocol, node) => {
          const { wasm, reference } = engines.get(packing)!;
          const service: CompareService = {
            id: 1,
            frontend: "x",
            address: "192.0.2.9",
            port,
            protocol,
            backends,
          };
          expect(wasm.maglevTable(backends, 251)).toEqual(reference.maglevTable(backends, 251));
          for (const algorithm of ["maglev", "random"] as const) {
            expect(wasm.node(algorithm, node).select(service, backends, flows)).toEqual(
              reference.node(algorithm, node).select(service, backends, flows),
            );
          }
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("different nodes draw different random streams", () => {
    const { wasm } = engines.get("service-port-high")!;
    const backends = backendsOf(10);
    const service: CompareService = {
      id: 1,
      frontend: "x",
      address: "192.0.2.9",
      port: 80,
      protocol: 6,
      backends,
    };
    const flows = syntheticFlows({ flows: 2000, clients: 50 }, new Xoshiro128(1));
    const a = wasm.node("random", 3).select(service, backends, flows);
    const b = wasm.node("random", 4).select(service, backends, flows);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    // Independent uniform picks agree about 1/N of the time.
    expect(same / a.length).toBeLessThan(0.2);
  });
});

function backendsOf(n: number): CompareBackend[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    address: `10.1.0.${i + 1}`,
    port: 80,
    protocol: "TCP",
    weight: 100,
  }));
}

describe("synthetic flows", () => {
  it("are deterministic for a seed, distinct per (client, port), within the client and port ranges", () => {
    const a = syntheticFlows({ flows: 5000, clients: 3 }, new Xoshiro128(9));
    const b = syntheticFlows({ flows: 5000, clients: 3 }, new Xoshiro128(9));
    expect(a).toEqual(b);
    const keys = new Set<string>();
    const bad: number[] = [];
    for (let f = 0; f < a.count; f++) {
      keys.add(`${a.clientAddress[f]}:${a.clientPort[f]}`);
      const perPacket = a.bytes[f]! / a.packets[f]!;
      const port = a.clientPort[f]!;
      if (port < 32768 || port > 60999 || a.packets[f]! < 1 || perPacket < 64 || perPacket > 1500)
        bad.push(f);
    }
    expect(bad).toEqual([]);
    expect(keys.size).toBe(5000);
    expect(new Set(a.clientAddress).size).toBe(3);
  });

  it("rejects impossible requests with the option name", () => {
    expect(() => syntheticFlows({ flows: 0, clients: 1 }, new Xoshiro128(1))).toThrow(/--flows/);
    expect(() => syntheticFlows({ flows: 10, clients: 0 }, new Xoshiro128(1))).toThrow(/--clients/);
    expect(() => syntheticFlows({ flows: 30000, clients: 1 }, new Xoshiro128(1))).toThrow(/add clients/);
  });
});

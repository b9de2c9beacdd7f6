import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildMaglevTable, createPrng, maglevFlowHash, pickBackend, Xoshiro128 } from "../../src/index.js";
import { flowHashV4 } from "../../src/reference/lb/flow-hash.js";
import type { PortPacking } from "../../src/model/flow.js";
import { maglevLookup, randomSlot } from "../../src/reference/lb/select.js";
import { parseClusterSeed } from "../../src/model/cluster-seed.js";
import { runs } from "../helpers/property.js";
import { MaglevWasm } from "../../src/api/wasm.js";

let maglev: MaglevWasm;
beforeAll(async () => {
  maglev = await MaglevWasm.load();
});

const backends = [1, 2, 3].map((i) => ({
  address: `10.0.0.${i}`,
  port: 80,
  protocol: "TCP",
  weight: 100,
  id: i,
}));
const flow = { clientAddress: "10.0.0.1", clientPort: 40000, servicePort: 80, protocol: "TCP" };

describe("Maglev selection", () => {
  it("picks table[hash % M]: Appendix A's flow lands on index 1032 of a 16381 table", async () => {
    const table = await buildMaglevTable(backends, { tableSize: 16381 });
    expect(pickBackend(flow, { algorithm: "maglev", table })).toBe(table[1032]);
    expect(pickBackend(flow, { algorithm: "maglev", table, ciliumVersion: "1.16.3" })).toBe(table[10725]);
  });

  it("keeps a flow on its backend whatever the client port when affinity is on (Cilium >= 1.17)", async () => {
    const table = await buildMaglevTable(backends, { tableSize: 16381 });
    const picks = new Set(
      [1, 2000, 40000, 65535].map((clientPort) =>
        pickBackend({ ...flow, clientPort }, { algorithm: "maglev", table, affinity: true }),
      ),
    );
    expect(picks.size).toBe(1);
  });

  it("Wasm batch selection equals the TS reference on random flows", async () => {
    const table = await buildMaglevTable(backends, { tableSize: 4093 });
    const handle = maglev.writeTable(table);
    const seed = parseClusterSeed().jhashV4;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            clientAddress: fc.nat({ max: 0xffffffff }),
            clientPort: fc.nat({ max: 65535 }),
            servicePort: fc.nat({ max: 65535 }),
            protocol: fc.constantFrom(6, 17, 132),
          }),
          { minLength: 1, maxLength: 200 },
        ),
        fc.constantFrom<PortPacking>("service-port-high", "client-port-high"),
        fc.boolean(),
        (flows, packing, affinity) => {
          const expected = flows.map((f) => maglevLookup(table, flowHashV4(f, seed, packing, affinity)));
          expect(Array.from(maglev.selectMaglev(handle, flows, seed, packing, affinity))).toEqual(expected);
        },
      ),
      { numRuns: runs(200) },
    );
    maglev.freeTable(handle);
  });

  it("spreads many clients over the backends in proportion to their table shares", async () => {
    const table = await buildMaglevTable(backends, { tableSize: 16381 });
    const hits = new Map<number, number>();
    for (let i = 0; i < 30000; i++) {
      const f = { ...flow, clientAddress: 0x0a000000 + (i >> 6), clientPort: 1024 + (i & 63) * 7 };
      const id = pickBackend(f, { algorithm: "maglev", table });
      hits.set(id, (hits.get(id) ?? 0) + 1);
    }
    for (const b of backends) expect(Math.abs(hits.get(b.id)! / 30000 - 1 / 3)).toBeLessThan(0.02);
  });

  it("hashes the same flow the same way through the public helper", () => {
    expect(maglevFlowHash(flow) % 16381).toBe(1032);
  });
});

describe("random selection", () => {
  it("xoshiro128** reproduces the C reference implementation's outputs", async () => {
    // State and outputs from the xoshiro128starstar.c reference run published with xoshiro-6502.
    const state = [0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0] as const;
    const expected = [0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70];
    const rng = Xoshiro128.fromState(...state);
    expect(expected.map(() => rng.next())).toEqual(expected);
    const handle = maglev.createPrng(0);
    new Uint32Array(maglev.wasm.memoryU8.buffer, handle, 4).set(state);
    expect(expected.map(() => maglev.wasm.exports.prngNext(handle) >>> 0)).toEqual(expected);
    maglev.freePrng(handle);
  });

  it("the same seed gives the same picks, in TS and in Wasm", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.uniqueArray(fc.nat({ max: 100000 }), { minLength: 1, maxLength: 50 }),
        (seed, ids) => {
          const a = createPrng(seed);
          const b = createPrng(seed);
          const picksA = Array.from({ length: 64 }, () =>
            pickBackend(flow, { algorithm: "random", backendIds: ids, prng: a }),
          );
          const picksB = Array.from({ length: 64 }, () =>
            pickBackend(flow, { algorithm: "random", backendIds: ids, prng: b }),
          );
          expect(picksA).toEqual(picksB);
          const state = maglev.createPrng(seed);
          expect(Array.from(maglev.selectRandom(state, ids, 64))).toEqual(picksA);
          maglev.freePrng(state);
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it("draws slot (prandom % count) + 1: slots 1..count, roughly uniform", () => {
    const rng = createPrng(7);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) {
      const slot = randomSlot(rng, 5);
      counts[slot] = counts[slot]! + 1;
    }
    expect(counts[0]).toBe(0);
    for (let slot = 1; slot <= 5; slot++) expect(Math.abs(counts[slot]! / 60000 - 0.2)).toBeLessThan(0.01);
  });

  it("different seeds give different sequences", () => {
    const a = createPrng(1);
    const b = createPrng(2);
    expect(Array.from({ length: 8 }, () => a.next())).not.toEqual(Array.from({ length: 8 }, () => b.next()));
  });
});

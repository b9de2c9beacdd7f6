import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildMaglevTable,
  buildMaglevTableSync,
  formatIPv4,
  MAGLEV_TABLE_SIZES,
  type MaglevBackend,
} from "../../src/index.js";
import { backendHashString } from "../../src/lb/backend.js";
import { pinnedSeed, runs } from "../helpers/property.js";

const hex = (n: number) => n.toString(16);

/** Random backends with distinct hash strings and IDs: IPv4 and IPv6, all protocols, scopes. */
function backendsArb(opts: { minLength: number; maxLength: number; weight?: fc.Arbitrary<number> }) {
  const address = fc.oneof(
    fc.nat({ max: 0xffffffff }).map(formatIPv4),
    fc
      .array(fc.oneof(fc.constant(0), fc.nat({ max: 0xffff })), { minLength: 8, maxLength: 8 })
      .map((groups) => groups.map(hex).join(":")),
  );
  const backend = fc.record({
    address,
    port: fc.nat({ max: 65535 }),
    protocol: fc.constantFrom("TCP", "UDP", "SCTP", "ANY", "tcp"),
    weight: opts.weight ?? fc.constant(1),
    internal: fc.boolean(),
    clusterId: fc.oneof(fc.constant(0), fc.nat({ max: 511 })),
  });
  return fc
    .uniqueArray(backend, {
      minLength: opts.minLength,
      maxLength: opts.maxLength,
      selector: (b) => backendHashString({ ...b, id: 0 }),
    })
    .chain((list) =>
      fc
        .uniqueArray(fc.nat({ max: 0xfffffffe }), { minLength: list.length, maxLength: list.length })
        .map((ids): MaglevBackend[] => list.map((b, i) => ({ ...b, id: ids[i]! }))),
    );
}

const seedArb = fc
  .uint8Array({ minLength: 12, maxLength: 12 })
  .map((bytes) => Buffer.from(bytes).toString("base64"));

function countById(table: Uint32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of table) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe("Maglev table properties", () => {
  it("Wasm table equals the TS reference table (random backends, weights, sizes, seeds)", async () => {
    await fc.assert(
      fc.asyncProperty(
        backendsArb({
          minLength: 1,
          maxLength: 40,
          weight: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 65535 })),
        }),
        fc.constantFrom(...MAGLEV_TABLE_SIZES.filter((m) => m <= 16381)),
        seedArb,
        async (backends, tableSize, seed) => {
          const wasm = await buildMaglevTable(backends, { tableSize, seed });
          expect(wasm).toEqual(buildMaglevTableSync(backends, { tableSize, seed }));
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("Wasm table equals the TS reference table at the large sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        backendsArb({ minLength: 1, maxLength: 300, weight: fc.integer({ min: 1, max: 200 }) }),
        fc.constantFrom(32749, 65521, 131071),
        seedArb,
        async (backends, tableSize, seed) => {
          const wasm = await buildMaglevTable(backends, { tableSize, seed });
          expect(wasm).toEqual(buildMaglevTableSync(backends, { tableSize, seed }));
        },
      ),
      { numRuns: runs(6) },
    );
  });

  it("unweighted: every backend gets floor(M/N) or ceil(M/N) entries", async () => {
    await fc.assert(
      fc.asyncProperty(
        backendsArb({ minLength: 1, maxLength: 250 }),
        fc.constantFrom(...MAGLEV_TABLE_SIZES),
        async (backends, tableSize) => {
          const counts = countById(await buildMaglevTable(backends, { tableSize }));
          const low = Math.floor(tableSize / backends.length);
          for (const b of backends)
            expect([low, Math.ceil(tableSize / backends.length)]).toContain(counts.get(b.id) ?? 0);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("equal weights above 1 (Cilium's default is 100) give exactly the unweighted table", async () => {
    await fc.assert(
      fc.asyncProperty(
        backendsArb({ minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 65535 }),
        fc.constantFrom(251, 1021, 16381),
        async (backends, weight, tableSize) => {
          const weighted = backends.map((b) => ({ ...b, weight }));
          expect(await buildMaglevTable(weighted, { tableSize })).toEqual(
            await buildMaglevTable(backends, { tableSize }),
          );
        },
      ),
      { numRuns: runs(40) },
    );
  });

  it("the table does not depend on the order the backends are given in", async () => {
    await fc.assert(
      fc.asyncProperty(
        backendsArb({ minLength: 1, maxLength: 60, weight: fc.integer({ min: 1, max: 1000 }) }).chain(
          (list) =>
            fc.tuple(
              fc.constant(list),
              fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
            ),
        ),
        fc.constantFrom(251, 4093, 16381),
        async ([backends, shuffled], tableSize) => {
          expect(await buildMaglevTable(shuffled, { tableSize })).toEqual(
            await buildMaglevTable(backends, { tableSize }),
          );
        },
      ),
      { numRuns: runs(40) },
    );
  });

  it("removing a backend hands all its entries to the others and, at M = 131071 with N*100 < M, moves < 1% of theirs", async () => {
    // The < 1% bound is not a general Maglev guarantee: at small M it is exceeded (e.g. M = 1021,
    // N = 10 moves about 2.5%), so it is asserted at the largest table size, where it holds with
    // margin (worst seen 0.72%), with a fixed fast-check seed so the run is reproducible.
    const tableSize = 131071;
    await fc.assert(
      fc.asyncProperty(
        backendsArb({ minLength: 2, maxLength: Math.floor((tableSize - 1) / 100) }).chain((list) =>
          fc.tuple(fc.constant(list), fc.nat({ max: list.length - 1 })),
        ),
        async ([backends, removed]) => {
          const gone = backends[removed]!.id;
          const before = await buildMaglevTable(backends, { tableSize });
          const after = await buildMaglevTable(
            backends.filter((_, i) => i !== removed),
            { tableSize },
          );
          let moved = 0;
          let stillGone = 0;
          before.forEach((id, slot) => {
            if (after[slot] === gone) stillGone++;
            if (id !== gone && after[slot] !== id) moved++;
          });
          expect(stillGone).toBe(0);
          expect((moved / tableSize) * 100).toBeLessThan(1);
        },
      ),
      { numRuns: runs(12), seed: pinnedSeed(20250130) },
    );
  });

  it("weighted: each backend's share follows its weight within Cilium's rounding bounds", async () => {
    // With weights in use a backend taking its k-th entry at turn n needs (n+1)*w >= trunc(w/N + (k-1)*W),
    // so it ends with fewer than M*w/W + 1 + 1/W entries; the others' surplus bounds the deficit.
    await fc.assert(
      fc.asyncProperty(
        backendsArb({ minLength: 1, maxLength: 80, weight: fc.integer({ min: 2, max: 5000 }) }),
        fc.constantFrom(...MAGLEV_TABLE_SIZES),
        async (backends, tableSize) => {
          const counts = countById(await buildMaglevTable(backends, { tableSize }));
          const total = backends.reduce((sum, b) => sum + b.weight!, 0);
          const n = backends.length;
          for (const b of backends) {
            const expected = (tableSize * b.weight!) / total;
            const got = counts.get(b.id) ?? 0;
            expect(got).toBeLessThan(expected + 1 + 1 / total);
            expect(got).toBeGreaterThanOrEqual(expected - (n - 1) * (1 + 1 / total));
          }
          if (n * 100 < tableSize) {
            for (const b of backends) {
              expect(Math.abs((counts.get(b.id) ?? 0) / tableSize - b.weight! / total)).toBeLessThan(0.01);
            }
          }
        },
      ),
      { numRuns: runs(60) },
    );
  });
});

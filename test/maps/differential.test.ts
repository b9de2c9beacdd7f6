// Differential tests: long random operation sequences applied to a Wasm map and its TypeScript
// twin must give identical results after every step (return codes, lookups, counts, iteration).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WasmHashMap, WasmLpmMap } from "../../src/wasm/maps.js";
import { ReferenceLpmMap } from "../../src/reference/maps/lpm-trie.js";
import { ReferenceHashMap } from "../../src/reference/maps/hash-map.js";
import type { BpfUpdateFlag, HashMapKind, HashMapLike, Ipv4Prefix, LpmMap } from "../../src/maps/types.js";
import { wasmInstance } from "./helpers.js";
import { PROPERTY_SEED, runs } from "../helpers/property.js";

const OPERATIONS_PER_RUN = 10_000;
/** Full iteration is compared after every step while maps are this small, else every 50th step. */
const ITERATE_EVERY_STEP_UP_TO = 64;
/** Fixed seeds keep CI reproducible; the last run takes the run's property seed (fresh under npm run fuzz). */
const SEEDS: (number | undefined)[] = [1, 20260, 777_777, undefined];

// Flags are mostly valid; 3 exercises -EINVAL.
const flagsArb = fc.constantFrom<BpfUpdateFlag>(0, 0, 0, 1, 2, 3 as BpfUpdateFlag);

/** Stable text form of any result: Uint8Arrays as hex, so comparisons are cheap string compares. */
function show(result: unknown): string {
  return JSON.stringify(result, (_key, value: unknown) =>
    value instanceof Uint8Array ? Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("") : value,
  );
}

interface Twin<M extends { readonly count: number; entries(): IterableIterator<unknown> }, Op> {
  subject: M;
  oracle: M;
  apply(map: M, op: Op): unknown;
}

/** Applies every operation to both maps; fails at the first step where anything differs. */
function replay<M extends { readonly count: number; entries(): IterableIterator<unknown> }, Op>(
  twin: Twin<M, Op>,
  ops: readonly Op[],
): void {
  const { subject, oracle, apply } = twin;
  ops.forEach((op, step) => {
    const where = `step ${step}: ${show(op)}`;
    const actual = show(apply(subject, op));
    const expected = show(apply(oracle, op));
    if (actual !== expected) expect(actual, `${where}: result`).toBe(expected);
    if (subject.count !== oracle.count) expect(subject.count, `${where}: count`).toBe(oracle.count);
    if (oracle.count <= ITERATE_EVERY_STEP_UP_TO || step % 50 === 0 || step === ops.length - 1) {
      const actualEntries = show([...subject.entries()]);
      const expectedEntries = show([...oracle.entries()]);
      if (actualEntries !== expectedEntries)
        expect(actualEntries, `${where}: iteration`).toBe(expectedEntries);
    }
  });
}

// ---- LPM ------------------------------------------------------------------------------------------

/**
 * Addresses concentrated on a few octet values, so that prefixes nest, overlap, share table chunks
 * and get deleted under each other; plus some fully random ones.
 */
const addressArb = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.constantFrom(0, 10, 172, 192, 255),
        fc.constantFrom(0, 1, 20, 168, 255),
        fc.constantFrom(0, 1, 2, 128, 255),
        fc.constantFrom(0, 1, 2, 3, 64, 127, 128, 255),
      )
      .map(([a, b, c, d]) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0),
  },
  { weight: 1, arbitrary: fc.nat({ max: 0xffffffff }) },
);

const lengthArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 30, 31, 32, 32, 32) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 33 }) },
);

// Addresses keep their host bits: the maps must canonicalise.
const prefixArb = fc.record({ address: addressArb, length: lengthArb });

type LpmOp =
  | { op: "update"; prefix: Ipv4Prefix; value: number; flags: BpfUpdateFlag }
  | { op: "delete"; prefix: Ipv4Prefix }
  | { op: "lookup"; address: number }
  | { op: "get"; prefix: Ipv4Prefix }
  | { op: "next"; cursor: Ipv4Prefix | undefined }
  | { op: "batch"; addresses: number[] };

const lpmOpArb: fc.Arbitrary<LpmOp> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ op: fc.constant("update"), prefix: prefixArb, value: fc.nat(), flags: flagsArb }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("delete"), prefix: prefixArb }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("lookup"), address: addressArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get"), prefix: prefixArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("next"),
      cursor: fc.option(prefixArb.map((p) => ({ ...p, length: Math.min(p.length, 32) }))),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("batch"), addresses: fc.array(addressArb, { maxLength: 40 }) }),
  },
) as fc.Arbitrary<LpmOp>;

function valueBytes(n: number, size: number): Uint8Array {
  const value = new Uint8Array(size);
  new DataView(value.buffer).setUint32(0, n >>> 0, true);
  return value;
}

function applyLpm(map: LpmMap, op: LpmOp): unknown {
  switch (op.op) {
    case "update":
      return map.update(op.prefix, valueBytes(op.value, map.valueSize), op.flags);
    case "delete":
      return map.delete(op.prefix);
    case "lookup":
      return map.lookup(op.address);
    case "get":
      return map.get(op.prefix);
    case "next":
      return map.nextKey(op.cursor ?? undefined);
    case "batch":
      return map.lookupBatch(op.addresses);
  }
}

describe("LPM map: Wasm trie vs TypeScript twin", () => {
  // Small capacities make -ENOSPC frequent; the large one never fills.
  const capacities = [48, 200, 16, 5000];

  SEEDS.forEach((seed, run) => {
    const maxEntries = capacities[run % capacities.length]!;
    it(`agrees on ${OPERATIONS_PER_RUN} random operations (seed ${seed ?? PROPERTY_SEED}, max_entries ${maxEntries})`, async () => {
      const wasm = await wasmInstance();
      await fc.assert(
        fc.asyncProperty(
          fc.array(lpmOpArb, { minLength: OPERATIONS_PER_RUN, maxLength: OPERATIONS_PER_RUN }),
          async (ops) => {
            const options = { valueSize: 6, maxEntries };
            const subject = WasmLpmMap.create(wasm, options);
            const oracle = new ReferenceLpmMap(options);
            try {
              replay<LpmMap, LpmOp>({ subject, oracle, apply: applyLpm }, ops);
            } finally {
              subject.dispose();
            }
          },
        ),
        { numRuns: runs(1), seed, endOnFailure: true },
      );
    });
  });
});

// ---- hash and LRU hash ---------------------------------------------------------------------------

type HashOp =
  | { op: "update"; key: number; value: number; flags: BpfUpdateFlag }
  | { op: "delete"; key: number }
  | { op: "lookup"; key: number }
  | { op: "peek"; key: number }
  | { op: "next"; cursor: number | null }
  | { op: "batch"; keys: number[] };

function hashOpArb(universe: number): fc.Arbitrary<HashOp> {
  const keyArb = fc.nat({ max: universe - 1 });
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ op: fc.constant("update"), key: keyArb, value: fc.nat(), flags: flagsArb }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("delete"), key: keyArb }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant("lookup"), key: keyArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("peek"), key: keyArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("next"), cursor: fc.option(keyArb) }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant("batch"), keys: fc.array(keyArb, { maxLength: 20 }) }),
    },
  ) as fc.Arbitrary<HashOp>;
}

/**
 * Key number to key bytes: spread over the key so hashing, comparison and ordering see differences
 * in the first, middle and last bytes (odd key sizes test the tail handling).
 */
function keyBytes(n: number, size: number): Uint8Array {
  const key = new Uint8Array(size).fill(0x5a);
  key[0] = n % 7;
  key[size >> 1] = (n >> 3) & 0xff;
  key[size - 1] = n & 0xff;
  return key;
}

function applyHash(map: HashMapLike, op: HashOp): unknown {
  const k = (n: number) => keyBytes(n, map.keySize);
  switch (op.op) {
    case "update":
      return map.update(k(op.key), valueBytes(op.value, map.valueSize), op.flags);
    case "delete":
      return map.delete(k(op.key));
    case "lookup":
      return map.lookup(k(op.key));
    case "peek":
      return map.peek(k(op.key));
    case "next":
      return map.nextKey(op.cursor === null ? undefined : k(op.cursor));
    case "batch":
      return map.lookupBatch(op.keys.map(k));
  }
}

describe.each(["hash", "lru_hash"] as HashMapKind[])("%s map: Wasm vs TypeScript twin", (kind) => {
  // [keySize, maxEntries, key universe]: full maps and evictions are frequent.
  const shapes: [number, number, number][] = [
    [6, 32, 60],
    [13, 100, 180],
    [4, 8, 24],
    [1, 200, 256],
  ];

  SEEDS.forEach((seed, run) => {
    const [keySize, maxEntries, universe] = shapes[run % shapes.length]!;
    it(`agrees on ${OPERATIONS_PER_RUN} random operations (seed ${seed ?? PROPERTY_SEED}, key ${keySize} B, max_entries ${maxEntries})`, async () => {
      const wasm = await wasmInstance();
      await fc.assert(
        fc.asyncProperty(
          fc.array(hashOpArb(universe), { minLength: OPERATIONS_PER_RUN, maxLength: OPERATIONS_PER_RUN }),
          async (ops) => {
            const options = { kind, keySize, valueSize: 5, maxEntries };
            const subject = WasmHashMap.create(wasm, options);
            const oracle = new ReferenceHashMap(options);
            try {
              replay<HashMapLike, HashOp>({ subject, oracle, apply: applyHash }, ops);
            } finally {
              subject.dispose();
            }
          },
        ),
        { numRuns: runs(1), seed, endOnFailure: true },
      );
    });
  });
});

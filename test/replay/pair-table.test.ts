// The typed-array pair table behind the replay's per-packet counts and shard lookups.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairTable } from "../../src/replay/pair-table.js";

describe("PairTable", () => {
  it("sums like a map of (u32, u32) pairs, through growth and merging", () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const op = fc.record({ hi: u32, lo: fc.integer({ min: 0, max: 40 }), a: fc.nat(1000), b: fc.nat(1000) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.array(op, { maxLength: 50 }), (ops, more) => {
        const table = new PairTable(4);
        const model = new Map<string, [number, number]>();
        for (const { hi, lo, a, b } of [...ops, ...more]) {
          const key = `${hi}/${lo}`;
          const [x, y] = model.get(key) ?? [0, 0];
          model.set(key, [x + a, y + b]);
        }
        for (const { hi, lo, a, b } of ops) table.add(hi, lo, a, b);
        const merged = new PairTable();
        merged.addEntries(table.entries());
        for (const { hi, lo, a, b } of more) merged.add(hi, lo, a, b);
        expect(merged.size).toBe(model.size);
        for (const [key, [a, b]] of model) {
          const [hi, lo] = key.split("/").map(Number) as [number, number];
          const slot = merged.find(hi, lo);
          expect(slot).toBeGreaterThanOrEqual(0);
          expect([merged.a(slot), merged.b(slot)]).toEqual([a, b]);
        }
        expect(merged.has(0x7fffffff, 41)).toBe(model.has(`${0x7fffffff}/41`));
      }),
    );
  });
});

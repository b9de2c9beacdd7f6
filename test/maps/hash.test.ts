// Edge cases of the hash map and the LRU hash map, run against the Wasm maps and their
// TypeScript twins alike.
import { describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  E2BIG,
  EEXIST,
  EINVAL,
  ENOENT,
  type BpfUpdateFlag,
  type HashMapKind,
  type HashMapLike,
} from "../../src/maps/types.js";
import { bytes, hashImplementations, numberOf, valueOf } from "./helpers.js";

/** A 6-byte key, e.g. an address and a port. */
function key(n: number): Uint8Array {
  return bytes(10, 0, (n >>> 8) & 0xff, n & 0xff, 0, 80);
}

function put(map: HashMapLike, n: number, value: number, flags: BpfUpdateFlag = BPF_ANY): number {
  return map.update(key(n), valueOf(value, 4), flags);
}

function keysOf(map: HashMapLike): number[] {
  return [...map.entries()].map((e) => (e.key[2]! << 8) | e.key[3]!);
}

describe.each(hashImplementations)("hash maps (%s)", (_name, create) => {
  const make = (kind: HashMapKind, maxEntries = 64) => create({ kind, keySize: 6, valueSize: 4, maxEntries });

  describe.each(["hash", "lru_hash"] as const)("%s", (kind) => {
    it("stores, replaces, looks up and deletes", async () => {
      const map = await make(kind);
      expect(map.lookup(key(1))).toBeUndefined();
      expect(put(map, 1, 100)).toBe(0);
      expect(put(map, 2, 200)).toBe(0);
      expect(numberOf(map.lookup(key(1)))).toBe(100);
      expect(numberOf(map.peek(key(2)))).toBe(200);
      expect(put(map, 1, 101)).toBe(0);
      expect(numberOf(map.lookup(key(1)))).toBe(101);
      expect(map.count).toBe(2);
      expect(map.delete(key(1))).toBe(0);
      expect(map.lookup(key(1))).toBeUndefined();
      expect(map.delete(key(1))).toBe(-ENOENT);
      expect(map.count).toBe(1);
    });

    it("applies BPF_NOEXIST and BPF_EXIST like the kernel", async () => {
      const map = await make(kind);
      expect(put(map, 1, 1, BPF_EXIST)).toBe(-ENOENT);
      expect(map.count).toBe(0);
      expect(put(map, 1, 2, BPF_NOEXIST)).toBe(0);
      expect(put(map, 1, 3, BPF_NOEXIST)).toBe(-EEXIST);
      expect(numberOf(map.peek(key(1)))).toBe(2);
      expect(put(map, 1, 4, BPF_EXIST)).toBe(0);
      expect(numberOf(map.peek(key(1)))).toBe(4);
      expect(put(map, 1, 5, 3 as BpfUpdateFlag)).toBe(-EINVAL);
      expect(put(map, 1, 5, 0xffffffff as BpfUpdateFlag)).toBe(-EINVAL);
      expect(numberOf(map.peek(key(1)))).toBe(4);
    });

    it("distinguishes keys that differ in any byte, including the last", async () => {
      const map = await create({ kind, keySize: 13, valueSize: 1, maxEntries: 64 });
      const base = new Uint8Array(13).fill(7);
      for (let i = 0; i < 13; i++) {
        const k = base.slice();
        k[i] = 8;
        expect(map.update(k, bytes(i))).toBe(0);
      }
      expect(map.update(base, bytes(99))).toBe(0);
      expect(map.count).toBe(14);
      for (let i = 0; i < 13; i++) {
        const k = base.slice();
        k[i] = 8;
        expect(map.lookup(k)).toEqual(bytes(i));
      }
      expect(map.lookup(base)).toEqual(bytes(99));
    });

    it("iterates in key byte order with a cursor that need not be present", async () => {
      const map = await make(kind);
      for (const n of [0x0305, 0x0001, 0xff00, 0x0300, 0x0100]) put(map, n, n);
      expect(keysOf(map)).toEqual([0x0001, 0x0100, 0x0300, 0x0305, 0xff00]);
      expect(map.nextKey()).toEqual(key(0x0001));
      expect(map.nextKey(key(0x0100))).toEqual(key(0x0300));
      expect(map.nextKey(key(0x0301))).toEqual(key(0x0305));
      expect(map.nextKey(key(0xff00))).toBeUndefined();
      expect(map.nextKey(key(0xffff))).toBeUndefined();
    });

    it("iterates correctly while entries are deleted and added", async () => {
      const map = await make(kind);
      for (let n = 0; n < 30; n++) put(map, n * 2, n);
      let visited = 0;
      for (let k = map.nextKey(); k !== undefined; k = map.nextKey(k)) {
        visited++;
        expect(map.delete(k)).toBe(0);
        if (visited === 5) put(map, 41, 41);
      }
      expect(visited).toBe(31);
      expect(map.count).toBe(0);
    });

    it("looks up a batch as the same single lookups", async () => {
      const map = await make(kind);
      put(map, 1, 10);
      put(map, 2, 20);
      expect(map.lookupBatch([key(2), key(3), key(1), key(2)]).map(numberOf)).toEqual([
        20,
        undefined,
        10,
        20,
      ]);
      expect(map.lookupBatch([])).toEqual([]);
    });

    it("rejects malformed arguments with a RangeError", async () => {
      const map = await make(kind);
      expect(() => map.update(new Uint8Array(5), valueOf(1, 4))).toThrow(RangeError);
      expect(() => map.update(key(1), new Uint8Array(5))).toThrow(RangeError);
      expect(() => map.lookup(new Uint8Array(7))).toThrow(RangeError);
      expect(() => map.update(key(1), valueOf(1, 4), 1.5 as BpfUpdateFlag)).toThrow(RangeError);
      await expect(create({ kind, keySize: 0, valueSize: 1, maxEntries: 1 })).rejects.toThrow(RangeError);
      await expect(create({ kind, keySize: 1, valueSize: 0, maxEntries: 1 })).rejects.toThrow(RangeError);
      await expect(create({ kind, keySize: 1, valueSize: 1, maxEntries: 0 })).rejects.toThrow(RangeError);
    });
  });

  describe("hash", () => {
    it("fails a new key in a full map with -E2BIG, still replacing existing keys", async () => {
      const map = await make("hash", 3);
      for (let n = 1; n <= 3; n++) expect(put(map, n, n)).toBe(0);
      expect(put(map, 4, 4)).toBe(-E2BIG);
      expect(put(map, 4, 4, BPF_NOEXIST)).toBe(-E2BIG);
      expect(put(map, 4, 4, BPF_EXIST)).toBe(-ENOENT);
      expect(put(map, 2, 22)).toBe(0);
      expect(put(map, 3, 33, BPF_EXIST)).toBe(0);
      expect(keysOf(map)).toEqual([1, 2, 3]);
      expect(map.delete(key(1))).toBe(0);
      expect(put(map, 4, 4)).toBe(0);
      expect(keysOf(map)).toEqual([2, 3, 4]);
    });
  });

  describe("lru_hash", () => {
    it("evicts in insertion order when nothing was looked up", async () => {
      const map = await make("lru_hash", 3);
      for (let n = 1; n <= 3; n++) expect(put(map, n, n)).toBe(0);
      expect(put(map, 4, 4)).toBe(0);
      expect(keysOf(map)).toEqual([2, 3, 4]);
      expect(put(map, 5, 5, BPF_NOEXIST)).toBe(0);
      expect(keysOf(map)).toEqual([3, 4, 5]);
      expect(map.count).toBe(3);
    });

    it("gives entries used by lookup or update a second chance, but not after peek or iteration", async () => {
      const map = await make("lru_hash", 3);
      for (let n = 1; n <= 3; n++) put(map, n, n);
      expect(numberOf(map.lookup(key(1)))).toBe(1); // 1 referenced
      expect(put(map, 4, 4)).toBe(0); // the hand clears 1, evicts 2
      expect(keysOf(map)).toEqual([1, 3, 4]);
      expect(put(map, 3, 33, BPF_EXIST)).toBe(0); // 3 referenced
      expect(numberOf(map.peek(key(1)))).toBe(1); // no reference
      expect([...map.entries()]).toHaveLength(3); // no reference
      expect(put(map, 5, 5)).toBe(0); // the hand clears 3, evicts 1
      expect(keysOf(map)).toEqual([3, 4, 5]);
      expect(map.lookupBatch([key(4), key(9)]).map(numberOf)).toEqual([4, undefined]); // 4 referenced
      expect(put(map, 6, 6)).toBe(0); // the hand clears 4, evicts 3
      expect(keysOf(map)).toEqual([4, 5, 6]);
    });

    it("approximates recency as the kernel does: once every entry was used, the sweep evicts in id order", async () => {
      const map = await make("lru_hash", 3);
      for (let n = 1; n <= 3; n++) put(map, n, n);
      for (const n of [1, 2, 3, 1]) map.lookup(key(n));
      // Exact LRU would evict 2 (1 was used last); the clock clears every bit and evicts 1.
      expect(put(map, 4, 4)).toBe(0);
      expect(keysOf(map)).toEqual([2, 3, 4]);
      // The new entry starts unreferenced but sits behind the hand: 2 goes next, then 3.
      expect(put(map, 5, 5)).toBe(0);
      expect(keysOf(map)).toEqual([3, 4, 5]);
    });

    it("evicts nothing on a failed update", async () => {
      const map = await make("lru_hash", 2);
      put(map, 1, 1);
      put(map, 2, 2);
      expect(put(map, 3, 3, BPF_EXIST)).toBe(-ENOENT);
      expect(put(map, 1, 9, BPF_NOEXIST)).toBe(-EEXIST);
      expect(put(map, 3, 3, 7 as BpfUpdateFlag)).toBe(-EINVAL);
      expect(keysOf(map)).toEqual([1, 2]);
      expect(put(map, 3, 3)).toBe(0); // 1 is still the next victim
      expect(keysOf(map)).toEqual([2, 3]);
    });

    it("reuses deleted room before evicting", async () => {
      const map = await make("lru_hash", 3);
      for (let n = 1; n <= 3; n++) put(map, n, n);
      expect(map.delete(key(2))).toBe(0);
      expect(put(map, 4, 4)).toBe(0);
      expect(keysOf(map)).toEqual([1, 3, 4]);
      expect(put(map, 5, 5)).toBe(0); // evicts 1
      expect(keysOf(map)).toEqual([3, 4, 5]);
    });

    it("works with a single entry", async () => {
      const map = await make("lru_hash", 1);
      expect(put(map, 1, 1)).toBe(0);
      expect(put(map, 2, 2)).toBe(0);
      expect(keysOf(map)).toEqual([2]);
      expect(map.delete(key(2))).toBe(0);
      expect(map.count).toBe(0);
      expect(put(map, 3, 3)).toBe(0);
      expect(keysOf(map)).toEqual([3]);
    });
  });
});

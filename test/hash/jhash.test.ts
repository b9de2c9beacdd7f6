import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { jhashBytes, jhash1Word, jhash2Words, jhash3Words } from "../../src/reference/hash/jhash.js";
import { loadWasm, type WasmInstance } from "../../src/wasm/module.js";
import { runs } from "../helpers/property.js";

let wasm: WasmInstance;
beforeAll(async () => {
  wasm = await loadWasm();
});

// An independent, deliberately plain lookup3: Bob Jenkins' hashword()/hashlittle() final() with
// Uint32Array cells doing the modulo-2^32 wrap-around.
function plainFinal(v: Uint32Array): number {
  const rot = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  v[2] = v[2]! ^ v[1]!;
  v[2] = v[2]! - rot(v[1]!, 14);
  v[0] = v[0]! ^ v[2]!;
  v[0] = v[0]! - rot(v[2]!, 11);
  v[1] = v[1]! ^ v[0]!;
  v[1] = v[1]! - rot(v[0]!, 25);
  v[2] = v[2]! ^ v[1]!;
  v[2] = v[2]! - rot(v[1]!, 16);
  v[0] = v[0]! ^ v[2]!;
  v[0] = v[0]! - rot(v[2]!, 4);
  v[1] = v[1]! ^ v[0]!;
  v[1] = v[1]! - rot(v[0]!, 14);
  v[2] = v[2]! ^ v[1]!;
  v[2] = v[2]! - rot(v[1]!, 24);
  return v[2]!;
}

/** lookup3 hashword(k, n, initval) for n <= 3 words, which is what jhash_nwords computes. */
function plainHashword(words: number[], initval: number): number {
  const v = new Uint32Array(3).fill(0xdeadbeef + (words.length << 2) + initval);
  words.forEach((w, i) => (v[i] = v[i]! + w));
  return plainFinal(v);
}

const u32 = fc.nat({ max: 0xffffffff });

function wasmBytes(data: Uint8Array, initval: number): number {
  const at = wasm.scratch(data.length + 1);
  wasm.memoryU8.set(data, at);
  return wasm.exports.jhashBytes(at, data.length, initval) >>> 0;
}

describe("jhash (lookup3 as in the Linux kernel)", () => {
  it("gives lookup3's published driver values", () => {
    const text = new TextEncoder().encode("Four score and seven years ago");
    expect(jhashBytes(text, 0)).toBe(0x17770551);
    expect(jhashBytes(text, 1)).toBe(0xcd628161);
    expect(jhashBytes(new Uint8Array(0), 0)).toBe(0xdeadbeef);
    expect(wasmBytes(text, 0)).toBe(0x17770551);
    expect(wasmBytes(text, 1)).toBe(0xcd628161);
    expect(wasmBytes(new Uint8Array(0), 0)).toBe(0xdeadbeef);
  });

  it("jhash_1/2/3words equal a plain hashword() on random words, in TS and Wasm", () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, (a, b, c, seed) => {
        const three = plainHashword([a, b, c], seed);
        expect(jhash3Words(a, b, c, seed)).toBe(three);
        expect(wasm.exports.jhash3Words(a, b, c, seed) >>> 0).toBe(three);
        const two = plainHashword([a, b], seed);
        expect(jhash2Words(a, b, seed)).toBe(two);
        expect(wasm.exports.jhash2Words(a, b, seed) >>> 0).toBe(two);
        const one = plainHashword([a], seed);
        expect(jhash1Word(a, seed)).toBe(one);
        expect(wasm.exports.jhash1Word(a, seed) >>> 0).toBe(one);
      }),
      { numRuns: runs(3000) },
    );
  });

  it("jhash over the little-endian bytes of three words equals jhash_3words", () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, (a, b, c, seed) => {
        const bytes = new Uint8Array(new Uint32Array([a, b, c]).buffer);
        expect(jhashBytes(bytes, seed)).toBe(jhash3Words(a, b, c, seed));
      }),
      { numRuns: runs(500) },
    );
  });

  it("Wasm jhash over random byte strings equals the TS reference", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), u32, (data, seed) => {
        expect(wasmBytes(data, seed)).toBe(jhashBytes(data, seed));
      }),
      { numRuns: runs(2000) },
    );
  });
});

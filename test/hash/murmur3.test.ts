import fc from "fast-check";
import murmurhash3 from "murmurhash3js-revisited";
import { beforeAll, describe, expect, it } from "vitest";
import { murmur3Hash128 } from "../../src/reference/hash/murmur3.js";
import { loadWasm, type WasmInstance } from "../../src/wasm/module.js";
import { runs } from "../helpers/property.js";

let wasm: WasmInstance;
beforeAll(async () => {
  wasm = await loadWasm();
});

function wasmHash(data: Uint8Array, seed: number): [bigint, bigint] {
  const at = wasm.scratch(data.length + 16);
  wasm.memoryU8.set(data, at);
  wasm.exports.murmur3Hash128(at, data.length, seed >>> 0, at + data.length);
  return [
    wasm.memoryDataView.getBigUint64(at + data.length, true),
    wasm.memoryDataView.getBigUint64(at + data.length + 8, true),
  ];
}

// murmurhash3js-revisited returns h1 then h2 as one 32-digit hex string.
function peerHash(data: Uint8Array, seed: number): [bigint, bigint] {
  const hex = murmurhash3.x64.hash128(data, seed);
  return [BigInt(`0x${hex.slice(0, 16)}`), BigInt(`0x${hex.slice(16)}`)];
}

const inputs = fc.record({
  data: fc.uint8Array({ maxLength: 80 }),
  seed: fc.nat({ max: 0xffffffff }),
});

describe("murmur3 x64-128", () => {
  it("gives the published MurmurHash3_x64_128 value for 'hello' with seed 0", () => {
    const hello = new TextEncoder().encode("hello");
    const expected: [bigint, bigint] = [0xcbd8a7b341bd9b02n, 0x5b1e906a48ae1d19n];
    expect(murmur3Hash128(hello, 0)).toEqual(expected);
    expect(wasmHash(hello, 0)).toEqual(expected);
  });

  it("reference equals murmurhash3js-revisited on random inputs and seeds", () => {
    fc.assert(
      fc.property(inputs, ({ data, seed }) => {
        expect(murmur3Hash128(data, seed)).toEqual(peerHash(data, seed));
      }),
      { numRuns: runs(3000) },
    );
  });

  it("Wasm equals murmurhash3js-revisited on random inputs and seeds", () => {
    fc.assert(
      fc.property(inputs, ({ data, seed }) => {
        expect(wasmHash(data, seed)).toEqual(peerHash(data, seed));
      }),
      { numRuns: runs(3000) },
    );
  });

  it("covers every tail length 0..47", () => {
    for (let len = 0; len < 48; len++) {
      const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
      expect(wasmHash(data, 0x24b7ef82)).toEqual(peerHash(data, 0x24b7ef82));
    }
  });
});

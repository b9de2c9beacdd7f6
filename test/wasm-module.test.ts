import { describe, expect, it } from "vitest";
import { HOST_ABI_VERSION, loadWasm } from "../src/wasm/module.js";

describe("Wasm module", () => {
  it("loads with the ABI version the host expects", async () => {
    const wasm = await loadWasm();
    expect(wasm.constant("ABI_VERSION")).toBe(HOST_ABI_VERSION);
  });

  it("gives independent instances their own memory", async () => {
    const a = await loadWasm();
    const b = await loadWasm();
    const pa = a.scratch(64);
    a.bytes[pa] = 42;
    const pb = b.scratch(64);
    expect(b.bytes[pb]).not.toBe(42);
    expect(a.exports.memory).not.toBe(b.exports.memory);
  });

  it("grows the scratch area on demand and the views follow the memory", async () => {
    const wasm = await loadWasm();
    const big = wasm.scratch(64 << 20);
    wasm.bytes[big + (64 << 20) - 1] = 7;
    expect(wasm.view.getUint8(big + (64 << 20) - 1)).toBe(7);
  });
});

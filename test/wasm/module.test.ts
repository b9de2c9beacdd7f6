import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildMaglevTable, buildMaglevTableSync } from "../../src/lb/maglev.js";
import { HOST_ABI_VERSION, loadWasm, setDefaultWasmSource } from "../../src/wasm/module.js";

const PACKAGED = new URL("../../build/dpemu.wasm", import.meta.url);

describe("Wasm module", () => {
  it("loads with the ABI version the host expects", async () => {
    const wasm = await loadWasm();
    expect(wasm.constant("ABI_VERSION")).toBe(HOST_ABI_VERSION);
  });

  it("gives independent instances their own memory", async () => {
    const a = await loadWasm();
    const b = await loadWasm();
    const pa = a.scratch(64);
    a.memoryU8[pa] = 42;
    const pb = b.scratch(64);
    expect(b.memoryU8[pb]).not.toBe(42);
    expect(a.exports.memory).not.toBe(b.exports.memory);
  });

  it("grows the scratch area on demand and the views follow the memory", async () => {
    const wasm = await loadWasm();
    const big = wasm.scratch(64 << 20);
    wasm.memoryU8[big + (64 << 20) - 1] = 7;
    expect(wasm.memoryDataView.getUint8(big + (64 << 20) - 1)).toBe(7);
  });

  it("loads from what a browser page hands it: bytes, a compiled module, a Response", async () => {
    const bytes = new Uint8Array(readFileSync(PACKAGED));
    const module = await WebAssembly.compile(bytes);
    const response = new Response(bytes, { headers: { "content-type": "application/wasm" } });
    for (const source of [bytes, bytes.buffer, module, response]) {
      const wasm = await loadWasm(source);
      expect(wasm.constant("ABI_VERSION")).toBe(HOST_ABI_VERSION);
    }
  });

  it("uses the default source every loader without one uses, and recovers from a bad one", async () => {
    const backends = [1, 2, 3].map((id) => ({ address: `10.0.0.${id}`, port: 80, protocol: "TCP", id }));
    try {
      setDefaultWasmSource(new URL("file:///nonexistent/dpemu.wasm"));
      await expect(loadWasm()).rejects.toThrow(/dpemu Wasm module at \/nonexistent\/dpemu\.wasm/);
      setDefaultWasmSource(new Uint8Array(readFileSync(PACKAGED)));
      expect((await loadWasm()).constant("ABI_VERSION")).toBe(HOST_ABI_VERSION);
      expect(await buildMaglevTable(backends, { tableSize: 251 })).toEqual(
        buildMaglevTableSync(backends, { tableSize: 251 }),
      );
    } finally {
      setDefaultWasmSource(undefined);
    }
    expect((await loadWasm()).constant("ABI_VERSION")).toBe(HOST_ABI_VERSION);
  });
});

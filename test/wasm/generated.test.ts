// The host's view of the module is generated from the build (scripts/gen-wasm-host.mjs), so it cannot
// drift: the committed files must be what the current build/dpemu.wasm generates, and an instance's
// constants must be the ones the host's codec uses.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RECORD_LAYOUT } from "../../src/wasm/codec.js";
import { loadWasm } from "../../src/wasm/module.js";

describe("generated Wasm host files", () => {
  it("are what the current build generates (exports.generated.ts, layout.generated.ts)", () => {
    const script = fileURLToPath(new URL("../../scripts/gen-wasm-host.mjs", import.meta.url));
    const check = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("hold every exported constant of a live instance, with its value", async () => {
    const wasm = await loadWasm();
    const globals = Object.entries(wasm.exports).filter(
      ([name, value]) => value instanceof WebAssembly.Global && !name.startsWith("__"),
    );
    expect(
      Object.fromEntries(globals.map(([name, value]) => [name, Number((value as WebAssembly.Global).value)])),
    ).toEqual(RECORD_LAYOUT);
  });
});

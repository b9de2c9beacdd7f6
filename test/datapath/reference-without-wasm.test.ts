// The reference engine is the oracle of the Wasm engine, so it must not depend on it: here it runs
// with every way of loading WebAssembly made to throw in this process, and its verdicts, statistics
// and maps must equal those of the Wasm engine running the same workload in a child process.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runEngine } from "./engine-run.js";

const SEED = 20261203;
const PACKETS = 4096;
const LOADERS = ["compile", "compileStreaming", "instantiate", "instantiateStreaming", "validate"] as const;

describe("the reference engine without Wasm", () => {
  const calls: string[] = [];
  const RealModule = WebAssembly.Module;
  beforeAll(() => {
    for (const name of LOADERS) {
      vi.spyOn(WebAssembly, name).mockImplementation(() => {
        calls.push(name);
        throw new Error(`WebAssembly.${name} called by the reference engine`);
      });
    }
    WebAssembly.Module = function () {
      calls.push("Module");
      throw new Error("new WebAssembly.Module called by the reference engine");
    } as unknown as typeof WebAssembly.Module;
  });
  afterAll(() => {
    vi.restoreAllMocks();
    WebAssembly.Module = RealModule;
  });

  it(`agrees with the Wasm engine run in another process (seed ${SEED}, ${PACKETS} packets)`, async () => {
    console.log(`reference-without-wasm seed ${SEED}`);
    const reference = await runEngine("reference", SEED, PACKETS);
    expect(calls).toEqual([]);

    const script = fileURLToPath(new URL("./engine-run.ts", import.meta.url));
    const child = spawnSync(process.execPath, ["--import", "tsx", script, String(SEED), String(PACKETS)], {
      encoding: "utf8",
      maxBuffer: 256 << 20,
    });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const wasm = JSON.parse(child.stdout) as typeof reference;

    // The workload exercises the pipeline: translations, drops and Maglev selections all occur.
    const verdicts = reference.verdicts;
    expect(verdicts.filter((v) => v.verdict === "DROPPED").length).toBeGreaterThan(0);
    expect(verdicts.filter((v) => v.backendId !== 0).length).toBeGreaterThan(PACKETS / 10);
    expect(reference.maps["maglev"]?.length ?? 0).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(reference))).toEqual(wasm);
  });
});

// The Wasm boundary holds by construction: eslint rejects code outside src/wasm/ that reaches the
// module's memory or reads records byte by byte, and accepts the same code inside src/wasm/.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint();

async function restricted(code: string, file: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-syntax").length;
}

const OFFENDERS = [
  "export const f = (w: { memoryU8: Uint8Array }) => w.memoryU8[0];",
  "export const f = (w: { memoryDataView: DataView }) => w.memoryDataView;",
  "export const f = (i: { exports: { memory: { buffer: ArrayBuffer } } }) => i.exports.memory.buffer;",
  "export const f = (w: { scratch(n: number): number }) => w.scratch(4);",
  "export const f = (b: ArrayBuffer) => new DataView(b);",
  "export const f = (v: DataView, at: number) => v.getUint32(at + 12, true);",
  "export const f = () => WebAssembly.compile(new Uint8Array(8));",
];

describe("the Wasm boundary lint rule", () => {
  it.each(OFFENDERS)("rejects %s outside src/wasm/", async (code) => {
    expect(await restricted(code, "src/replay/offender.ts")).toBeGreaterThan(0);
  });

  it.each(OFFENDERS)("accepts %s inside src/wasm/", async (code) => {
    expect(await restricted(code, "src/wasm/inside.ts")).toBe(0);
  });

  it("lets the reference twin read its own map bytes, but not Wasm memory", async () => {
    expect(await restricted(OFFENDERS[5]!, "src/reference/datapath/own.ts")).toBe(0);
    expect(await restricted(OFFENDERS[0]!, "src/reference/datapath/own.ts")).toBeGreaterThan(0);
  });
});

// Shared test helpers for the BPF map tests: address parsing, and one factory per implementation
// so every behavioural test runs against the Wasm map and its TypeScript twin alike.
import { loadWasm, type WasmInstance } from "../../src/wasm/module.js";
import { WasmHashMap, WasmLpmMap } from "../../src/wasm/maps.js";
import { ReferenceLpmMap } from "../../src/reference/maps/lpm-map.js";
import { ReferenceHashMap } from "../../src/reference/maps/hash-map.js";
import type { HashMapLike, HashMapOptions, Ipv4Prefix, LpmMap, LpmMapOptions } from "../../src/maps/types.js";

/** Dotted quad to host-order u32. */
export function ip(dotted: string): number {
  const parts = dotted.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`bad IPv4 address ${dotted}`);
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** Host-order u32 to dotted quad. */
export function dotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join(".");
}

/** "10.0.0.0/8" to a prefix. */
export function cidr(text: string): Ipv4Prefix {
  const [address, length] = text.split("/");
  return { address: ip(address!), length: Number(length) };
}

export function showPrefix(prefix: Ipv4Prefix | undefined): string | undefined {
  return prefix && `${dotted(prefix.address)}/${prefix.length}`;
}

let shared: WasmInstance | undefined;

/** One module instance per test file is enough: every map has its own memory inside it. */
export async function wasmInstance(): Promise<WasmInstance> {
  shared ??= await loadWasm();
  return shared;
}

export const lpmImplementations: [string, (options: LpmMapOptions) => Promise<LpmMap>][] = [
  ["wasm", async (options) => WasmLpmMap.create(await wasmInstance(), options)],
  ["reference", async (options) => new ReferenceLpmMap(options)],
];

export const hashImplementations: [string, (options: HashMapOptions) => Promise<HashMapLike>][] = [
  ["wasm", async (options) => WasmHashMap.create(await wasmInstance(), options)],
  ["reference", async (options) => new ReferenceHashMap(options)],
];

/** A `size`-byte value whose first bytes encode `n` (little endian). */
export function valueOf(n: number, size: number): Uint8Array {
  const value = new Uint8Array(size);
  for (let i = 0; i < size && i < 4; i++) value[i] = (n >>> (8 * i)) & 0xff;
  return value;
}

/** Inverse of valueOf for sizes up to 4. */
export function numberOf(value: Uint8Array | undefined): number | undefined {
  if (value === undefined) return undefined;
  let n = 0;
  for (let i = Math.min(value.length, 4) - 1; i >= 0; i--) n = n * 256 + value[i]!;
  return n;
}

/** Key bytes from a list of numbers. */
export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

// Shared test helpers for the BPF map tests: address parsing, and one factory per implementation
// so every behavioural test runs against the Wasm map and its TypeScript twin alike.
import { formatIPv4, parseIPv4 } from "../../src/model/ipv4.js";
import { loadWasm, type WasmInstance } from "../../src/wasm/module.js";
import { WasmHashMap, WasmLpmMap } from "../../src/wasm/maps.js";
import { ReferenceLpmMap } from "../../src/reference/maps/lpm-trie.js";
import { ReferenceHashMap } from "../../src/reference/maps/hash-map.js";
import type { HashMapLike, HashMapOptions, Ipv4Prefix, LpmMap, LpmMapOptions } from "../../src/maps/types.js";

/** Dotted quad to host-order u32. */
export function ip(dotted: string): number {
  const address = parseIPv4(dotted);
  if (address === undefined) throw new Error(`bad IPv4 address ${dotted}`);
  return address;
}

/** Host-order u32 to dotted quad. */
export const dotted = formatIPv4;

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

// Argument checks shared by every map implementation. They reject what is a programming error on
// the caller's side (wrong buffer sizes, non-integer numbers) with a RangeError; values the kernel
// itself rejects (flags > 2, prefix length > 32) are not errors here: the maps answer -EINVAL.
import type { Ipv4Prefix } from "./types.js";

const U32_MAX = 0xffffffff;

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

export function checkAddress(address: number): void {
  if (!isU32(address)) throw new RangeError(`IPv4 address must be a u32 integer, got ${address}`);
}

export function checkPrefix(prefix: Ipv4Prefix): void {
  checkAddress(prefix.address);
  if (!isU32(prefix.length))
    throw new RangeError(`prefix length must be a u32 integer, got ${prefix.length}`);
}

export function checkFlags(flags: number): void {
  if (!isU32(flags)) throw new RangeError(`update flags must be a u32 integer, got ${flags}`);
}

export function checkBytes(what: string, bytes: Uint8Array, size: number): void {
  if (bytes.length !== size) throw new RangeError(`${what} must be ${size} bytes, got ${bytes.length}`);
}

/** Validates a map creation parameter: like the kernel, sizes and max_entries must be > 0. */
export function checkSize(name: string, value: number, limit: number): void {
  if (!Number.isInteger(value) || value < 1 || value > limit) {
    throw new RangeError(`${name} must be an integer in 1..${limit}, got ${value}`);
  }
}

/** Mask of a prefix length 0..32 as a host-order u32. */
export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** The prefix with its host bits cleared. */
export function canonicalPrefix(prefix: Ipv4Prefix): Ipv4Prefix {
  return { address: (prefix.address & prefixMask(prefix.length)) >>> 0, length: prefix.length };
}

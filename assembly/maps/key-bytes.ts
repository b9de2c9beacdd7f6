// The operations every hash-map lookup and insert performs on raw keys and values: hash, compare,
// copy, zero. Static @inline methods (a decorator TypeScript tooling accepts on methods, unlike on
// functions) so each call site gets them inlined, without a call in the lookup's dependency chain.
//
// Keys are read in pieces (a u64, then u32/u16/u8 as the size needs), never with a load that
// straddles the fields a key was just written with (the datapath writes tuples and service keys as
// u64/u32/u16 stores at these offsets), so the reads are forwarded from the store buffer instead of
// stalling until the stores retire.

export class KeyBytes {
  /** Whether the `size`-byte keys at `a` and `b` are equal. */
  @inline
  static equal(a: usize, b: usize, size: usize): bool {
    // The datapath's key sizes first (CT/NAT tuple, lb4 key, u32 ids and addresses): one
    // predictable branch, then straight-line loads.
    if (size == 14) {
      return (
        load<u64>(a) == load<u64>(b) &&
        load<u32>(a, 8) == load<u32>(b, 8) &&
        load<u16>(a, 12) == load<u16>(b, 12)
      );
    }
    if (size == 4) return load<u32>(a) == load<u32>(b);
    if (size == 12) return load<u64>(a) == load<u64>(b) && load<u32>(a, 8) == load<u32>(b, 8);
    if (size <= 8) return KeyBytes.pieces(a, size) == KeyBytes.pieces(b, size);
    if (size <= 16) {
      return (
        load<u64>(a) == load<u64>(b) && KeyBytes.pieces(a + 8, size - 8) == KeyBytes.pieces(b + 8, size - 8)
      );
    }
    // Longer keys eight bytes at a time, the last (possibly overlapping) eight included.
    const last = size - 8;
    for (let i: usize = 0; i < last; i += 8) {
      if (load<u64>(a + i) != load<u64>(b + i)) return false;
    }
    return load<u64>(a + last) == load<u64>(b + last);
  }

  /**
   * 32-bit index hash of a `size`-byte key. A key of up to 16 bytes (every BPF key the datapath
   * uses) is two words multiplied in parallel by odd constants and folded: the high halves of the
   * products carry every key bit, and the result is a position in a power-of-two table and a tag
   * compared before the key, so it needs spread, not cryptographic avalanche. Longer keys mix eight
   * bytes at a time and finish with Murmur3's 64-bit avalanche.
   */
  @inline
  static hash(ptr: usize, size: usize, seed: u64): u32 {
    if (size == 14) {
      const tail = (<u64>load<u32>(ptr, 8)) | ((<u64>load<u16>(ptr, 12)) << 32);
      return KeyBytes.fold(load<u64>(ptr), tail, seed ^ (14 * 0x9e3779b97f4a7c15));
    }
    if (size == 4) return KeyBytes.hashU32(load<u32>(ptr), seed);
    if (size == 12)
      return KeyBytes.fold(load<u64>(ptr), <u64>load<u32>(ptr, 8), seed ^ (12 * 0x9e3779b97f4a7c15));
    let h = seed ^ (<u64>size * 0x9e3779b97f4a7c15);
    if (size <= 16) {
      let first: u64;
      let last: u64;
      if (size > 8) {
        first = load<u64>(ptr);
        last = KeyBytes.pieces(ptr + 8, size - 8);
      } else {
        first = KeyBytes.pieces(ptr, size);
        last = first;
      }
      return KeyBytes.fold(first, last, h);
    }
    const last = size - 8;
    for (let i: usize = 0; i < last; i += 8) h = KeyBytes.mixWord(h, load<u64>(ptr + i));
    h = KeyBytes.mixWord(h, load<u64>(ptr + last));
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccd;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53;
    h ^= h >>> 33;
    return <u32>h;
  }

  /**
   * Copies `n` bytes (a key or a value) with loads and stores in the pieces above. V8 compiles
   * memory.copy to a call into the runtime, which costs more than copying a small record.
   */
  @inline
  static copy(dst: usize, src: usize, n: usize): void {
    if (n > 64) {
      memory.copy(dst, src, n);
      return;
    }
    for (; n >= 8; n -= 8, dst += 8, src += 8) store<u64>(dst, load<u64>(src));
    if (n >= 4) {
      store<u32>(dst, load<u32>(src));
      dst += 4;
      src += 4;
      n -= 4;
    }
    if (n >= 2) {
      store<u16>(dst, load<u16>(src));
      dst += 2;
      src += 2;
      n -= 2;
    }
    if (n != 0) store<u8>(dst, load<u8>(src));
  }

  /** hash() of a 4-byte key given as its value (so a lookup need not store it first). */
  @inline
  static hashU32(key: u32, seed: u64): u32 {
    return KeyBytes.fold(<u64>key, <u64>key, seed ^ (4 * 0x9e3779b97f4a7c15));
  }

  /** Zeroes a record of `n` bytes, a multiple of 8 (memory.fill is a runtime call, as above). */
  @inline
  static zero(dst: usize, n: usize): void {
    for (let i: usize = 0; i < n; i += 8) store<u64>(dst + i, 0);
  }

  /** The `n` (1..8) bytes at `ptr` as a little-endian integer: a u32, u16 and u8 piece as needed. */
  @inline
  private static pieces(ptr: usize, n: usize): u64 {
    let v: u64 = 0;
    let at: usize = 0;
    if (n >= 4) {
      v = <u64>load<u32>(ptr);
      at = 4;
      if (n == 8) return v | ((<u64>load<u32>(ptr, 4)) << 32);
    }
    if (n - at >= 2) {
      v |= (<u64>load<u16>(ptr + at)) << ((<u64>at) << 3);
      at += 2;
    }
    if (n > at) v |= (<u64>load<u8>(ptr + at)) << ((<u64>at) << 3);
    return v;
  }

  /** The hash of a key of at most 16 bytes read as a head and a tail word (h: seed and size). */
  @inline
  private static fold(first: u64, last: u64, h: u64): u32 {
    const x = ((first ^ h) * 0x87c37b91114253d5) ^ rotl<u64>((last + h) * 0x4cf5ad432745937f, 32);
    return <u32>(x ^ (x >>> 32));
  }

  @inline
  private static mixWord(h: u64, word: u64): u64 {
    return rotl<u64>(h ^ (word * 0x87c37b91114253d5), 31) * 0x4cf5ad432745937f;
  }
}

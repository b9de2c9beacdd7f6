// Minimal typing of the dev dependency used as an independent MurmurHash3 implementation.
declare module "murmurhash3js-revisited" {
  interface Hash128 {
    /** Hex string of h1 (16 digits) followed by h2 (16 digits). */
    hash128(bytes: ArrayLike<number>, seed?: number): string;
  }
  const murmurhash3: { x64: Hash128; x86: Hash128 };
  export default murmurhash3;
}

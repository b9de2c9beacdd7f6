// Cilium's cluster-wide Maglev hash seed (`bpf-lb-maglev-hash-seed`, pkg/maglev UserConfig.ToConfig):
// base64 (Go's StdEncoding) of exactly 12 bytes. Each 4-byte group is read big-endian:
// bytes 0-3 seed murmur3 for the table build, 4-7 the IPv4 tuple hash (hash_init4_seed),
// 8-11 the IPv6 tuple hash (hash_init6_seed).
import { InvalidInputError } from "./errors.js";

/** Cilium's default seed (pkg/maglev DefaultHashSeed). */
export const DEFAULT_MAGLEV_SEED = "JLfvgnHc2kaSUFaI";

/** A parsed cluster hash seed (bpf-lb-maglev-hash-seed): the text and the seeds derived from it. */
export interface ClusterSeed {
  /** The base64 text as given. */
  readonly text: string;
  /** SeedMurmur: murmur3 seed for the Maglev table build. */
  readonly murmur: number;
  /** SeedJhash0: jhash initval of the IPv4 tuple hash. */
  readonly jhashV4: number;
  /** SeedJhash1: jhash initval of the IPv6 tuple hash. */
  readonly jhashV6: number;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes padded standard base64 as Go's base64.StdEncoding does (CR and LF are ignored). */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\r\n]/g, "");
  if (clean.length % 4 !== 0) {
    throw new InvalidInputError(`not valid base64: length ${clean.length} is not a multiple of 4`);
  }
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((clean.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let group = 0;
    for (let k = 0; k < 4; k++) {
      const at = i + k;
      const ch = clean[at]!;
      const isPadding = at >= clean.length - padding;
      const value = isPadding ? 0 : ALPHABET.indexOf(ch);
      if (value < 0 || (ch === "=" && !isPadding)) {
        throw new InvalidInputError(
          `not valid base64: unexpected character ${JSON.stringify(ch)} at position ${at + 1}`,
        );
      }
      group = (group << 6) | value;
    }
    for (let k = 2; k >= 0 && out < bytes.length; k--) {
      bytes[out++] = (group >>> (k * 8)) & 0xff;
    }
  }
  return bytes;
}

/** Parses a cluster seed; bad base64 or a length other than 12 bytes is an InvalidInputError. */
export function parseClusterSeed(text: string = DEFAULT_MAGLEV_SEED): ClusterSeed {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (err) {
    throw new InvalidInputError(
      `invalid Maglev hash seed ${JSON.stringify(text)}: ${(err as Error).message}`,
    );
  }
  if (bytes.length !== 12) {
    throw new InvalidInputError(
      `invalid Maglev hash seed ${JSON.stringify(text)}: decodes to ${bytes.length} bytes, expected 12 (base64 of 12 bytes is 16 characters)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    text,
    murmur: view.getUint32(0, false),
    jhashV4: view.getUint32(4, false),
    jhashV6: view.getUint32(8, false),
  };
}

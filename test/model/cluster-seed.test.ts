import { describe, expect, it } from "vitest";
import { DEFAULT_MAGLEV_SEED, decodeBase64, parseClusterSeed } from "../../src/model/cluster-seed.js";
import { InvalidInputError } from "../../src/model/errors.js";

describe("cluster seed", () => {
  it("splits Cilium's default seed into big-endian words", () => {
    expect(DEFAULT_MAGLEV_SEED).toBe("JLfvgnHc2kaSUFaI");
    expect(Array.from(decodeBase64(DEFAULT_MAGLEV_SEED))).toEqual([
      0x24, 0xb7, 0xef, 0x82, 0x71, 0xdc, 0xda, 0x46, 0x92, 0x50, 0x56, 0x88,
    ]);
    const seed = parseClusterSeed();
    expect(seed.murmur).toBe(0x24b7ef82);
    expect(seed.jhashV4).toBe(0x71dcda46);
    expect(seed.jhashV6).toBe(0x92505688);
  });

  it("reads each group as d[0]<<24 | d[1]<<16 | d[2]<<8 | d[3]", () => {
    // bytes 01 02 03 04 | 05 06 07 08 | 09 0a 0b 0c
    const seed = parseClusterSeed("AQIDBAUGBwgJCgsM");
    expect([seed.murmur, seed.jhashV4, seed.jhashV6]).toEqual([0x01020304, 0x05060708, 0x090a0b0c]);
  });

  it("decodes padded base64 like Go's StdEncoding", () => {
    expect(new TextDecoder().decode(decodeBase64("aGVsbG8="))).toBe("hello");
    expect(new TextDecoder().decode(decodeBase64("aGk="))).toBe("hi");
    expect(new TextDecoder().decode(decodeBase64("aGk+\r\n"))).toBe("hi>");
  });

  it("rejects a 16-byte seed (the old 2020 default) with the byte count", () => {
    expect(() => parseClusterSeed("FYJf2hrSynYxcZrkMWTGYA==")).toThrow(/decodes to 16 bytes, expected 12/);
  });

  it.each(["JLfvgnHc2kaSUFa!", "JLfvgnHc2kaSUFa", "JLfv=nHc2kaSUFaI", "JLfvgnHc 2kaSUFaI"])(
    "rejects bad base64 %j with an InvalidInputError naming the seed",
    (text) => {
      expect(() => parseClusterSeed(text)).toThrow(InvalidInputError);
      expect(() => parseClusterSeed(text)).toThrow(/invalid Maglev hash seed .*not valid base64/);
    },
  );
});

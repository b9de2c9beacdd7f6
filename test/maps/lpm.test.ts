// Edge cases of the IPv4 LPM map, run against the Wasm trie and its TypeScript twin alike.
import { describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  EEXIST,
  EINVAL,
  ENOENT,
  ENOSPC,
  type BpfUpdateFlag,
  type LpmMap,
} from "../../src/maps/types.js";
import { cidr, ip, lpmImplementations, numberOf, showPrefix, valueOf } from "./helpers.js";

/** Value of the longest prefix covering `address`, as the number it was stored with. */
function matchOf(map: LpmMap, address: string): number | undefined {
  return numberOf(map.lookup(ip(address))?.value);
}

function put(map: LpmMap, prefix: string, n: number, flags: BpfUpdateFlag = BPF_ANY): number {
  return map.update(cidr(prefix), valueOf(n, 4), flags);
}

describe.each(lpmImplementations)("LPM map (%s)", (_name, create) => {
  const make = (maxEntries = 1024) => create({ valueSize: 4, maxEntries });

  it("matches nothing when empty, everything under /0", async () => {
    const map = await make();
    expect(map.lookup(ip("10.0.0.1"))).toBeUndefined();
    expect(put(map, "0.0.0.0/0", 1)).toBe(0);
    for (const address of ["0.0.0.0", "10.0.0.1", "128.0.0.0", "255.255.255.255"]) {
      expect(map.lookup(ip(address))).toEqual({ prefix: cidr("0.0.0.0/0"), value: valueOf(1, 4) });
    }
  });

  it("matches a /32 only at its own address, including both ends of the address space", async () => {
    const map = await make();
    put(map, "0.0.0.0/32", 1);
    put(map, "255.255.255.255/32", 2);
    put(map, "10.1.2.3/32", 3);
    expect(matchOf(map, "0.0.0.0")).toBe(1);
    expect(matchOf(map, "0.0.0.1")).toBeUndefined();
    expect(matchOf(map, "255.255.255.255")).toBe(2);
    expect(matchOf(map, "255.255.255.254")).toBeUndefined();
    expect(matchOf(map, "10.1.2.3")).toBe(3);
    expect(matchOf(map, "10.1.2.2")).toBeUndefined();
    expect(matchOf(map, "10.1.2.4")).toBeUndefined();
  });

  it("picks the longest of nested prefixes, at and between the table levels", async () => {
    const map = await make();
    const nested = ["0.0.0.0/0", "10.0.0.0/8", "10.16.0.0/12", "10.20.0.0/16", "10.20.0.0/17"];
    const deeper = ["10.20.16.0/20", "10.20.16.0/24", "10.20.16.0/25", "10.20.16.0/30", "10.20.16.1/32"];
    [...nested, ...deeper].forEach((prefix, i) => expect(put(map, prefix, i)).toBe(0));
    expect(showPrefix(map.lookup(ip("11.0.0.0"))?.prefix)).toBe("0.0.0.0/0");
    expect(showPrefix(map.lookup(ip("10.15.255.255"))?.prefix)).toBe("10.0.0.0/8");
    expect(showPrefix(map.lookup(ip("10.31.0.0"))?.prefix)).toBe("10.16.0.0/12");
    expect(showPrefix(map.lookup(ip("10.20.128.0"))?.prefix)).toBe("10.20.0.0/16");
    expect(showPrefix(map.lookup(ip("10.20.127.255"))?.prefix)).toBe("10.20.0.0/17");
    expect(showPrefix(map.lookup(ip("10.20.31.255"))?.prefix)).toBe("10.20.16.0/20");
    expect(showPrefix(map.lookup(ip("10.20.16.255"))?.prefix)).toBe("10.20.16.0/24");
    expect(showPrefix(map.lookup(ip("10.20.16.127"))?.prefix)).toBe("10.20.16.0/25");
    expect(showPrefix(map.lookup(ip("10.20.16.3"))?.prefix)).toBe("10.20.16.0/30");
    expect(showPrefix(map.lookup(ip("10.20.16.1"))?.prefix)).toBe("10.20.16.1/32");
  });

  it("does not let a shorter prefix inserted later shadow longer ones", async () => {
    const map = await make();
    put(map, "192.168.1.7/32", 32);
    put(map, "192.168.1.0/24", 24);
    put(map, "192.168.0.0/16", 16);
    put(map, "0.0.0.0/0", 0);
    expect(matchOf(map, "192.168.1.7")).toBe(32);
    expect(matchOf(map, "192.168.1.8")).toBe(24);
    expect(matchOf(map, "192.168.2.1")).toBe(16);
    expect(matchOf(map, "192.169.0.0")).toBe(0);
  });

  it("keeps overlapping siblings apart", async () => {
    const map = await make();
    put(map, "10.0.0.0/9", 1);
    put(map, "10.128.0.0/9", 2);
    put(map, "10.127.255.0/24", 3);
    expect(matchOf(map, "10.127.254.255")).toBe(1);
    expect(matchOf(map, "10.127.255.0")).toBe(3);
    expect(matchOf(map, "10.128.0.0")).toBe(2);
  });

  it("re-exposes the next shorter prefix when a covering prefix is deleted", async () => {
    const map = await make();
    for (const [prefix, n] of [
      ["0.0.0.0/0", 0],
      ["172.20.0.0/16", 16],
      ["172.20.1.0/24", 24],
      ["172.20.1.126/32", 32],
    ] as const) {
      put(map, prefix, n);
    }
    expect(map.delete(cidr("172.20.1.0/24"))).toBe(0);
    expect(matchOf(map, "172.20.1.1")).toBe(16);
    expect(matchOf(map, "172.20.1.126")).toBe(32);
    expect(map.delete(cidr("172.20.0.0/16"))).toBe(0);
    expect(matchOf(map, "172.20.1.1")).toBe(0);
    expect(matchOf(map, "172.20.1.126")).toBe(32);
    expect(map.delete(cidr("172.20.1.126/32"))).toBe(0);
    expect(matchOf(map, "172.20.1.126")).toBe(0);
    expect(map.delete(cidr("0.0.0.0/0"))).toBe(0);
    expect(map.lookup(ip("172.20.1.126"))).toBeUndefined();
    expect(map.count).toBe(0);
  });

  it("deleting a long prefix leaves covering and neighbouring prefixes intact", async () => {
    const map = await make();
    put(map, "10.0.0.0/8", 8);
    put(map, "10.0.0.0/25", 25);
    put(map, "10.0.0.128/25", 125);
    expect(map.delete(cidr("10.0.0.0/25"))).toBe(0);
    expect(matchOf(map, "10.0.0.1")).toBe(8);
    expect(matchOf(map, "10.0.0.129")).toBe(125);
    put(map, "10.0.0.0/25", 250);
    expect(matchOf(map, "10.0.0.1")).toBe(250);
  });

  it("applies BPF_ANY, BPF_NOEXIST and BPF_EXIST like the kernel", async () => {
    const map = await make();
    expect(put(map, "10.0.0.0/8", 1, BPF_EXIST)).toBe(-ENOENT);
    expect(map.count).toBe(0);
    expect(put(map, "10.0.0.0/8", 2, BPF_NOEXIST)).toBe(0);
    expect(put(map, "10.0.0.0/8", 3, BPF_NOEXIST)).toBe(-EEXIST);
    expect(matchOf(map, "10.0.0.1")).toBe(2);
    expect(put(map, "10.0.0.0/8", 4, BPF_EXIST)).toBe(0);
    expect(matchOf(map, "10.0.0.1")).toBe(4);
    expect(put(map, "10.0.0.0/8", 5, BPF_ANY)).toBe(0);
    expect(put(map, "11.0.0.0/8", 6, BPF_ANY)).toBe(0);
    expect(matchOf(map, "10.0.0.1")).toBe(5);
    expect(map.count).toBe(2);
  });

  it("answers -EINVAL to unknown flags and prefix lengths above 32, changing nothing", async () => {
    const map = await make();
    expect(map.update(cidr("10.0.0.0/8"), valueOf(1, 4), 3 as BpfUpdateFlag)).toBe(-EINVAL);
    expect(map.update({ address: ip("10.0.0.0"), length: 33 }, valueOf(1, 4))).toBe(-EINVAL);
    expect(map.delete({ address: ip("10.0.0.0"), length: 33 })).toBe(-EINVAL);
    expect(map.count).toBe(0);
  });

  it("rejects malformed arguments with a RangeError", async () => {
    const map = await make();
    expect(() => map.update(cidr("10.0.0.0/8"), new Uint8Array(3))).toThrow(RangeError);
    expect(() => map.update({ address: -1, length: 8 }, valueOf(1, 4))).toThrow(RangeError);
    expect(() => map.update({ address: 2 ** 32, length: 8 }, valueOf(1, 4))).toThrow(RangeError);
    expect(() => map.update({ address: 0, length: 1.5 }, valueOf(1, 4))).toThrow(RangeError);
    expect(() => map.lookup(0.5)).toThrow(RangeError);
    await expect(create({ valueSize: 0, maxEntries: 1 })).rejects.toThrow(RangeError);
    await expect(create({ valueSize: 4, maxEntries: 0 })).rejects.toThrow(RangeError);
    await expect(create({ valueSize: 4, maxEntries: 2 ** 24 })).rejects.toThrow(RangeError);
  });

  it("deletes exact prefixes only", async () => {
    const map = await make();
    put(map, "10.0.0.0/8", 1);
    expect(map.delete(cidr("10.0.0.0/9"))).toBe(-ENOENT);
    expect(map.delete(cidr("10.0.0.0/7"))).toBe(-ENOENT);
    expect(map.delete(cidr("11.0.0.0/8"))).toBe(-ENOENT);
    expect(map.count).toBe(1);
    expect(map.delete(cidr("10.0.0.0/8"))).toBe(0);
    expect(map.delete(cidr("10.0.0.0/8"))).toBe(-ENOENT);
  });

  it("ignores host bits beyond the prefix length in keys", async () => {
    const map = await make();
    expect(put(map, "10.1.2.3/24", 7)).toBe(0);
    expect(numberOf(map.get(cidr("10.1.2.0/24")))).toBe(7);
    expect(numberOf(map.get(cidr("10.1.2.200/24")))).toBe(7);
    expect(put(map, "10.1.2.99/24", 8, BPF_NOEXIST)).toBe(-EEXIST);
    expect(map.lookup(ip("10.1.2.3"))?.prefix).toEqual(cidr("10.1.2.0/24"));
    expect([...map.entries()].map((e) => showPrefix(e.prefix))).toEqual(["10.1.2.0/24"]);
    expect(map.delete(cidr("10.1.2.255/24"))).toBe(0);
  });

  it("gets exact prefixes without longest-prefix fallback", async () => {
    const map = await make();
    put(map, "10.0.0.0/8", 8);
    expect(numberOf(map.get(cidr("10.0.0.0/8")))).toBe(8);
    expect(map.get(cidr("10.0.0.0/16"))).toBeUndefined();
    expect(map.get(cidr("10.0.0.0/32"))).toBeUndefined();
  });

  it("fails a new prefix in a full map with -ENOSPC but still replaces existing ones", async () => {
    const map = await make(3);
    expect(put(map, "10.0.0.0/8", 1)).toBe(0);
    expect(put(map, "10.0.0.0/16", 2)).toBe(0);
    expect(put(map, "10.0.0.0/24", 3)).toBe(0);
    expect(put(map, "10.0.0.0/32", 4)).toBe(-ENOSPC);
    expect(put(map, "10.0.0.0/32", 4, BPF_NOEXIST)).toBe(-ENOSPC);
    expect(put(map, "10.0.0.0/32", 4, BPF_EXIST)).toBe(-ENOENT);
    expect(put(map, "10.0.0.0/24", 5, BPF_NOEXIST)).toBe(-EEXIST);
    expect(put(map, "10.0.0.0/24", 6)).toBe(0);
    expect(matchOf(map, "10.0.0.1")).toBe(6);
    expect(map.count).toBe(3);
    expect(map.delete(cidr("10.0.0.0/8"))).toBe(0);
    expect(put(map, "10.0.0.0/32", 7)).toBe(0);
    expect(matchOf(map, "10.0.0.0")).toBe(7);
  });

  it("iterates in (address, length) order with a cursor that need not be present", async () => {
    const map = await make();
    const inserted = [
      "172.20.1.0/24",
      "0.0.0.0/0",
      "10.0.0.0/8",
      "10.0.0.0/32",
      "10.0.0.0/16",
      "255.255.255.255/32",
    ];
    inserted.forEach((prefix, i) => put(map, prefix, i));
    const order = [
      "0.0.0.0/0",
      "10.0.0.0/8",
      "10.0.0.0/16",
      "10.0.0.0/32",
      "172.20.1.0/24",
      "255.255.255.255/32",
    ];
    expect([...map.entries()].map((e) => showPrefix(e.prefix))).toEqual(order);
    expect(showPrefix(map.nextKey())).toBe("0.0.0.0/0");
    expect(showPrefix(map.nextKey(cidr("10.0.0.0/8")))).toBe("10.0.0.0/16");
    expect(showPrefix(map.nextKey(cidr("10.0.0.0/12")))).toBe("10.0.0.0/16");
    expect(showPrefix(map.nextKey(cidr("10.0.0.0/32")))).toBe("172.20.1.0/24");
    expect(showPrefix(map.nextKey(cidr("100.0.0.0/8")))).toBe("172.20.1.0/24");
    expect(map.nextKey(cidr("255.255.255.255/32"))).toBeUndefined();
    expect([...map.entries()].map((e) => numberOf(e.value))).toEqual([1, 2, 4, 3, 0, 5]);
  });

  it("iterates correctly while entries are deleted and added", async () => {
    const map = await make();
    for (let i = 0; i < 20; i++) put(map, `10.0.${i}.0/24`, i);
    const seen: string[] = [];
    for (let key = map.nextKey(); key !== undefined; key = map.nextKey(key)) {
      seen.push(showPrefix(key)!);
      expect(map.delete(key)).toBe(0);
      if (key.address === ip("10.0.10.0")) put(map, "10.0.15.128/25", 99);
    }
    expect(seen).toContain("10.0.15.128/25");
    expect(seen).toHaveLength(21);
    expect(map.count).toBe(0);
  });

  it("answers a batch lookup as the same single lookups", async () => {
    const map = await make();
    put(map, "0.0.0.0/0", 0);
    put(map, "10.0.0.0/8", 8);
    put(map, "10.1.1.0/24", 24);
    put(map, "10.1.1.1/32", 32);
    const addresses = ["10.1.1.1", "10.1.1.2", "10.2.0.0", "9.9.9.9", "255.255.255.255"].map(ip);
    expect(map.lookupBatch(addresses).map(numberOf)).toEqual([32, 24, 8, 0, 0]);
    expect(map.lookupBatch(Uint32Array.from(addresses))).toEqual(addresses.map((a) => map.lookup(a)?.value));
    expect(map.delete(cidr("0.0.0.0/0"))).toBe(0);
    expect(map.lookupBatch([ip("9.9.9.9"), ip("10.0.0.1")]).map(numberOf)).toEqual([undefined, 8]);
    expect(map.lookupBatch([])).toEqual([]);
  });

  it("returns copies of values, unaffected by later updates", async () => {
    const map = await make();
    const value = valueOf(1, 4);
    map.update(cidr("10.0.0.0/8"), value);
    value[0] = 99;
    const first = map.lookup(ip("10.0.0.1"))!.value;
    put(map, "10.0.0.0/8", 2);
    expect(numberOf(first)).toBe(1);
    expect(matchOf(map, "10.0.0.1")).toBe(2);
  });
});

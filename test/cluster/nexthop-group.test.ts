// ECMP next-hop selection as Linux does it: hash-threshold bounds and resilient buckets, with the
// seeded multipath hash.
import { describe, expect, it } from "vitest";
import { NexthopGroup } from "../../src/cluster/nexthop-group.js";
import { multipathHash } from "../../src/cluster/ecmp-hash.js";

const three = [
  { node: "a", weight: 1 },
  { node: "b", weight: 1 },
  { node: "c", weight: 1 },
];

describe("next-hop groups", () => {
  it("hash-threshold gives each next hop a weight-proportional range of the 31-bit hash", () => {
    const g = new NexthopGroup("hash-threshold", three);
    // Bounds round((w << 31) / total) - 1: 715827882, 1431655764, 2147483647.
    expect(g.select(715827882)).toEqual({ node: "a", bucket: 0, buckets: 3 });
    expect(g.select(715827883)?.node).toBe("b");
    expect(g.select(1431655765)?.node).toBe("c");
    expect(g.select(2 ** 31 - 1)?.node).toBe("c");
    const weighted = new NexthopGroup("hash-threshold", [
      { node: "a", weight: 3 },
      { node: "b", weight: 1 },
    ]);
    expect(weighted.select(Math.round(0.74 * 2 ** 31))?.node).toBe("a");
    expect(weighted.select(Math.round(0.76 * 2 ** 31))?.node).toBe("b");
  });

  it("spreads flows evenly under both hash policies, and L3 ignores ports", () => {
    const g = new NexthopGroup("hash-threshold", three);
    for (const policy of ["l3", "l4"] as const) {
      const counts = new Map<string, number>();
      for (let i = 0; i < 30000; i++) {
        const saddr = policy === "l3" ? 0x0a000000 + i : 0x0a000001;
        const node = g.select(multipathHash(policy, 7, saddr, 0xac100101, 1024 + i, 80, 6))!.node;
        counts.set(node, (counts.get(node) ?? 0) + 1);
      }
      for (const n of counts.values()) expect(Math.abs(n - 10000)).toBeLessThan(600);
    }
    expect(multipathHash("l3", 7, 1, 2, 3, 4, 6)).toBe(multipathHash("l3", 7, 1, 2, 999, 4, 17));
    expect(multipathHash("l4", 7, 1, 2, 3, 4, 6)).not.toBe(multipathHash("l4", 7, 1, 2, 999, 4, 6));
    expect(multipathHash("l3", 7, 1, 2, 3, 4, 6)).not.toBe(multipathHash("l3", 8, 1, 2, 3, 4, 6));
    expect(multipathHash("l4", 7, 1, 2, 3, 4, 6)).toBeLessThan(2 ** 31);
  });

  it("removing a path: hash-threshold moves flows of survivors too, resilient only the removed path's", () => {
    const moved = (type: "hash-threshold" | "resilient") => {
      const g = new NexthopGroup(type, three);
      const hashes = Array.from({ length: 20000 }, (_, i) =>
        multipathHash("l4", 1, 0x0a000001, 0xac100101, i, 80, 6),
      );
      const before = hashes.map((h) => g.select(h)!.node);
      g.setMembers(three.filter((m) => m.node !== "c"));
      const after = hashes.map((h) => g.select(h)!.node);
      const survivorsMoved = before.filter((n, i) => n !== "c" && n !== after[i]).length;
      return {
        survivorsMoved,
        onC: before.filter((n) => n === "c").length,
        left: after.filter((n) => n === "c").length,
      };
    };
    const hthr = moved("hash-threshold");
    const res = moved("resilient");
    expect(hthr.left).toBe(0);
    expect(res.left).toBe(0);
    // Removing the last of three: b's [1/3, 1/2) share moves to a, about 1/6 of all flows.
    expect(hthr.survivorsMoved / 20000).toBeGreaterThan(0.14);
    expect(hthr.survivorsMoved / 20000).toBeLessThan(0.19);
    expect(res.survivorsMoved).toBe(0);
  });

  it("a resilient group that regains a path takes back only that path's share of buckets", () => {
    const g = new NexthopGroup("resilient", three, 120);
    const owner = () => Array.from({ length: 120 }, (_, b) => g.select(b)!.node);
    const start = owner();
    expect(start.filter((n) => n === "a")).toHaveLength(40);
    g.setMembers(three.slice(0, 2));
    const two = owner();
    expect(two.filter((n) => n === "a")).toHaveLength(60);
    expect(two.filter((n, b) => start[b] !== "c" && n !== start[b])).toHaveLength(0);
    g.setMembers(three);
    const back = owner();
    expect(back.filter((n) => n === "c")).toHaveLength(40);
    expect(back.filter((n, b) => n !== two[b])).toHaveLength(40);
    expect(() => new NexthopGroup("resilient", three, 0)).toThrow(/buckets must be 1..65535/);
    expect(new NexthopGroup("hash-threshold", []).select(5)).toBeUndefined();
  });
});

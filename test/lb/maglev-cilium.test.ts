// Cilium's own pkg/maglev/maglev_test.go expectations and the reference doc's Appendix A values,
// reproduced through the public API (Wasm) and the TS reference.
import { describe, expect, it } from "vitest";
import { buildMaglevTable, buildMaglevTableSync, type MaglevBackend } from "../../src/index.js";
import { maglevBuild } from "../../src/reference/lb/maglev.js";
import { offsetAndSkip } from "../../src/reference/lb/maglev.js";
import { murmur3Hash128 } from "../../src/reference/hash/murmur3.js";
import { parseClusterSeed } from "../../src/model/cluster-seed.js";
import { formatIPv4 } from "../../src/model/ipv4.js";

/** Cilium's test helper mkAddr(i): IPv4 from big-endian u32 i, port i % 65535, TCP. */
const mkAddr = (i: number) => ({
  address: formatIPv4(i),
  port: i % 65535,
  protocol: "TCP",
});

/** Cilium's runLengthEncodeIDs: "<id>(<count>),...". */
function runLengthEncode(ids: Uint32Array): string {
  const runs: string[] = [];
  let current = ids[0];
  let count = 0;
  for (const id of ids) {
    if (id === current) count++;
    else {
      runs.push(`${current}(${count})`);
      current = id;
      count = 1;
    }
  }
  runs.push(`${current}(${count})`);
  return runs.join(",");
}

function counts(table: Uint32Array): Map<number, number> {
  const result = new Map<number, number>();
  for (const id of table) result.set(id, (result.get(id) ?? 0) + 1);
  return result;
}

async function bothBuilds(backends: MaglevBackend[], tableSize: number): Promise<Uint32Array> {
  const wasm = await buildMaglevTable(backends, { tableSize });
  expect(wasm).toEqual(buildMaglevTableSync(backends, { tableSize }));
  return wasm;
}

describe("Cilium pkg/maglev tests", () => {
  it("TestReproducible: M=251, weights 2/13/111/10, same run-length encoding", async () => {
    const expected =
      "2(5),3(1),2(3),1(1),2(2),0(1),2(1),3(1),2(1),3(1),2(1),1(1),2(7),1(1),2(14),3(1),2(1)," +
      "1(2),2(12),3(1),2(3),1(1),2(4),3(1),2(8),3(1),2(2),1(1),2(16),1(2),2(3),3(1),2(11),1(2),2(4),3(1),2(3)," +
      "1(1),2(4),3(1),2(1),0(1),1(1),2(8),1(1),2(7),1(1),2(4),3(1),2(1),3(1),2(9),1(2),2(5),1(1),2(7),3(1),2(1)," +
      "3(1),1(1),2(8),1(1),2(4),0(1),2(1),1(1),2(5),3(1),2(3),1(1),2(4),3(1),2(3),1(1),2(12),0(1),3(1),2(3),3(1)," +
      "2(4),3(1),2(2),1(1),2(7)";
    const backends = [
      { ...mkAddr(1), weight: 2, id: 0 },
      { ...mkAddr(3), weight: 13, id: 1 },
      { ...mkAddr(4), weight: 111, id: 2 },
      { ...mkAddr(5), weight: 10, id: 3 },
    ];
    expect(runLengthEncode(await bothBuilds(backends, 251))).toBe(expected);
  });

  it("TestWeightedBackendWithRemoval: counts 16/98/832/75 and < 1% churn when backend 1 goes", async () => {
    const backends = [
      { ...mkAddr(1), weight: 2, id: 1 },
      { ...mkAddr(2), weight: 13, id: 2 },
      { ...mkAddr(3), weight: 111, id: 3 },
      { ...mkAddr(4), weight: 10, id: 4 },
    ];
    const before = await bothBuilds(backends, 1021);
    const after = await bothBuilds(backends.slice(1), 1021);
    expect(Object.fromEntries(counts(before))).toEqual({ 1: 16, 2: 98, 3: 832, 4: 75 });
    let changed = 0;
    before.forEach((id, pos) => {
      if (id !== 1 && after[pos] !== id) changed++;
      expect([2, 3, 4]).toContain(after[pos]);
    });
    expect((changed / 1021) * 100).toBeLessThan(1);
  });

  it("TestBackendRemoval: removing the last of 3 backends moves < 1% of the others' entries", async () => {
    const backends = [1, 2, 3].map((i) => ({ ...mkAddr(i), weight: 1, id: i }));
    const before = await bothBuilds(backends, 1021);
    const after = await bothBuilds(backends.slice(0, 2), 1021);
    let changed = 0;
    before.forEach((id, pos) => {
      if (id !== 3 && after[pos] !== id) changed++;
      expect([1, 2]).toContain(after[pos]);
    });
    expect((changed / 1021) * 100).toBeLessThan(1);
  });

  it("the pre-2024 tests (raw names 'one', 'three', 'two', 'tzwe') give the same counts", () => {
    const seed = parseClusterSeed().murmur;
    const entries = [
      { hashString: "one", weight: 2, id: 0 },
      { hashString: "three", weight: 13, id: 1 },
      { hashString: "two", weight: 111, id: 2 },
      { hashString: "tzwe", weight: 10, id: 3 },
    ];
    expect(Object.fromEntries(counts(maglevBuild(entries, 1021, seed)))).toEqual({
      0: 16,
      1: 98,
      2: 832,
      3: 75,
    });
  });

  it("TestPermutations: equals a build over Cilium's materialised N x M permutation matrix", async () => {
    // Cilium fills perm[i*M + j] = (perm[i*M + j-1] + skip) % M up front; our builds walk it lazily.
    const seed = parseClusterSeed().murmur;
    for (const m of [251, 509, 1021]) {
      for (const n of [1, 2, 5, 33]) {
        const backends = Array.from({ length: n }, (_, i) => ({ ...mkAddr(i), weight: 1, id: i + 1 }));
        const names = backends.map((b) => `[${b.address}:${b.port}/TCP,State:active]`).sort();
        const perm = new Array<number>(n * m);
        names.forEach((name, i) => {
          const [offset, skip] = offsetAndSkip(name, m, seed);
          perm[i * m] = offset % m;
          for (let j = 1; j < m; j++) perm[i * m + j] = (perm[i * m + j - 1]! + skip) % m;
        });
        const idOf = (name: string) =>
          backends.find((b) => `[${b.address}:${b.port}/TCP,State:active]` === name)!.id;
        const next = new Array<number>(n).fill(0);
        const entry = new Array<number>(m).fill(-1);
        for (let k = 0; k < m; k++) {
          const i = k % n;
          let c = perm[i * m + next[i]!]!;
          while (entry[c]! >= 0) c = perm[i * m + ++next[i]!]!;
          entry[c] = idOf(names[i]!);
          next[i]!++;
        }
        expect(Array.from(await bothBuilds(backends, m))).toEqual(entry);
      }
    }
  });
});

describe("reference doc Appendix A (our own computed values)", () => {
  const three = [1, 2, 3].map((i) => ({
    address: `10.0.0.${i}`,
    port: 80,
    protocol: "TCP",
    weight: 100,
    id: i,
  }));

  it("offsets and skips of the three backends at M = 251", () => {
    const seed = parseClusterSeed().murmur;
    const at = (i: number) => `[10.0.0.${i}:80/TCP,State:active]`;
    expect(murmur3Hash128(new TextEncoder().encode(at(1)), seed)).toEqual([
      0xc61a94cbc80e5006n,
      0x4aa5ddef6f23e6ean,
    ]);
    expect(murmur3Hash128(new TextEncoder().encode(at(2)), seed)).toEqual([
      0x208cee7bbea82422n,
      0x31c3c9f4710f0c31n,
    ]);
    expect(murmur3Hash128(new TextEncoder().encode(at(3)), seed)).toEqual([
      0x0b97a6ab74dedea5n,
      0x30668869132a9f6fn,
    ]);
    expect([1, 2, 3].map((i) => offsetAndSkip(at(i), 251, seed))).toEqual([
      [184, 95],
      [233, 54],
      [49, 138],
    ]);
  });

  it("table head and counts for three equal backends", async () => {
    const table = await bothBuilds(three, 251);
    expect(Array.from(table.slice(0, 24)).join(" ")).toBe("2 2 1 1 2 3 2 2 1 3 3 3 2 2 3 1 1 1 3 2 2 3 1 3");
    expect(Object.fromEntries(counts(table))).toEqual({ 1: 84, 2: 84, 3: 83 });
  });

  it("table head and counts for weights 100 and 200", async () => {
    const table = await bothBuilds([three[0]!, { ...three[1]!, weight: 200 }], 251);
    expect(Array.from(table.slice(0, 24)).join(" ")).toBe("2 2 1 2 2 2 2 2 1 1 2 1 2 2 2 1 2 1 2 2 2 2 1 2");
    expect(Object.fromEntries(counts(table))).toEqual({ 1: 84, 2: 167 });
  });
});

describe("Cilium's weight rule at its edges (read from computeLookupTable)", () => {
  const mk = (i: number, weight: number) => ({
    address: `10.0.0.${i}`,
    port: 80,
    protocol: "TCP",
    id: i,
    weight,
  });

  it("a weight-0 backend keeps exactly one entry when weights are in use (its first turn is never skipped)", async () => {
    const table = await bothBuilds([mk(1, 0), mk(2, 100), mk(3, 100)], 251);
    expect(counts(table).get(1)).toBe(1);
  });

  it("weights are ignored when sum / N <= 1 in integer division: 0, 1, 1 shares like 1, 1, 1", async () => {
    const table = await bothBuilds([mk(1, 0), mk(2, 1), mk(3, 1)], 251);
    expect(table).toEqual(await bothBuilds([mk(1, 1), mk(2, 1), mk(3, 1)], 251));
    expect(Object.fromEntries(counts(table))).toEqual({ 1: 84, 2: 84, 3: 83 });
  });
});

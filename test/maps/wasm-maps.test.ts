// Behaviour specific to the Wasm maps: memory accounting and bounds, batch entry points, handles,
// and agreement with the TypeScript twin on real and large ipcache contents.
import { describe, expect, it } from "vitest";
import {
  BPF_NOEXIST,
  HASH_MAX_ENTRIES,
  HASH_MAX_KEY_SIZE,
  HASH_MAX_VALUE_SIZE,
  LPM_MAX_ENTRIES,
  LPM_MAX_VALUE_SIZE,
  type LpmEntry,
} from "../../src/maps/types.js";
import { WasmHashMap, WasmLpmMap } from "../../src/wasm/maps.js";
import { loadWasm } from "../../src/wasm/module.js";
import { ReferenceLpmMap } from "../../src/reference/maps/lpm-trie.js";
import { ReferenceHashMap } from "../../src/reference/maps/hash-map.js";
import {
  hitHeavyAddresses,
  ipcacheValue,
  randomAddresses,
  realisticIpcache,
} from "../../bench/lib/ipcache-mix.js";
import { fixtureText } from "../helpers/fixtures.js";
import { bytes, cidr, ip, valueOf, wasmInstance } from "./helpers.js";

const CHUNK_BYTES = 1024;

/** Table chunks a set of prefixes needs: one per /16 holding a longer prefix, one per /24 holding a longer one. */
function expectedChunks(prefixes: readonly { address: number; length: number }[]): number {
  const level1 = new Set(prefixes.filter((p) => p.length > 16).map((p) => p.address >>> 16));
  const level2 = new Set(prefixes.filter((p) => p.length > 24).map((p) => p.address >>> 8));
  return level1.size + level2.size;
}

describe("Wasm maps", () => {
  it("export the same creation limits as the host checks", async () => {
    const wasm = await wasmInstance();
    expect(wasm.constant("LPM_LIMIT_MAX_ENTRIES")).toBe(LPM_MAX_ENTRIES);
    expect(wasm.constant("LPM_LIMIT_VALUE_SIZE")).toBe(LPM_MAX_VALUE_SIZE);
    expect(wasm.constant("HASH_LIMIT_MAX_ENTRIES")).toBe(HASH_MAX_ENTRIES);
    expect(wasm.constant("HASH_LIMIT_KEY_SIZE")).toBe(HASH_MAX_KEY_SIZE);
    expect(wasm.constant("HASH_LIMIT_VALUE_SIZE")).toBe(HASH_MAX_VALUE_SIZE);
  });

  it("a disposed map's large blocks serve the next map, which starts empty and zeroed", async () => {
    // 64k entries of 16-byte keys and 48-byte values: an entry pool and an index of whole pages.
    const wasm = await loadWasm();
    const options = { kind: "lru_hash", keySize: 16, valueSize: 48, maxEntries: 65_536 } as const;
    const key = (i: number) => valueOf(i, 16);
    const first = WasmHashMap.create(wasm, options);
    for (let i = 0; i < 5_000; i++) expect(first.update(key(i), valueOf(i + 1, 48))).toBe(0);
    first.dispose();
    const grown = wasm.memoryU8.byteLength;

    const second = WasmHashMap.create(wasm, options);
    expect(wasm.memoryU8.byteLength).toBe(grown);
    expect(second.count).toBe(0);
    expect([...second.entries()]).toEqual([]);
    for (let i = 0; i < 5_000; i += 97) expect(second.lookup(key(i))).toBeUndefined();
    expect(second.update(key(7), valueOf(9, 48))).toBe(0);
    expect([...second.entries()].map((e) => Array.from(e.value))).toEqual([Array.from(valueOf(9, 48))]);
    second.dispose();
  });

  it("LPM memory grows by one 1 KiB chunk per populated /16 and /24 level, and shrinks back on delete", async () => {
    const map = WasmLpmMap.create(await wasmInstance(), { valueSize: 10, maxEntries: 20_000 });
    const empty = map.memoryBytes;
    const content = realisticIpcache(10_000, 7);
    expect(
      Array.from(map.updateBatch(content.map((e) => ({ prefix: e.prefix, value: ipcacheValue(e) })))),
    ).toEqual(content.map(() => 0));
    const prefixes = content.map((e) => e.prefix);
    expect(map.memoryBytes - empty).toBe(expectedChunks(prefixes) * CHUNK_BYTES);

    // Deleting the /32s frees the level-2 chunks; the /24s alone fit in level-1 chunks.
    for (const prefix of prefixes.filter((p) => p.length === 32)) expect(map.delete(prefix)).toBe(0);
    const left = prefixes.filter((p) => p.length !== 32);
    expect(map.memoryBytes - empty).toBe(expectedChunks(left) * CHUNK_BYTES);
    for (const prefix of left) expect(map.delete(prefix)).toBe(0);
    expect(map.memoryBytes).toBe(empty);
    map.dispose();
  });

  it("LPM of 100k realistic prefixes answers every lookup as the twin, before and after deleting covering prefixes", async () => {
    const options = { valueSize: 10, maxEntries: 100_000 };
    const subject = WasmLpmMap.create(await wasmInstance(), options);
    const oracle = new ReferenceLpmMap(options);
    const content = realisticIpcache(100_000, 11);
    const entries: LpmEntry[] = content.map((e) => ({ prefix: e.prefix, value: ipcacheValue(e) }));
    expect(subject.updateBatch(entries).every((code) => code === 0)).toBe(true);
    for (const entry of entries) oracle.update(entry.prefix, entry.value);
    expect(subject.count).toBe(100_000);

    const probes = [...randomAddresses(5_000, 12), ...hitHeavyAddresses(content, 5_000, 13)];
    const compare = () => expect(subject.lookupBatch(probes)).toEqual(oracle.lookupBatch(probes));
    compare();
    // Remove every other /24 and /16 and the /0: their addresses fall back to shorter prefixes or to nothing.
    const covering = content.filter((e, i) => e.prefix.length < 32 && i % 2 === 0).map((e) => e.prefix);
    for (const prefix of covering) expect(subject.delete(prefix)).toBe(oracle.delete(prefix));
    compare();
    subject.dispose();
  });

  it("LPM batch update equals the same updates one by one, result codes included", async () => {
    const options = { valueSize: 4, maxEntries: 4 };
    const subject = WasmLpmMap.create(await wasmInstance(), options);
    const oracle = new ReferenceLpmMap(options);
    const batch: LpmEntry[] = [
      "10.0.0.0/8",
      "10.0.0.0/8",
      "10.1.0.0/16",
      "10.1.2.0/24",
      "10.1.2.3/32",
      "0.0.0.0/0",
    ].map((text, i) => ({ prefix: cidr(text), value: valueOf(i, 4) }));
    const codes = subject.updateBatch(batch, BPF_NOEXIST);
    expect(Array.from(codes)).toEqual(batch.map((e) => oracle.update(e.prefix, e.value, BPF_NOEXIST)));
    expect([...subject.entries()]).toEqual([...oracle.entries()]);
    subject.dispose();
  });

  it("LPM raw batch lookup writes one value pointer per address", async () => {
    const wasm = await wasmInstance();
    const map = WasmLpmMap.create(wasm, { valueSize: 4, maxEntries: 8 });
    map.update(cidr("10.0.0.0/8"), valueOf(8, 4));
    const addresses = [ip("10.9.9.9"), ip("11.0.0.0"), ip("10.0.0.0")];
    const ptr = wasm.scratch(8 * addresses.length);
    new Uint32Array(wasm.exports.memory.buffer, ptr, 3).set(addresses);
    expect(map.lookupBatchRaw(ptr, 3, ptr + 12)).toBe(2);
    const results = Array.from(new Uint32Array(wasm.exports.memory.buffer, ptr + 12, 3));
    expect(results[1]).toBe(0);
    expect(results[0]).toBe(results[2]);
    expect(wasm.memoryU8.slice(results[0]!, results[0]! + 4)).toEqual(valueOf(8, 4));
    map.dispose();
  });

  it("hash batch update equals the same updates one by one", async () => {
    for (const kind of ["hash", "lru_hash"] as const) {
      const options = { kind, keySize: 2, valueSize: 1, maxEntries: 3 };
      const subject = WasmHashMap.create(await wasmInstance(), options);
      const oracle = new ReferenceHashMap(options);
      const batch = [1, 2, 1, 3, 4, 5, 2].map((n) => ({ key: bytes(0, n), value: bytes(n) }));
      expect(Array.from(subject.updateBatch(batch))).toEqual(batch.map((e) => oracle.update(e.key, e.value)));
      expect([...subject.entries()]).toEqual([...oracle.entries()]);
      subject.dispose();
    }
  });

  it("hash memory is preallocated from max_entries and reported", async () => {
    const wasm = await wasmInstance();
    const small = WasmHashMap.create(wasm, { kind: "hash", keySize: 14, valueSize: 56, maxEntries: 1000 });
    const large = WasmHashMap.create(wasm, { kind: "hash", keySize: 14, valueSize: 56, maxEntries: 100_000 });
    const lru = WasmHashMap.create(wasm, {
      kind: "lru_hash",
      keySize: 14,
      valueSize: 56,
      maxEntries: 100_000,
    });
    // Entry record 16 + 56 bytes, live byte, free-list slot, two 8-byte index slots per entry.
    expect(large.memoryBytes).toBeGreaterThanOrEqual(100_000 * (72 + 1 + 4 + 16));
    expect(large.memoryBytes).toBeLessThan(100_000 * (72 + 1 + 4 + 32));
    expect(lru.memoryBytes - large.memoryBytes).toBe(100_000 * 8);
    const before = large.memoryBytes;
    for (let i = 0; i < 1000; i++)
      large.update(bytes(...new Array<number>(12).fill(0), i >> 8, i & 0xff), new Uint8Array(56));
    expect(large.memoryBytes).toBe(before);
    expect(small.memoryBytes).toBeLessThan(large.memoryBytes / 50);
    for (const map of [small, large, lru]) map.dispose();
  });

  it("releases handles: a disposed map refuses use, and its memory is reused", async () => {
    const wasm = await wasmInstance();
    const first = WasmLpmMap.create(wasm, { valueSize: 8, maxEntries: 50_000 });
    first.dispose();
    first.dispose();
    expect(() => first.count).toThrow(/after dispose/);
    const grownTo = wasm.exports.memory.buffer.byteLength;
    for (let i = 0; i < 20; i++) {
      const map = WasmLpmMap.create(wasm, { valueSize: 8, maxEntries: 50_000 });
      const hash = WasmHashMap.create(wasm, {
        kind: "lru_hash",
        keySize: 8,
        valueSize: 8,
        maxEntries: 50_000,
      });
      map.dispose();
      hash.dispose();
    }
    expect(wasm.exports.memory.buffer.byteLength).toBeLessThanOrEqual(grownTo * 2);
  });

  it("refuses a map that cannot fit in linear memory with a clear error instead of trapping", async () => {
    const wasm = await wasmInstance();
    expect(() =>
      WasmHashMap.create(wasm, { kind: "hash", keySize: 512, valueSize: 65536, maxEntries: 100_000 }),
    ).toThrow(/out of WebAssembly memory/);
    const map = WasmHashMap.create(wasm, { kind: "hash", keySize: 4, valueSize: 4, maxEntries: 16 });
    expect(map.update(bytes(1, 2, 3, 4), bytes(5, 6, 7, 8))).toBe(0);
    map.dispose();
  });
});

describe("real dumps of a 3-node cluster", () => {
  /** Prefix, identity and tunnel endpoint of each row of `cilium-dbg bpf ipcache list`. */
  function parseIpcacheList(path: string): { prefix: string; identity: number; tunnel: string }[] {
    const rows = fixtureText(`lab-3node/${path}`).split("\n");
    return rows
      .slice(1)
      .filter((line) => line.trim() !== "")
      .map((line, i) => {
        const match = /^(\S+)\s+identity=(\d+) encryptkey=\d+ tunnelendpoint=(\S+) flags=\S+$/.exec(line);
        if (!match) throw new Error(`${path}:${i + 2}: not an ipcache row: ${line}`);
        return { prefix: match[1]!, identity: Number(match[2]), tunnel: match[3]! };
      });
  }

  function valueFor(identity: number, tunnel: string): Uint8Array {
    const value = new Uint8Array(8);
    const view = new DataView(value.buffer);
    view.setUint32(0, identity, true);
    view.setUint32(4, ip(tunnel), false);
    return value;
  }

  const identityOf = (value: Uint8Array | undefined) =>
    value && new DataView(value.buffer).getUint32(0, true);
  const tunnelOf = (value: Uint8Array | undefined) => value && new DataView(value.buffer).getUint32(4, false);

  it.each(["k8s-ctr", "k8s-w0", "k8s-w1"])(
    "resolve the cluster's addresses as Cilium would (%s)",
    async (node) => {
      const rows = parseIpcacheList(`bpf-ipcache-list.${node}.txt`);
      const options = { valueSize: 8, maxEntries: 512_000 };
      const subject = WasmLpmMap.create(await wasmInstance(), options);
      const oracle = new ReferenceLpmMap(options);
      for (const row of rows) {
        const value = valueFor(row.identity, row.tunnel);
        expect(subject.update(cidr(row.prefix), value, BPF_NOEXIST)).toBe(0);
        oracle.update(cidr(row.prefix), value, BPF_NOEXIST);
      }
      expect(subject.count).toBe(rows.length);
      expect([...subject.entries()]).toEqual([...oracle.entries()]);

      // Facts of the lab (test/fixtures/README.md): curl-pod 172.20.0.96 has identity 63446, the
      // webpod backend 172.20.2.1 identity 8469; outside addresses are world (2) through 0.0.0.0/0.
      const lookup = (address: string) => subject.lookup(ip(address));
      expect(identityOf(lookup("172.20.0.96")?.value)).toBe(63446);
      expect(identityOf(lookup("172.20.2.1")?.value)).toBe(8469);
      expect(identityOf(lookup("8.8.8.8")?.value)).toBe(2);
      expect(lookup("8.8.8.8")?.prefix).toEqual(cidr("0.0.0.0/0"));
      // An unknown address in k8s-w1's pod CIDR resolves to that node's /24 and its tunnel endpoint.
      const remotePodCidr = rows.find((r) => r.prefix === "172.20.1.0/24");
      if (remotePodCidr) {
        expect(lookup("172.20.1.77")?.prefix).toEqual(cidr("172.20.1.0/24"));
        expect(tunnelOf(lookup("172.20.1.77")?.value)).toBe(ip(remotePodCidr.tunnel));
      }
      for (const row of rows) {
        const host = cidr(row.prefix);
        expect(identityOf(lookup(row.prefix.split("/")[0]!)?.value)).toBe(row.identity);
        expect(lookup(row.prefix.split("/")[0]!)).toEqual(oracle.lookup(host.address));
      }
      subject.dispose();
    },
  );

  it("serve the ip-masq-agent CIDR set as a trie with a 1-byte value", async () => {
    const text = fixtureText("misc/bpf-ipmasq-list.txt");
    const cidrs = text
      .split("\n")
      .slice(1)
      .map((line) => line.trim())
      .filter((line) => line !== "");
    const subject = WasmLpmMap.create(await wasmInstance(), { valueSize: 1, maxEntries: 16384 });
    for (const line of cidrs) expect(subject.update(cidr(line), bytes(0), BPF_NOEXIST)).toBe(0);
    const nonMasquerade = (address: string) => subject.lookup(ip(address)) !== undefined;
    // The dump lists 10.10.1.0/24, 10.10.2.0/24 and 169.254.0.0/16 (test/fixtures/README.md).
    expect(nonMasquerade("10.10.1.200")).toBe(true);
    expect(nonMasquerade("10.10.2.1")).toBe(true);
    expect(nonMasquerade("169.254.169.254")).toBe(true);
    expect(nonMasquerade("10.10.3.1")).toBe(false);
    expect(nonMasquerade("8.8.8.8")).toBe(false);
    expect([...subject.entries()].map((e) => e.prefix)).toEqual(cidrs.map(cidr));
    subject.dispose();
  });
});

// BPF map benchmarks: LPM lookups/s on a realistic ipcache at 1k, 100k and 1M prefixes through the
// Wasm batch entry point, against the TypeScript twin and the npm packages longest-prefix-match and
// cidr-matcher answering the same queries; hash and LRU hash lookups/s against the twin.
// Targets (reported, not asserted): LPM >= 30 M lookups/s at 100k prefixes and >= 100x the fastest
// JS peer; hash lookup >= 40 M/s.
import { createRequire } from "node:module";
import { Bench } from "tinybench";
import { loadWasm, type WasmInstance } from "../src/wasm/module.js";
import { formatIPv4 } from "../src/model/ipv4.js";
import { WasmHashMap, WasmLpmMap } from "../src/wasm/maps.js";
import { ReferenceLpmMap } from "../src/reference/maps/lpm-trie.js";
import { ReferenceHashMap } from "../src/reference/maps/hash-map.js";
import type { HashEntry, HashMapKind, LpmEntry } from "../src/maps/types.js";
import {
  hitHeavyAddresses,
  ipcacheValue,
  prng,
  randomAddresses,
  realisticIpcache,
} from "./lib/ipcache-mix.js";
import { ratio, report, rowsFrom, type BenchRatio, type BenchRow } from "./lib/report.js";

interface LongestPrefixMatch {
  addPrefix(prefix: string, data: unknown): void;
  getMatch(prefix: string): unknown[];
}
interface CidrMatcher {
  contains(address: string): boolean;
}
const require = createRequire(import.meta.url);
const LongestPrefixMatchClass = require("longest-prefix-match") as new () => LongestPrefixMatch;
const CidrMatcherClass = require("cidr-matcher") as new (cidrs: string[]) => CidrMatcher;

const SIZES: [label: string, prefixes: number][] = [
  ["1k", 1_000],
  ["100k", 100_000],
  ["1M", 1_000_000],
];
/** Addresses per Wasm batch call, taken in turn from a pool of WASM_POOL addresses (1 MiB). */
const BATCH = 4096;
const WASM_POOL = 1 << 18;
/** Queries per iteration for the JS implementations, in turn from a pool of JS_POOL. */
const JS_QUERIES = 256;
const JS_POOL = 4096;
/** Hash probes: a pool of 64k keys (896 KiB). */
const HASH_POOL = 1 << 16;
const cidrQueries = (prefixes: number) => (prefixes >= 1_000_000 ? 4 : prefixes >= 100_000 ? 16 : 256);

const benchOptions = { time: 800, warmupTime: 200, iterations: 16 };

function cidrText(entry: LpmEntry | { prefix: { address: number; length: number } }): string {
  return `${formatIPv4(entry.prefix.address)}/${entry.prefix.length}`;
}

function timed<T>(what: () => T): [T, number] {
  const start = performance.now();
  const result = what();
  return [result, performance.now() - start];
}

const identityOf = (value: Uint8Array | undefined) =>
  value === undefined ? undefined : new DataView(value.buffer, value.byteOffset).getUint32(0, true);

/** Fails the run if a peer answers a query differently: the ratios only mean something if all agree. */
function agree(what: string, expected: unknown[], actual: unknown[]): void {
  const bad = expected.findIndex((e, i) => e !== actual[i]);
  if (bad >= 0)
    throw new Error(`${what} disagrees at query ${bad}: ${String(actual[bad])} vs ${String(expected[bad])}`);
}

async function lpmSuite(
  wasm: WasmInstance,
  label: string,
  size: number,
  rows: BenchRow[],
  ratios: BenchRatio[],
  notes: Record<string, unknown>,
) {
  const content = realisticIpcache(size, 1);
  const entries: LpmEntry[] = content.map((e) => ({ prefix: e.prefix, value: ipcacheValue(e) }));
  const options = { valueSize: 10, maxEntries: Math.max(size, 1024) };

  const subject = WasmLpmMap.create(wasm, options);
  const [codes, wasmBuildMs] = timed(() => subject.updateBatch(entries));
  if (codes.some((c) => c !== 0)) throw new Error("Wasm LPM build failed");
  const twin = new ReferenceLpmMap(options);
  const [, twinBuildMs] = timed(() => entries.forEach((e) => twin.update(e.prefix, e.value)));
  const texts = content.map(cidrText);
  const [lpmPeer, lpmPeerBuildMs] = timed(() => {
    const peer = new LongestPrefixMatchClass();
    content.forEach((e, i) => peer.addPrefix(texts[i]!, e.identity));
    return peer;
  });
  // cidr-matcher answers membership only: without the /0 the question is not trivially "yes".
  const [cidrPeer, cidrPeerBuildMs] = timed(
    () => new CidrMatcherClass(texts.filter((_t, i) => content[i]!.prefix.length > 0)),
  );
  notes[`lpm build ms @${label}`] = {
    wasm: Math.round(wasmBuildMs),
    "ts-twin": Math.round(twinBuildMs),
    "longest-prefix-match": Math.round(lpmPeerBuildMs),
    "cidr-matcher": Math.round(cidrPeerBuildMs),
  };
  notes[`lpm wasm memory bytes @${label}`] = subject.memoryBytes;

  // Queries rotate through large pools so the Wasm batches do not stay in cache.
  const queries = {
    random: randomAddresses(WASM_POOL, 2),
    "hit-heavy": hitHeavyAddresses(content, WASM_POOL, 3),
  };
  const bench = new Bench({ name: `lpm @${label}`, ...benchOptions });
  const perIteration: Record<string, number> = {};
  const add = (name: string, ops: number, fn: () => void) => {
    perIteration[name] = ops;
    bench.add(name, fn);
  };
  let sink = 0;
  // The raw batches live in scratch memory, written after the agreement checks (which use scratch too).
  const ptr = () => wasm.scratch(2 * WASM_POOL * 4 + BATCH * 4);
  const resultsAt = 2 * WASM_POOL * 4;

  Object.entries(queries).forEach(([kind, addresses], k) => {
    const poolAt = k * WASM_POOL * 4;
    const js = Array.from(addresses.subarray(0, JS_POOL));
    const hosts = js.map((a) => `${formatIPv4(a)}/32`);
    const plain = js.map(formatIPv4);
    const nc = cidrQueries(size);

    // Everyone must answer the same queries the same way.
    const expected = js.map((a) => identityOf(twin.lookup(a)?.value));
    agree("Wasm LPM", expected, subject.lookupBatch(js).map(identityOf));
    // longest-prefix-match never matches its 0.0.0.0/0 entry: the caller supplies the default.
    const world = identityOf(twin.get({ address: 0, length: 0 }));
    agree(
      "longest-prefix-match",
      expected,
      hosts.map((h) => lpmPeer.getMatch(h)[0] ?? world),
    );
    const cidrChecked = js.slice(0, 4 * nc);
    agree(
      "cidr-matcher",
      cidrChecked.map((a) => (twin.lookup(a)?.prefix.length ?? 0) > 0),
      cidrChecked.map((_a, i) => cidrPeer.contains(plain[i]!)),
    );

    let wasmWindow = 0;
    add(`lpm wasm batch ${kind} @${label}`, BATCH, () => {
      const base = ptr();
      const at = base + poolAt + (wasmWindow++ % (WASM_POOL / BATCH)) * BATCH * 4;
      sink += subject.lookupBatchRaw(at, BATCH, base + resultsAt);
    });
    let twinWindow = 0;
    add(`lpm ts-twin ${kind} @${label}`, JS_QUERIES, () => {
      const from = (twinWindow++ * JS_QUERIES) % JS_POOL;
      for (let i = from; i < from + JS_QUERIES; i++) sink += twin.lookup(js[i]!) === undefined ? 0 : 1;
    });
    let peerWindow = 0;
    add(`lpm longest-prefix-match ${kind} @${label}`, JS_QUERIES, () => {
      const from = (peerWindow++ * JS_QUERIES) % JS_POOL;
      for (let i = from; i < from + JS_QUERIES; i++) sink += lpmPeer.getMatch(hosts[i]!).length;
    });
    let cidrWindow = 0;
    add(`lpm cidr-matcher ${kind} @${label}`, nc, () => {
      const from = (cidrWindow++ * nc) % JS_POOL;
      for (let i = from; i < from + nc; i++) sink += cidrPeer.contains(plain[i]!) ? 1 : 0;
    });
  });
  const base = ptr();
  Object.values(queries).forEach((addresses, k) =>
    new Uint32Array(wasm.exports.memory.buffer, base + k * WASM_POOL * 4, WASM_POOL).set(addresses),
  );
  await bench.run();
  if (sink < 0) console.log(sink);
  const suiteRows = rowsFrom(bench, perIteration, "lookup");
  rows.push(...suiteRows);
  for (const kind of Object.keys(queries)) {
    const wasmTask = `lpm wasm batch ${kind} @${label}`;
    const peers = ["longest-prefix-match", "cidr-matcher"].map((p) => `lpm ${p} ${kind} @${label}`);
    const fastest = peers.reduce((a, b) => (ratio(suiteRows, a, b) >= 1 ? a : b));
    ratios.push({
      name: `lpm wasm / fastest JS peer (${fastest.split(" ")[1]}) ${kind} @${label}`,
      value: ratio(suiteRows, wasmTask, fastest),
    });
    ratios.push({
      name: `lpm wasm / ts-twin ${kind} @${label}`,
      value: ratio(suiteRows, wasmTask, `lpm ts-twin ${kind} @${label}`),
    });
  }
  subject.dispose();
}

/** 14-byte keys (the size of a conntrack tuple) and 56-byte values (a conntrack entry). */
async function hashSuite(
  wasm: WasmInstance,
  rows: BenchRow[],
  ratios: BenchRatio[],
  notes: Record<string, unknown>,
) {
  const keySize = 14;
  const valueSize = 56;
  const filled = 100_000;
  const random = prng(5);
  const entries: HashEntry[] = Array.from({ length: filled }, (_v, i) => {
    const key = new Uint8Array(keySize);
    const view = new DataView(key.buffer);
    view.setUint32(0, random());
    view.setUint32(4, random());
    view.setUint16(8, i & 0xffff);
    view.setUint16(10, i >>> 16);
    key[12] = 6;
    return { key, value: new Uint8Array(valueSize).fill(i & 0xff) };
  });
  // All probes hit; both maps share one key pool in scratch, taken BATCH keys at a time.
  const probes = Array.from({ length: HASH_POOL }, () => entries[random() % filled]!.key);
  const bench = new Bench({ name: "hash", ...benchOptions });
  const perIteration: Record<string, number> = {};
  const maps: WasmHashMap[] = [];
  let sink = 0;

  const kinds: HashMapKind[] = ["hash", "lru_hash"];
  const resultsAt = HASH_POOL * keySize;
  const ptr = () => wasm.scratch(resultsAt + BATCH * 4);
  for (const kind of kinds) {
    const options = { kind, keySize, valueSize, maxEntries: 131_072 };
    const subject = WasmHashMap.create(wasm, options);
    maps.push(subject);
    const [codes, buildMs] = timed(() => subject.updateBatch(entries));
    if (codes.some((c) => c !== 0)) throw new Error(`Wasm ${kind} build failed`);
    const twin = new ReferenceHashMap(options);
    entries.forEach((e) => twin.update(e.key, e.value));
    notes[`${kind} build ms @100k (wasm batch)`] = Math.round(buildMs);
    notes[`${kind} wasm memory bytes (max_entries 131072)`] = subject.memoryBytes;
    const checked = probes.slice(0, JS_POOL);
    agree(
      `Wasm ${kind}`,
      checked.map((p) => twin.peek(p)?.[0]),
      subject.lookupBatch(checked).map((v) => v?.[0]),
    );

    let wasmWindow = 0;
    perIteration[`${kind} wasm batch @100k`] = BATCH;
    bench.add(`${kind} wasm batch @100k`, () => {
      const base = ptr();
      const at = base + (wasmWindow++ % (HASH_POOL / BATCH)) * BATCH * keySize;
      sink += subject.lookupBatchRaw(at, BATCH, base + resultsAt);
    });
    let twinWindow = 0;
    perIteration[`${kind} ts-twin @100k`] = JS_QUERIES;
    bench.add(`${kind} ts-twin @100k`, () => {
      const from = (twinWindow++ * JS_QUERIES) % JS_POOL;
      for (let i = from; i < from + JS_QUERIES; i++) sink += twin.lookup(probes[i]!) === undefined ? 0 : 1;
    });
  }
  // The key pool is written once, after every other scratch user ran.
  const keyBytes = new Uint8Array(HASH_POOL * keySize);
  probes.forEach((p, i) => keyBytes.set(p, i * keySize));
  wasm.memoryU8.set(keyBytes, ptr());
  await bench.run();
  if (sink < 0) console.log(sink);
  const suiteRows = rowsFrom(bench, perIteration, "lookup");
  rows.push(...suiteRows);
  for (const kind of kinds) {
    ratios.push({
      name: `${kind} wasm / ts-twin @100k`,
      value: ratio(suiteRows, `${kind} wasm batch @100k`, `${kind} ts-twin @100k`),
    });
  }
  maps.forEach((m) => m.dispose());
}

const wasm = await loadWasm();
const rows: BenchRow[] = [];
const ratios: BenchRatio[] = [];
const notes: Record<string, unknown> = {
  targets: "LPM >= 30 M lookups/s at 100k prefixes and >= 100x the fastest JS peer; hash lookup >= 40 M/s",
  "lpm content":
    "realisticIpcache(): one /0, ~0.1 % /16, ~1 % /24 node pod CIDRs, the rest pod /32s inside them",
  queries:
    "random: uniform u32 addresses; hit-heavy: 90 % stored /32s, 10 % other hosts in the pod /24s. " +
    `Wasm: batches of ${BATCH} through lpmLookupBatch (value pointers out), rotating over ${WASM_POOL} addresses; ` +
    `JS: ${JS_QUERIES} queries per iteration rotating over ${JS_POOL} (cidr-matcher: 4 or 16 at 1M/100k).`,
  "cidr-matcher":
    "answers set membership (not LPM) by scanning every range; built without the /0, which would make every answer trivially true",
};
for (const [label, size] of SIZES) {
  console.error(`lpm @${label}...`);
  await lpmSuite(wasm, label, size, rows, ratios, notes);
}
console.error("hash...");
await hashSuite(wasm, rows, ratios, notes);
report("maps", rows, ratios, notes);

// Map read-back (`Datapath.readMap`, what `dpemu maps dump` reads): entries/s out of a node holding
// 100k CT entries and 100k ipcache prefixes, Wasm engine against the TypeScript reference twin, and
// the whole dump path (read, convert to the dump models, print in cilium-dbg's format).
import { Bench } from "tinybench";
import { Datapath } from "../src/datapath/datapath.js";
import {
  Proto,
  TupleFlag,
  defaultNodeConfig,
  type CtMapEntry,
  type DatapathState,
  type IpcacheMapEntry,
} from "../src/engine/state.js";
import { CURRENT_DUMP_STYLE, emulatedMapContent } from "../src/readback/to-model.js";
import { bpfCtListFormat } from "../src/snapshot/formats/bpf-ct-list.js";
import { prng } from "./lib/ipcache-mix.js";
import { ratio, report, rowsFrom } from "./lib/report.js";

const ENTRIES = 100_000;

function state(): DatapathState {
  const next = prng(20260523);
  const ct: CtMapEntry[] = [];
  const seen = new Set<string>();
  while (ct.length < ENTRIES) {
    const tuple = {
      daddr: next() >>> 0,
      saddr: next() >>> 0,
      dport: next() & 0xffff,
      sport: next() & 0xffff,
      nexthdr: Proto.TCP,
      flags: next() & 1 ? TupleFlag.IN : TupleFlag.OUT,
    };
    const key = `${tuple.daddr} ${tuple.saddr} ${tuple.dport} ${tuple.sport} ${tuple.flags}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ct.push({
      tuple,
      lifetime: 1_700_008_000,
      flags: 0x10,
      revNatId: next() & 0xff,
      backendId: 0,
      txFlagsSeen: 0x1b,
      rxFlagsSeen: 0x1b,
      srcSecId: next() & 0xffff,
      lastTxReport: 1_700_000_000,
      lastRxReport: 1_700_000_000,
    });
  }
  const ipcache: IpcacheMapEntry[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    ipcache.push({
      prefix: (0x0a000000 + i) >>> 0,
      prefixLen: 32,
      identity: 1000 + (i % 5000),
      tunnelEndpoint: 0xc0a80a00 + (i % 3),
      encryptKey: 0,
      flags: 2,
    });
  }
  return {
    node: defaultNodeConfig({ addresses: [], ctTcpMax: 131_072, ctAnyMax: 1024, natMax: 1024 }),
    services: [],
    backends: [],
    revNat: [],
    ipcache,
    ipMasqCidrs: [],
    sourceRanges: [],
    endpoints: [],
    ct,
    nat: [],
  };
}

const s = state();
const wasm = await Datapath.create(s);
const reference = await Datapath.create(s, { engine: "reference" });
const clock = { dumpTime: 1_700_000_000, ctBootTime: 1_700_000_000 };

// Equal results first: the ratios only mean something if both engines read the same entries.
if (JSON.stringify(wasm.readMap("ctTcp")) !== JSON.stringify(reference.readMap("ctTcp")))
  throw new Error("the engines read different CT maps");
if (JSON.stringify(wasm.readMap("ipcache")) !== JSON.stringify(reference.readMap("ipcache")))
  throw new Error("the engines read different ipcaches");

const bench = new Bench({ time: 1500, warmupTime: 300, iterations: 4 });
bench
  .add("readMap ctTcp, wasm", () => void wasm.readMap("ctTcp"))
  .add("readMap ctTcp, ts-reference", () => void reference.readMap("ctTcp"))
  .add("readMap ipcache, wasm", () => void wasm.readMap("ipcache"))
  .add("readMap ipcache, ts-reference", () => void reference.readMap("ipcache"))
  .add(
    "maps dump cilium_ct4_global (read, convert, print), wasm",
    () => void bpfCtListFormat.print(emulatedMapContent(wasm, "ct", { clock, style: CURRENT_DUMP_STYLE })),
  );
await bench.run();

const perIteration = Object.fromEntries(bench.tasks.map((t) => [t.name, ENTRIES]));
const rows = rowsFrom(bench, perIteration, "entry");
report(
  "maps-dump",
  rows,
  [
    {
      name: "wasm / ts-reference, CT read-back",
      value: ratio(rows, "readMap ctTcp, wasm", "readMap ctTcp, ts-reference"),
    },
    {
      name: "wasm / ts-reference, ipcache read-back",
      value: ratio(rows, "readMap ipcache, wasm", "readMap ipcache, ts-reference"),
    },
  ],
  { entries: ENTRIES },
);
wasm.dispose();
reference.dispose();

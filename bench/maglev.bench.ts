// Maglev suite: table build time (Wasm vs the TS reference) for N = 10, 100, 1000 backends at
// M = 16381 (Cilium's default) and 131071 (Cilium's own benchmark uses N = 1000), and backend
// selections per second for Maglev (tuple hash + lookup) and random (seeded PRNG + slot), batched.
import { Bench } from "tinybench";
import { rowsFrom, report, ratio, type BenchRatio } from "./lib/report.js";
import { toEntries, type MaglevBackend } from "../src/lb/backend.js";
import { buildMaglevTable } from "../src/lb/maglev.js";
import { MaglevWasm, encodeBackends, packingCode } from "../src/wasm/maglev.js";
import { FLOW_RECORD_SIZE, encodeFlowRecord } from "../src/wasm/codec.js";
import { parseClusterSeed } from "../src/model/cluster-seed.js";
import { maglevBuild } from "../src/reference/lb/maglev.js";
import { flowHashV4 } from "../src/reference/lb/flow-hash.js";
import type { FlowV4 } from "../src/model/flow.js";
import { Xoshiro128 } from "../src/model/prng.js";
import { maglevLookup, randomSlot } from "../src/reference/lb/select.js";

const seed = parseClusterSeed();
const maglev = await MaglevWasm.load();
const { exports } = maglev.wasm;

const backendsOf = (n: number): MaglevBackend[] =>
  Array.from({ length: n }, (_, i) => ({
    address: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
    port: 8080,
    protocol: "TCP",
    id: i + 1,
  }));

// --- table builds ---------------------------------------------------------------------------
const buildBench = new Bench({ time: 1500, warmupTime: 200, warmupIterations: 3 });
const buildOps: Record<string, number> = {};
const buildConfigs: string[] = [];
for (const m of [16381, 131071]) {
  for (const n of [10, 100, 1000]) {
    const backends = backendsOf(n);
    const entries = toEntries(backends); // hash strings precomputed, as in Cilium's benchmark
    const encoded = encodeBackends(entries);
    const table = maglev.allocTable(m);
    const wasmName = `build wasm N=${n} M=${m}`;
    const tsName = `build ts-reference N=${n} M=${m}`;
    buildBench.add(wasmName, () => maglev.build(encoded, seed.murmur, table));
    buildBench.add(tsName, () => void maglevBuild(entries, m, seed.murmur));
    buildConfigs.push(`N=${n} M=${m}`);
    buildOps[wasmName] = 1;
    buildOps[tsName] = 1;
  }
}
// The whole public call (validation, hash strings, copy-out) for the target configuration.
const apiBackends = backendsOf(1000);
buildBench.add("buildMaglevTable() API N=1000 M=16381", async () => {
  await buildMaglevTable(apiBackends, { tableSize: 16381, seed });
});
await buildBench.run();
const buildRows = rowsFrom(buildBench, buildOps, "table build");

// --- selections -----------------------------------------------------------------------------
const BATCH = 65536;
const selectTable = maglev.allocTable(16381);
maglev.build(encodeBackends(toEntries(backendsOf(100))), seed.murmur, selectTable);
const tsTable = maglev.readTable(selectTable);

const flows: FlowV4[] = Array.from({ length: BATCH }, (_, k) => ({
  clientAddress: (0x0a000000 + ((k * 2654435761) >>> 12)) >>> 0,
  clientPort: 1024 + ((k * 7919) % 64000),
  servicePort: 80,
  protocol: 6,
}));
// Flow records and outputs live in their own heap block (the scratch area is shared with builds).
const flowArea = exports.maglevTableAlloc((BATCH * (FLOW_RECORD_SIZE + 4)) / 4 + 1) >>> 0;
const flowOut = flowArea + BATCH * FLOW_RECORD_SIZE;
{
  const view = maglev.wasm.memoryDataView;
  flows.forEach((f, k) => {
    const rec = flowArea + k * FLOW_RECORD_SIZE;
    encodeFlowRecord(view, rec, f.clientAddress, f.clientPort, f.servicePort, f.protocol);
  });
}
const packing = packingCode("service-port-high");
const backendIds = Array.from({ length: 100 }, (_, i) => i + 1);
const idsArea = exports.maglevTableAlloc(backendIds.length) >>> 0;
new Uint32Array(maglev.wasm.memoryU8.buffer, idsArea, backendIds.length).set(backendIds);
const prng = maglev.createPrng(1);
const tsPrng = new Xoshiro128(1);
const tsOut = new Uint32Array(BATCH);

const selectBench = new Bench({ time: 1500, warmupTime: 200 });
selectBench
  .add("select maglev wasm", () =>
    exports.maglevSelectBatch(
      selectTable.address,
      selectTable.size,
      flowArea,
      BATCH,
      seed.jhashV4,
      packing,
      false,
      flowOut,
    ),
  )
  .add("select maglev ts-reference", () => {
    for (let k = 0; k < BATCH; k++)
      tsOut[k] = maglevLookup(tsTable, flowHashV4(flows[k]!, seed.jhashV4, "service-port-high"));
  })
  .add("select random wasm", () =>
    exports.randomSelectBatch(prng, idsArea, backendIds.length, BATCH, flowOut),
  )
  .add("select random ts-reference", () => {
    for (let k = 0; k < BATCH; k++) tsOut[k] = backendIds[randomSlot(tsPrng, backendIds.length) - 1]!;
  });
await selectBench.run();
const selectRows = rowsFrom(
  selectBench,
  Object.fromEntries(selectBench.tasks.map((t) => [t.name, BATCH])),
  "selection",
);

const rows = [...buildRows, ...selectRows];
const ratios: BenchRatio[] = [
  ...buildConfigs.map((config) => ({
    name: `wasm / ts-reference build ${config}`,
    value: ratio(rows, `build wasm ${config}`, `build ts-reference ${config}`),
  })),
  {
    name: "wasm / ts-reference maglev selection",
    value: ratio(rows, "select maglev wasm", "select maglev ts-reference"),
  },
  {
    name: "wasm / ts-reference random selection",
    value: ratio(rows, "select random wasm", "select random ts-reference"),
  },
];
const msPerBuild = (name: string) => 1000 / rows.find((r) => r.name === name)!.opsPerSecond;
report("maglev", rows, ratios, {
  targets: { "build N=1000 M=16381": "<= 5 ms", selection: ">= 50 M/s" },
  measured: {
    "build wasm N=1000 M=16381 (ms)": msPerBuild("build wasm N=1000 M=16381"),
    "build wasm N=1000 M=131071 (ms)": msPerBuild("build wasm N=1000 M=131071"),
    "buildMaglevTable() API N=1000 M=16381 (ms)": msPerBuild("buildMaglevTable() API N=1000 M=16381"),
    "maglev selections (M/s)": rows.find((r) => r.name === "select maglev wasm")!.opsPerSecond / 1e6,
    "random selections (M/s)": rows.find((r) => r.name === "select random wasm")!.opsPerSecond / 1e6,
  },
  batch: BATCH,
  selectionSetup: "100 backends, M = 16381, flows prepared in Wasm memory, Cilium >= 1.17 port packing",
});

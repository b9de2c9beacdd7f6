// Datapath suite: packets per second through the whole per-packet pipeline on a realistically
// sized node (bench/lib/datapath-node.ts: 300 services, ~3,700 backends, 100,000 ipcache entries,
// Cilium's default CT sizes), Wasm vs the TypeScript reference.
//
// - Established: ACKs of open connections to ClusterIPs, 8,192 concurrent flows (their CT entries
//   and index slots are about 2 MB, more than a core's L2), and 1,024 flows (cache-resident).
// - New flows: every packet opens a connection (a service CT entry, random selection, an egress CT
//   entry and its RELATED twin). In steady state the CT maps are full and every flow evicts three
//   entries: both engines are filled before they are measured. A node whose GC keeps the maps below
//   capacity creates flows without evicting: measured separately, on fresh Wasm datapaths.
import { Bench } from "tinybench";
import { rowsFrom, report, ratio, type BenchRow } from "./lib/report.js";
import { Datapath } from "../src/datapath/datapath.js";
import { EntryPoint, TcpFlag, createPacketRecord, type PacketRecord } from "../src/model/packet.js";
import { WasmDatapathEngine } from "../src/wasm/datapath.js";
import { PACKET_RECORD_SIZE, RECORD_LAYOUT, VERDICT_RECORD_SIZE, encodePacket } from "../src/wasm/codec.js";
import { loadWasm } from "../src/wasm/module.js";
import { benchmarkState, clientFlow } from "./lib/datapath-node.js";

const WASM_BATCH = 8192;
const REF_BATCH = 1024;
const SECONDS = 1_700_000_000;
const FEW_FLOWS = 1024;
const FRESH_RUNS = 5;

const state = benchmarkState();
const ctTcpMax = state.node.ctTcpMax;

const flowPackets = (n: number, flows: number, offset: number, flags: number): PacketRecord[] =>
  Array.from({ length: n }, (_, k) => ({
    ...createPacketRecord(),
    ...clientFlow((k % flows) + offset),
    seconds: SECONDS,
    proto: 6,
    tcpFlags: flags,
    ipLength: 60,
    entry: EntryPoint.FromEndpoint,
  }));

/** A Wasm datapath on its own module instance, with a batch of packet and verdict records. */
async function wasmDatapath(): Promise<{
  dp: Datapath;
  engine: WasmDatapathEngine;
  packets: number;
  verdicts: number;
}> {
  const dp = await Datapath.create(state, { engine: "wasm", wasm: await loadWasm() });
  const engine = dp.engine as WasmDatapathEngine;
  const packets = engine.wasm.scratch(WASM_BATCH * (PACKET_RECORD_SIZE + VERDICT_RECORD_SIZE));
  return { dp, engine, packets, verdicts: packets + WASM_BATCH * PACKET_RECORD_SIZE };
}

function encode(engine: WasmDatapathEngine, at: number, packets: readonly PacketRecord[]): void {
  packets.forEach((p, i) => encodePacket(engine.wasm.memoryDataView, at + i * PACKET_RECORD_SIZE, p));
}

/** Rewrites the batch at `at` in place into new connections of clients no earlier flow used. */
function nextNewFlows(engine: WasmDatapathEngine, at: number, round: number): void {
  const L = RECORD_LAYOUT;
  const view = engine.wasm.memoryDataView;
  const base = round * WASM_BATCH;
  for (let i = 0; i < WASM_BATCH; i++) {
    const f = clientFlow(base + i);
    const rec = at + i * L.PACKET_RECORD_SIZE;
    view.setUint32(rec + L.PACKET_SADDR, f.saddr, true);
    view.setUint32(rec + L.PACKET_DADDR, f.daddr, true);
    view.setUint16(rec + L.PACKET_SPORT, f.sport, true);
  }
}

// Established flows: open them once (SYN), then keep their ACKs in memory.
const buildStart = performance.now();
const est = await wasmDatapath();
const loadMs = performance.now() - buildStart;
encode(est.engine, est.packets, flowPackets(WASM_BATCH, WASM_BATCH, 0, TcpFlag.SYN));
est.engine.processRecords(est.packets, WASM_BATCH, est.verdicts);
encode(est.engine, est.packets, flowPackets(WASM_BATCH, WASM_BATCH, 0, TcpFlag.ACK));
const few = await wasmDatapath();
encode(few.engine, few.packets, flowPackets(WASM_BATCH, FEW_FLOWS, 0, TcpFlag.SYN));
few.engine.processRecords(few.packets, WASM_BATCH, few.verdicts);
encode(few.engine, few.packets, flowPackets(WASM_BATCH, FEW_FLOWS, 0, TcpFlag.ACK));
const established = flowPackets(WASM_BATCH, WASM_BATCH, 0, TcpFlag.ACK);

// New flows on full CT maps: fill both engines first.
const full = await wasmDatapath();
encode(full.engine, full.packets, flowPackets(WASM_BATCH, WASM_BATCH, 0, TcpFlag.SYN));
let wasmRound = 1;
while (full.dp.stats().ct.tcp < ctTcpMax) {
  nextNewFlows(full.engine, full.packets, wasmRound++);
  full.engine.processRecords(full.packets, WASM_BATCH, full.verdicts);
}

/**
 * New flows into CT maps with room: a warmed-up datapath whose CT maps a garbage collection has just
 * emptied, timed around processRecords over the batches that take the TCP CT map from empty to 90%
 * full (no evictions); the median of FRESH_RUNS such runs.
 */
async function newFlowsWithRoom(): Promise<BenchRow> {
  const room = await wasmDatapath();
  encode(room.engine, room.packets, flowPackets(WASM_BATCH, WASM_BATCH, 0, TcpFlag.SYN));
  let round = 1;
  const rates: number[] = [];
  for (let run = 0; run <= FRESH_RUNS; run++) {
    room.dp.gc(SECONDS + 1_000_000 * (run + 1));
    let packets = 0;
    let ms = 0;
    while (room.dp.stats().ct.tcp < 0.9 * ctTcpMax) {
      nextNewFlows(room.engine, room.packets, round++);
      const start = performance.now();
      room.engine.processRecords(room.packets, WASM_BATCH, room.verdicts);
      ms += performance.now() - start;
      packets += WASM_BATCH;
    }
    if (room.dp.stats().ct.evictions !== 0) throw new Error("the CT map evicted");
    if (run > 0) rates.push((packets / ms) * 1000); // run 0 warms the code and faults the pages in
  }
  room.dp.dispose();
  rates.sort((a, b) => a - b);
  const median = rates[rates.length >> 1]!;
  const spread = ((rates[rates.length - 1]! - rates[0]!) / 2 / median) * 100;
  return {
    name: "wasm new flows, CT maps with room",
    opsPerSecond: median,
    unit: "packet",
    rmePercent: spread,
    samples: FRESH_RUNS,
  };
}

// Wasm first, with no reference datapath alive: the reference's large JS heaps are collected on the
// other core, and that traffic would show in the Wasm figures.
const bench = new Bench({ time: 1500, warmupTime: 200, warmupIterations: 3 });
bench.add("wasm established, 8,192 flows (records in memory)", () =>
  est.engine.processRecords(est.packets, WASM_BATCH, est.verdicts),
);
bench.add("wasm established, 1,024 flows (records in memory)", () =>
  few.engine.processRecords(few.packets, WASM_BATCH, few.verdicts),
);
bench.add("wasm new flows, CT maps full (records in memory)", () => {
  nextNewFlows(full.engine, full.packets, wasmRound++);
  full.engine.processRecords(full.packets, WASM_BATCH, full.verdicts);
});
bench.add(
  "wasm established, 8,192 flows (processBatch, objects)",
  () => void est.dp.processBatch(established),
);
await bench.run();
const withRoom = await newFlowsWithRoom();

const refDp = await Datapath.create(state, { engine: "reference" });
refDp.processBatch(flowPackets(REF_BATCH, REF_BATCH, 0, TcpFlag.SYN));
const refEstablished = flowPackets(REF_BATCH, REF_BATCH, 0, TcpFlag.ACK);
const refFull = await Datapath.create(state, { engine: "reference" });
const refNew = flowPackets(REF_BATCH, REF_BATCH, 0, TcpFlag.SYN);
let refRound = 0;
const refNewBatch = (): void => {
  const base = refRound++ * REF_BATCH;
  refNew.forEach((p, i) => Object.assign(p, clientFlow(base + i)));
  refFull.processBatch(refNew);
};
while (refFull.stats().ct.tcp < ctTcpMax) refNewBatch();

const refBench = new Bench({ time: 1500, warmupTime: 200, warmupIterations: 3 });
refBench.add("ts-reference established, 1,024 flows", () => void refDp.processBatch(refEstablished));
refBench.add("ts-reference new flows, CT maps full", refNewBatch);
await refBench.run();

const ops: Record<string, number> = {
  "wasm established, 8,192 flows (records in memory)": WASM_BATCH,
  "wasm established, 1,024 flows (records in memory)": WASM_BATCH,
  "wasm established, 8,192 flows (processBatch, objects)": WASM_BATCH,
  "ts-reference established, 1,024 flows": REF_BATCH,
  "wasm new flows, CT maps full (records in memory)": WASM_BATCH,
  "ts-reference new flows, CT maps full": REF_BATCH,
};
const rows = [...rowsFrom(bench, ops, "packet"), withRoom, ...rowsFrom(refBench, ops, "packet")];
report(
  "datapath",
  rows,
  [
    {
      name: "wasm / ts-reference, established flows",
      value: ratio(
        rows,
        "wasm established, 1,024 flows (records in memory)",
        "ts-reference established, 1,024 flows",
      ),
    },
    {
      name: "wasm / ts-reference, new flows (CT maps full)",
      value: ratio(
        rows,
        "wasm new flows, CT maps full (records in memory)",
        "ts-reference new flows, CT maps full",
      ),
    },
  ],
  {
    services: state.services.filter((s) => s.slot === 0).length,
    backends: state.backends.length,
    ipcacheEntries: state.ipcache.length,
    localEndpoints: state.endpoints.length,
    ctTcpMax,
    ctAnyMax: state.node.ctAnyMax,
    wasmBatch: WASM_BATCH,
    referenceBatch: REF_BATCH,
    wasmLoadMs: Math.round(loadMs),
    wasmCtAfterNewFlows: full.dp.stats().ct,
    referenceCtAfterNewFlows: refFull.stats().ct,
    note:
      "new flows: each packet opens a connection to a ClusterIP (service CT entry, random selection, egress CT entry and its RELATED twin); " +
      "with full maps every flow evicts three entries (clock LRU). Rewriting the batch's addresses from JS is inside the timed Wasm new-flow tasks. " +
      "established: ACKs of open connections.",
  },
);

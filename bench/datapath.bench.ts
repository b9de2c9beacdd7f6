// Datapath suite: packets per second through the whole per-packet pipeline on a realistically
// sized node (bench/lib/datapath-node.ts: 300 services, ~3,800 backends, 100,000 ipcache entries),
// Wasm vs the TypeScript reference, for packets of established flows and for new flows (a new
// service CT entry, backend selection and two CT creations per packet).
import { Bench } from "tinybench";
import { rowsFrom, report, ratio } from "./lib/report.js";
import { Datapath } from "../src/datapath/datapath.js";
import { EntryPoint, TcpFlag, createPacketRecord, type PacketRecord } from "../src/model/packet.js";
import { WasmDatapathEngine, encodePacket } from "../src/wasm/datapath.js";
import { benchmarkState, clientFlow } from "./lib/datapath-node.js";

const WASM_BATCH = 8192;
const REF_BATCH = 1024;
const SECONDS = 1_700_000_000;

const state = benchmarkState();
const flowPackets = (n: number, offset: number, flags: number): PacketRecord[] =>
  Array.from({ length: n }, (_, k) => ({
    ...createPacketRecord(),
    ...clientFlow(k + offset),
    seconds: SECONDS,
    proto: 6,
    tcpFlags: flags,
    ipLength: 60,
    entry: EntryPoint.FromEndpoint,
  }));

const buildStart = performance.now();
const wasmDp = await Datapath.create(state, { engine: "wasm" });
const loadMs = performance.now() - buildStart;
const refDp = await Datapath.create(state, { engine: "reference" });
const engine = wasmDp.engine as WasmDatapathEngine;

// Record areas in the module's scratch memory. processBatch (the objects task) encodes its batch
// at the start of the scratch area, so the established-flow and new-flow records live after it.
const L = engine.layout;
const perPacket = L.PACKET_RECORD_SIZE + L.VERDICT_RECORD_SIZE;
const base = engine.wasm.scratch(3 * WASM_BATCH * perPacket) + WASM_BATCH * perPacket;
const est = { packets: base, verdicts: base + 2 * WASM_BATCH * L.PACKET_RECORD_SIZE };
const fresh = {
  packets: base + WASM_BATCH * L.PACKET_RECORD_SIZE,
  verdicts: est.verdicts + WASM_BATCH * L.VERDICT_RECORD_SIZE,
};
const encode = (at: number, packets: readonly PacketRecord[]): void => {
  const view = engine.wasm.view;
  packets.forEach((p, i) => encodePacket(view, at + i * L.PACKET_RECORD_SIZE, L, p));
};
// Open the established flows once (SYN), then keep their ACKs in memory.
encode(est.packets, flowPackets(WASM_BATCH, 0, TcpFlag.SYN));
engine.processRecords(est.packets, WASM_BATCH, est.verdicts);
const established = flowPackets(WASM_BATCH, 0, TcpFlag.ACK);
encode(est.packets, established);
encode(fresh.packets, flowPackets(WASM_BATCH, 0, TcpFlag.SYN));
const refEstablished = flowPackets(REF_BATCH, 0, TcpFlag.ACK);
refDp.processBatch(flowPackets(REF_BATCH, 0, TcpFlag.SYN));
const refNew = flowPackets(REF_BATCH, 0, TcpFlag.SYN);

// New flows: every iteration moves the batch to clients/ports no earlier flow used.
let wasmRound = 1;
let refRound = 1;
const bench = new Bench({ time: 1500, warmupTime: 200, warmupIterations: 3 });
bench.add("wasm established (records in memory)", () =>
  engine.processRecords(est.packets, WASM_BATCH, est.verdicts),
);
bench.add("wasm new flows (records in memory)", () => {
  const view = engine.wasm.view;
  const base = wasmRound++ * WASM_BATCH;
  for (let i = 0; i < WASM_BATCH; i++) {
    const f = clientFlow(base + i);
    const at = fresh.packets + i * L.PACKET_RECORD_SIZE;
    view.setUint32(at + L.PACKET_SADDR, f.saddr, true);
    view.setUint32(at + L.PACKET_DADDR, f.daddr, true);
    view.setUint16(at + L.PACKET_SPORT, f.sport, true);
  }
  engine.processRecords(fresh.packets, WASM_BATCH, fresh.verdicts);
});
bench.add("ts-reference established", () => void refDp.processBatch(refEstablished));
bench.add("ts-reference new flows", () => {
  const base = refRound++ * REF_BATCH;
  refNew.forEach((p, i) => Object.assign(p, clientFlow(base + i)));
  refDp.processBatch(refNew);
});
bench.add("wasm established (processBatch, objects)", () => void wasmDp.processBatch(established));

await bench.run();
const ops: Record<string, number> = {
  "wasm established (records in memory)": WASM_BATCH,
  "wasm established (processBatch, objects)": WASM_BATCH,
  "ts-reference established": REF_BATCH,
  "wasm new flows (records in memory)": WASM_BATCH,
  "ts-reference new flows": REF_BATCH,
};
const rows = rowsFrom(bench, ops, "packet");
const wasmStats = wasmDp.stats();
report(
  "datapath",
  rows,
  [
    {
      name: "wasm / ts-reference, established flows",
      value: ratio(rows, "wasm established (records in memory)", "ts-reference established"),
    },
    {
      name: "wasm / ts-reference, new flows",
      value: ratio(rows, "wasm new flows (records in memory)", "ts-reference new flows"),
    },
  ],
  {
    services: state.services.filter((s) => s.slot === 0).length,
    backends: state.backends.length,
    ipcacheEntries: state.ipcache.length,
    localEndpoints: state.endpoints.length,
    wasmBatch: WASM_BATCH,
    referenceBatch: REF_BATCH,
    wasmLoadMs: Math.round(loadMs),
    wasmCt: wasmStats.ct,
    wasmNat: wasmStats.nat,
    note: "new flows: each packet opens a connection to a ClusterIP (service CT entry, random selection, egress CT entry and its RELATED twin); established: ACKs of open connections",
  },
);

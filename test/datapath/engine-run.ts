// One engine's run of a fixed workload on the lab node, as JSON: test/datapath/reference-without-wasm
// runs the reference engine in its own process (Wasm forbidden there) and this file, as a script,
// runs the Wasm engine in a child process: `node --import tsx test/datapath/engine-run.ts SEED`.
import { Datapath } from "../../src/datapath/datapath.js";
import { DATAPATH_MAP_NAMES } from "../../src/engine/map-records.js";
import { EntryPoint, TcpFlag, createPacketRecord, type PacketRecord } from "../../src/model/packet.js";
import { labServices, labState } from "./lab-state.js";
import { mulberry32 } from "../helpers/mulberry32.js";

const ENTRIES = [EntryPoint.Unknown, EntryPoint.FromEndpoint, EntryPoint.FromNetwork, EntryPoint.FromOverlay];
const FLAGS = [TcpFlag.SYN, TcpFlag.ACK, TcpFlag.ACK | TcpFlag.PSH, TcpFlag.FIN | TcpFlag.ACK, TcpFlag.RST];
const PROTOS = [6, 6, 6, 17, 17, 1, 132];

/**
 * `packets` packets from local pods, node addresses and outside clients to the lab's service
 * frontends and pods, with Maglev selection (so tables are built), backend churn and a GC midway.
 */
export async function runEngine(engine: "wasm" | "reference", seed: number, packets: number) {
  const state = labState();
  const dp = await Datapath.create(state, { engine, seed, algorithm: "maglev" });
  const next = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const frontends = labServices().filter((s) => s.slot === 0);
  const sources = [...state.endpoints.map((e) => e.address), 0xc0a80a65, 0x08080808, 0x0a000215];
  const destinations = [...frontends.map((s) => s.address), ...state.endpoints.map((e) => e.address)];
  // A backend of a service with several: its flows are re-selected after the removal.
  const churned = labServices().find(
    (s) => s.slot === 1 && frontends.some((f) => f.revNatId === s.revNatId && f.count > 1),
  )!;
  const verdicts = [];
  let seconds = 1000;
  for (let done = 0; done < packets; done += 256) {
    const batch: PacketRecord[] = [];
    for (let i = 0; i < 256 && done + i < packets; i++) {
      const p = createPacketRecord();
      const frontend = pick(frontends);
      p.seconds = seconds += Math.floor(next() * 3);
      p.saddr = pick(sources);
      p.daddr = next() < 0.7 ? frontend.address : pick(destinations);
      p.proto = pick(PROTOS);
      p.sport = 1024 + Math.floor(next() * 200);
      p.dport = next() < 0.8 ? frontend.port : Math.floor(next() * 65536);
      p.tcpFlags = p.proto === 6 ? pick(FLAGS) : 0;
      p.icmpType = p.proto === 1 ? 8 : 0;
      p.entry = pick(ENTRIES);
      p.ipLength = 60;
      batch.push(p);
    }
    verdicts.push(...dp.processBatch(batch));
    if (done === 1024) await dp.removeBackend(churned.revNatId, churned.backendId);
    if (done === 2048) dp.gc(seconds + 10_000);
  }
  const maps = Object.fromEntries(DATAPATH_MAP_NAMES.map((name) => [name, dp.readMap(name)]));
  const result = { verdicts, stats: dp.stats(), maps };
  dp.dispose();
  return result;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const seed = Number(process.argv[2]);
  const packets = Number(process.argv[3]);
  process.stdout.write(JSON.stringify(await runEngine("wasm", seed, packets)));
}

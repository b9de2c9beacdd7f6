// A realistic capture of the lab node for the replay benchmarks: a synthetic workload (124 local pods
// talking to webpod, kube-dns over UDP and its metrics port) is replayed once, and every packet as
// it entered the datapath — requests and the replies from the backends the datapath chose — becomes
// an Ethernet/IPv4/TCP-or-UDP pcap record. Replaying the capture with the same seed and algorithm
// then meets the same backends. Maglev is forced so a flow's backend depends on its tuple only: the
// capture can be repeated later in time (memory script) and its replies still match.
import { datapathStateFromSnapshot } from "../../src/load/from-snapshot.js";
import type { DatapathState } from "../../src/engine/state.js";
import { parseIpv4 } from "../../src/engine/verdict.js";
import { chunkBytes } from "../../src/readers/byte-source.js";
import { pcapRecordOf } from "../../src/readers/pcap-writer.js";
import { replay } from "../../src/replay/replayer.js";
import type { SyntheticSpecJson } from "../../src/synthetic/synthetic-spec.js";
import { loadSnapshot } from "../../src/snapshot/load.js";

export const LAB = new URL("../../examples/lab-3node", import.meta.url).pathname;
export const START = 1_704_067_200;
export const ALGORITHM = "maglev" as const;
export const SEED = 1;
const CLIENT_CIDR = "172.20.0.128/25";
const CLIENTS = 124;

/** k8s-ctr of the lab, with the workload's client pods as local endpoints. */
export async function labState(): Promise<DatapathState> {
  const { state } = datapathStateFromSnapshot(await loadSnapshot(LAB), { node: "k8s-ctr", dumpTime: START });
  const first = parseIpv4("172.20.0.129");
  const existing = new Set(state.endpoints.map((e) => e.address));
  for (let i = 0; i < CLIENTS; i++) {
    const address = (first + i) >>> 0;
    // kube-dns's pods (.197, .248) are clients too: their lookups can come back to themselves (hairpin).
    if (!existing.has(address))
      state.endpoints.push({ address, endpointId: 5000 + i, identity: 63446, isHost: false });
  }
  return state;
}

export function workload(connections: number, payloadBytes: number): SyntheticSpecJson {
  return {
    seed: 21,
    connections,
    clients: { count: CLIENTS, cidr: CLIENT_CIDR },
    services: [
      { address: "10.96.163.90", port: 80, proto: "TCP" },
      { address: "10.96.0.10", port: 53, proto: "UDP" },
      { address: "10.96.0.10", port: 9153, proto: "TCP" },
    ],
    popularity: { zipfExponent: 1 },
    connectionLength: { distribution: "uniform", min: 2, max: 12 },
    newConnectionsPerSecond: 2000,
    payloadBytes,
  };
}

export interface LabCapture {
  /** pcap records (no file header), back to back. */
  records: Uint8Array;
  /** Byte offset of every record in `records`. */
  offsets: Uint32Array;
  packets: number;
  /** Seconds from the first packet to one past the last. */
  spanSeconds: number;
}

/** Replays the workload once and records every packet as it entered the datapath. */
export async function recordLabCapture(connections: number, payloadBytes: number): Promise<LabCapture> {
  const parts: Uint8Array[] = [];
  let first = -1;
  let last = 0;
  await replay({
    state: await labState(),
    source: chunkBytes(
      new TextEncoder().encode(JSON.stringify(workload(connections, payloadBytes))),
      1 << 16,
    ),
    workers: 1,
    seed: SEED,
    algorithm: ALGORITHM,
    onVerdict: ({ packet: p }) => {
      if (first < 0) first = p.seconds;
      last = p.seconds;
      parts.push(pcapRecordOf(p));
    },
  });
  const size = parts.reduce((n, p) => n + p.length, 0);
  const records = new Uint8Array(size);
  const offsets = new Uint32Array(parts.length);
  let at = 0;
  parts.forEach((p, i) => {
    offsets[i] = at;
    records.set(p, at);
    at += p.length;
  });
  return { records, offsets, packets: parts.length, spanSeconds: last - first + 1 };
}

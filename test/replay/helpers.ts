// Shared by the replay tests: the bundled lab snapshot's k8s-ctr node as a DatapathState (small CT
// and NAT maps, so the many datapaths the tests create stay light), optionally with extra local
// client pods.
import { datapathStateFromSnapshot } from "../../src/load/from-snapshot.js";
import type { DatapathState } from "../../src/engine/state.js";
import { parseIpv4 } from "../../src/engine/verdict.js";
import type { PacketRecord } from "../../src/model/packet.js";
import { pcapFileHeader, pcapRecordOf } from "../../src/readers/pcap-writer.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { loadSnapshot } from "../../src/snapshot/load.js";

export const LAB = "examples/lab-3node";
/** 2024-01-01T00:00:00Z, the synthetic generator's default start. */
export const START = 1_704_067_200;
export const WEBPOD = "10.96.163.90:80";
export const WEBPOD_BACKENDS = ["172.20.0.66:80", "172.20.1.126:80", "172.20.2.1:80"];

let snapshot: Promise<Snapshot> | undefined;

/** k8s-ctr of examples/lab-3node; local pods at the `clients` addresses from 172.20.0.128 (curl-pod's identity). */
export async function labState(clients = 0): Promise<DatapathState> {
  snapshot ??= loadSnapshot(LAB);
  const { state } = datapathStateFromSnapshot(await snapshot, {
    node: "k8s-ctr",
    dumpTime: START,
    config: { ctTcpMax: 65536, ctAnyMax: 65536, natMax: 65536, affinityMax: 4096 },
  });
  const first = parseIpv4("172.20.0.128");
  const existing = new Set(state.endpoints.map((e) => e.address));
  for (let i = 0; i < clients; i++) {
    const address = (first + i) >>> 0;
    // The lab's own pods in the range (kube-dns at .197 and .248) stay as they are.
    if (!existing.has(address))
      state.endpoints.push({ address, endpointId: 5000 + i, identity: 63446, isHost: false });
  }
  return state;
}

/**
 * A pcap (Ethernet, µs) of packets as a replay saw them enter the datapath: what a capture at the
 * pods would hold, replies from the backends included.
 */
export function pcapOf(packets: readonly PacketRecord[]): Uint8Array {
  // The header-only length, whatever length the generator gave the packet.
  const records = packets.map((p) => pcapRecordOf({ ...p, ipLength: 0 }));
  const header = pcapFileHeader(65535);
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, header.length));
  out.set(header);
  let at = header.length;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

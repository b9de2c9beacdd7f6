// Shared by the replay tests: the bundled lab snapshot's k8s-ctr node as a DatapathState (small CT
// and NAT maps, so the many datapaths the tests create stay light), optionally with extra local
// client pods.
import { datapathStateFromSnapshot } from "../../src/datapath/from-snapshot.js";
import type { DatapathState } from "../../src/datapath/state.js";
import { parseIpv4 } from "../../src/datapath/verdict.js";
import { IpProto, type PacketRecord } from "../../src/model/packet.js";
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
  const records = packets.map((p) => {
    const l4 = p.proto === IpProto.TCP ? 20 : 8;
    const ipLength = 20 + l4;
    const frame = 14 + ipLength;
    const bytes = new Uint8Array(16 + frame);
    const v = new DataView(bytes.buffer);
    v.setUint32(0, p.seconds, true);
    v.setUint32(4, Math.floor(p.nanoseconds / 1000), true);
    v.setUint32(8, frame, true);
    v.setUint32(12, frame, true);
    v.setUint16(16 + 12, 0x0800);
    const ip = 16 + 14;
    v.setUint8(ip, 0x45);
    v.setUint16(ip + 2, ipLength);
    v.setUint8(ip + 8, 64);
    v.setUint8(ip + 9, p.proto);
    v.setUint32(ip + 12, p.saddr);
    v.setUint32(ip + 16, p.daddr);
    v.setUint16(ip + 20, p.sport);
    v.setUint16(ip + 22, p.dport);
    if (p.proto === IpProto.TCP) {
      v.setUint8(ip + 32, 0x50);
      v.setUint8(ip + 33, p.tcpFlags & 0xff);
    } else v.setUint16(ip + 24, l4);
    return bytes;
  });
  const header = new Uint8Array(24);
  const h = new DataView(header.buffer);
  h.setUint32(0, 0xa1b2c3d4, true);
  h.setUint16(4, 2, true);
  h.setUint16(6, 4, true);
  h.setUint32(16, 65535, true);
  h.setUint32(20, 1, true);
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, header.length));
  out.set(header);
  let at = header.length;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

// Shared by the replay tests: the bundled lab snapshot's k8s-ctr node as a DatapathState (small CT
// and NAT maps, so the many datapaths the tests create stay light), optionally with extra local
// client pods.
import { datapathStateFromSnapshot } from "../../src/datapath/from-snapshot.js";
import type { DatapathState } from "../../src/datapath/state.js";
import { parseIpv4 } from "../../src/datapath/verdict.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { loadSnapshot } from "../../src/snapshot/load.js";

export const LAB = "examples/lab-3node";
/** 2024-01-01T00:00:00Z, the synthetic generator's default start. */
export const START = 1_704_067_200;
export const WEBPOD = "10.96.163.90:80";
export const WEBPOD_BACKENDS = ["172.20.0.66:80", "172.20.1.126:80", "172.20.2.1:80"];

let snapshot: Promise<Snapshot> | undefined;

/** k8s-ctr of examples/lab-3node; `clients` extra local pods from 172.20.0.128 (identity of curl-pod). */
export async function labState(clients = 0): Promise<DatapathState> {
  snapshot ??= loadSnapshot(LAB);
  const { state } = datapathStateFromSnapshot(await snapshot, {
    node: "k8s-ctr",
    dumpTime: START,
    config: { ctTcpMax: 65536, ctAnyMax: 65536, natMax: 65536, affinityMax: 4096 },
  });
  const first = parseIpv4("172.20.0.128");
  for (let i = 0; i < clients; i++) {
    state.endpoints.push({
      address: (first + i) >>> 0,
      endpointId: 5000 + i,
      identity: 63446,
      isHost: false,
    });
  }
  return state;
}

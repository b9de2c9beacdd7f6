// The embedding scenario, written as a user of the package would (imports from "dpemu"): parse the
// lab dumps, build the datapath and the webpod Maglev table, trace curl-pod's SYN. The browser page
// (embed-page.ts) and the Node side of embed.test.ts run this same code, so their results compare.
import {
  Datapath,
  EntryPoint,
  IpProto,
  TcpFlag,
  buildMaglevTable,
  createPacketRecord,
  datapathStateFromSnapshot,
  formatIPv4,
  requireIPv4,
  parseSnapshotFiles,
  type SnapshotFile,
} from "dpemu";

/** What runEmbed gives back to the test (structured-clone friendly). */
export interface EmbedResult {
  verdict: string;
  backend: string;
  backendId: number;
  steps: string[];
  maglevTable: number[];
}

export interface EmbedInput {
  files: SnapshotFile[];
  node: string;
  dumpTime: number;
  from: string;
  to: string;
}

export async function runEmbed(input: EmbedInput): Promise<EmbedResult> {
  const snapshot = parseSnapshotFiles(input.files, { source: "lab-3node" });
  const { state } = datapathStateFromSnapshot(snapshot, { node: input.node, dumpTime: input.dumpTime });
  const dp = await Datapath.create(state, { algorithm: "maglev" });

  const ids = dp.serviceBackends(input.to);
  const backends = state.backends
    .filter((b) => ids.includes(b.id))
    .map((b) => ({
      address: formatIPv4(b.address),
      port: b.port,
      protocol: "TCP",
      weight: b.weight,
      id: b.id,
    }));
  const maglevTable = await buildMaglevTable(backends, {
    tableSize: state.node.maglevTableSize,
    seed: state.node.clusterSeed,
  });

  const [saddr, sport] = input.from.split(":");
  const [daddr, dport] = input.to.split(":");
  const { verdict, steps } = dp.trace({
    ...createPacketRecord(),
    seconds: input.dumpTime,
    saddr: requireIPv4(saddr ?? ""),
    sport: Number(sport),
    daddr: requireIPv4(daddr ?? ""),
    dport: Number(dport),
    proto: IpProto.TCP,
    tcpFlags: TcpFlag.SYN,
    ipLength: 60,
    entry: EntryPoint.FromEndpoint,
  });
  return {
    verdict: verdict.verdict,
    backend: `${formatIPv4(verdict.daddr)}:${verdict.dport}`,
    backendId: verdict.backendId,
    steps: steps.map((s) => `${s.point} ${s.verdict} ${s.note}`),
    maglevTable: Array.from(maglevTable),
  };
}

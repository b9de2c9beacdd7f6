// The page script of the browser embedding test, written as a user of the package would: imports
// from "dpemu" and the module's URL from "dpemu/dpemu.wasm" (a bundler's file loader turns it into
// a URL). embed.test.ts bundles it for the browser and calls window.runEmbed with the dump texts.
import {
  Datapath,
  EntryPoint,
  IpProto,
  TcpFlag,
  buildMaglevTable,
  createPacketRecord,
  datapathStateFromSnapshot,
  formatIpv4,
  parseIpv4,
  parseSnapshotFiles,
  setDefaultWasmSource,
  type SnapshotFile,
} from "dpemu";
import wasmUrl from "dpemu/dpemu.wasm";

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

async function runEmbed(input: EmbedInput): Promise<EmbedResult> {
  // Every dpemu call below that needs the Wasm module compiles it once from here.
  setDefaultWasmSource(new URL(wasmUrl, document.baseURI));
  const snapshot = parseSnapshotFiles(input.files, { source: "lab-3node" });
  const { state } = datapathStateFromSnapshot(snapshot, { node: input.node, dumpTime: input.dumpTime });
  const dp = await Datapath.create(state, { algorithm: "maglev" });

  const ids = dp.serviceBackends(input.to);
  const backends = state.backends
    .filter((b) => ids.includes(b.id))
    .map((b) => ({
      address: formatIpv4(b.address),
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
    saddr: parseIpv4(saddr ?? ""),
    sport: Number(sport),
    daddr: parseIpv4(daddr ?? ""),
    dport: Number(dport),
    proto: IpProto.TCP,
    tcpFlags: TcpFlag.SYN,
    ipLength: 60,
    entry: EntryPoint.FromEndpoint,
  });
  return {
    verdict: verdict.verdict,
    backend: `${formatIpv4(verdict.daddr)}:${verdict.dport}`,
    backendId: verdict.backendId,
    steps: steps.map((s) => `${s.point} ${s.verdict} ${s.note}`),
    maglevTable: Array.from(maglevTable),
  };
}

(globalThis as { runEmbed?: typeof runEmbed }).runEmbed = runEmbed;

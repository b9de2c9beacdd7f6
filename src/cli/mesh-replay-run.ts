// `dpemu replay --mesh west=DIR --mesh east=DIR`: a capture replayed through every node of every
// cluster of the mesh (each packet from its pod's node, or in at the node owning its destination);
// prints per-node counts under `<cluster>/<node>` names and writes the summary as JSON with
// --summary-json.
import { writeFile } from "node:fs/promises";
import { Ingress } from "../cluster/ingress.js";
import { replayCluster } from "../cluster/cluster-replay.js";
import type { ClusterReplayCliOptions } from "./cluster-replay-run.js";
import { clusterReplayText } from "./cluster-replay-run.js";
import { buildMesh, type MeshCliOptions } from "./mesh-options.js";
import type { ReplayInput } from "./replay-input.js";
import { snapshotReadOptions } from "./unpack-limits-option.js";

/** Runs the mesh replay and prints (and writes) its summary. */
export async function runMeshReplay(
  source: ReplayInput,
  o: ClusterReplayCliOptions & MeshCliOptions,
): Promise<void> {
  const mesh = await buildMesh(
    "replay",
    o,
    {
      seed: o.seed,
      ...(o.algorithm ? { algorithm: o.algorithm } : {}),
      ...(o.reference ? { engine: "reference" as const } : {}),
      randomPerFlow: true,
      ...snapshotReadOptions(o),
      dumpTime: Math.floor(Date.now() / 1000),
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  try {
    const ingress = new Ingress(mesh.cluster, { mode: "address" });
    const { read, summary } = await replayCluster(mesh.cluster, ingress, source.all(), {
      format: o.format,
      sourceName: source.name,
    });
    const clusters = mesh.clusters.map((c) => ({
      name: c.name,
      id: c.id,
      nodes: c.nodes.map((n) => n.name),
    }));
    const json = `${JSON.stringify({ read, mesh: { clusters, ...summary } })}\n`;
    if (o.summaryJson === "-") process.stdout.write(json);
    else {
      process.stdout.write(clusterReplayText(source.name, read, summary));
      if (o.summaryJson !== undefined) await writeFile(o.summaryJson, json);
    }
  } finally {
    mesh.dispose();
  }
}

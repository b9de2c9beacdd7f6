// `dpemu trace --mesh west=DIR --mesh east=DIR`: builds the mesh, traces the packet from its pod's
// node (or in at the node owning the destination) both ways across the clusters, and prints it with
// every hop under its `<cluster>/<node>` name, as text or the documented JSON.
import { Ingress } from "../cluster/ingress.js";
import { podNode, traceCluster } from "../cluster/cluster-trace.js";
import { meshTraceJson } from "../mesh/trace-json.js";
import type { PacketRecord } from "../model/packet.js";
import { formatIPv4 } from "../model/ipv4.js";
import { InputError } from "../snapshot/errors.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { clusterTraceText } from "./cluster-trace-text.js";
import type { ClusterTraceRun } from "./cluster-trace-run.js";
import { commandLine } from "./errors.js";
import { buildMesh, type MeshCliOptions } from "./mesh-options.js";
import { snapshotReadOptions } from "./unpack-limits-option.js";

/** Runs the mesh trace and writes it to stdout; true when the request was forwarded. */
export async function runMeshTrace(
  packet: PacketRecord,
  options: MeshCliOptions & { lenient?: boolean; maxUnpacked?: Partial<UnpackLimits> },
  run: ClusterTraceRun,
): Promise<boolean> {
  const mesh = await buildMesh(
    "trace",
    options,
    {
      seed: run.seed,
      ...(run.algorithm ? { algorithm: run.algorithm } : {}),
      ...snapshotReadOptions(options),
      dumpTime: run.now,
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  try {
    const from = podNode(mesh.cluster, packet.saddr);
    const ingress = new Ingress(mesh.cluster, { mode: "address" });
    const trace = traceCluster(mesh.cluster, ingress, packet, from);
    if (!trace)
      throw new InputError(
        commandLine("trace"),
        `no node of the mesh takes a packet from ${formatIPv4(packet.saddr)} to ${formatIPv4(packet.daddr)}: send it from a pod (--from POD_IP) or to a node address`,
      );
    process.stdout.write(
      run.format === "json"
        ? `${JSON.stringify(meshTraceJson(mesh, trace))}\n`
        : clusterTraceText(trace, packet),
    );
    return trace.request.hops.at(-1)!.verdict.verdict === "FORWARDED";
  } finally {
    mesh.dispose();
  }
}

// `dpemu trace --cluster`: builds the cluster, traces the packet both ways and prints it as text or
// the documented JSON. A packet from a pod starts on the pod's node; any other enters by the ingress.
import { clusterTraceJson } from "../cluster/trace-json.js";
import { podNode, traceCluster } from "../cluster/cluster-trace.js";
import type { PacketRecord } from "../model/packet.js";
import { formatIPv4 } from "../model/ipv4.js";
import type { LbAlgorithm } from "../engine/state.js";
import { InputError } from "../snapshot/errors.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { buildCluster, type ClusterCliOptions } from "./cluster-options.js";
import { clusterTraceText } from "./cluster-trace-text.js";
import { commandLine } from "./errors.js";
import { snapshotReadOptions } from "./unpack-limits-option.js";

/** What the trace command itself decided. */
export interface ClusterTraceRun {
  readonly seed: number;
  readonly algorithm?: LbAlgorithm;
  readonly format: "text" | "json";
  readonly now: number;
}

/** Runs the cluster trace and writes it to stdout; true when the request was forwarded. */
export async function runClusterTrace(
  path: string,
  packet: PacketRecord,
  options: ClusterCliOptions & { lenient?: boolean; maxUnpacked?: Partial<UnpackLimits> },
  run: ClusterTraceRun,
): Promise<boolean> {
  const { cluster, ingress } = await buildCluster(
    "trace",
    path,
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
    const trace = traceCluster(cluster, ingress, packet, podNode(cluster, packet.saddr));
    if (!trace)
      throw new InputError(
        commandLine("trace"),
        `no node takes a packet to ${formatIPv4(packet.daddr)}: the ingress (${ingress.mode.mode}) has no node for it`,
      );
    process.stdout.write(
      run.format === "json"
        ? `${JSON.stringify(clusterTraceJson(trace))}\n`
        : clusterTraceText(trace, packet),
    );
    return trace.request.hops.at(-1)!.verdict.verdict === "FORWARDED";
  } finally {
    cluster.dispose();
  }
}

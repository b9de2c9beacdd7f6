// `dpemu replay --cluster`: a capture taken at the router or client side through every node of the
// cluster; prints per-node packet counts, bytes between nodes and the replies' paths, and writes the
// summary as JSON with --summary-json. `--node NAME` shows that node's row only, as `hubble observe
// --node` keeps the flows one node saw; the cluster-wide lines and the JSON summary stay whole.
import { writeFile } from "node:fs/promises";
import { replayCluster, type ClusterReplaySummary } from "../cluster/cluster-replay.js";
import type { LbAlgorithm } from "../engine/state.js";
import { escapeForTerminal } from "../model/escape.js";
import type { CaptureFormat, ReadSummary } from "../readers/read-summary.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { InputError } from "../snapshot/errors.js";
import { buildCluster, type ClusterCliOptions } from "./cluster-options.js";
import { commandLine } from "./errors.js";
import type { ReplayInput } from "./replay-input.js";
import { snapshotReadOptions } from "./unpack-limits-option.js";

/** The replay command's options that a cluster replay reads. */
export interface ClusterReplayCliOptions extends ClusterCliOptions {
  readonly format: CaptureFormat | "auto";
  readonly seed: number;
  readonly algorithm?: LbAlgorithm;
  readonly reference?: boolean;
  readonly lenient?: boolean;
  readonly maxUnpacked?: Partial<UnpackLimits>;
  readonly summaryJson?: string;
  /** Show only this node's counts. */
  readonly node?: string;
}

/** `--node` checked against the cluster's nodes (exit 2 naming them when it is none of them). */
function nodeFilter(names: readonly string[], node: string | undefined): string | undefined {
  if (node === undefined || names.includes(node)) return node;
  throw new InputError(
    commandLine("replay"),
    `--node ${JSON.stringify(node)}: no such node in the cluster (nodes: ${names.join(", ")})`,
  );
}

/** The summary as text, one line per node (only `node`'s when one is named). */
export function clusterReplayText(
  input: string,
  read: ReadSummary,
  s: ClusterReplaySummary,
  node?: string,
): string {
  const lines = [
    `Replayed ${s.packets} packets of ${escapeForTerminal(input)} (${read.format}) through ${Object.keys(s.nodes).length} nodes: ${s.requests} requests, ${s.replies} replies, ${s.unmatchedReplies} replies of unknown connections, ${s.notEntered} not taken by any node`,
    `Paths: ${s.ends.delivered} delivered, ${s.ends["left-cluster"]} left the cluster, ${s.ends.dropped} dropped`,
    `Between nodes: ${s.crossNodePackets} packets, ${s.crossNodeBytes} bytes`,
    `Replies: ${s.repliesThroughIngress} back through the ingress node, ${s.repliesBypassingIngress} bypassing it`,
    "NODE\tPACKETS\tFORWARDED\tDROPPED",
    ...Object.entries(s.nodes)
      .filter(([name]) => node === undefined || name === node)
      .map(([name, n]) => `${escapeForTerminal(name)}\t${n.packets}\t${n.forwarded}\t${n.dropped}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** Runs the cluster replay and prints (and writes) its summary. */
export async function runClusterReplay(
  snapshotPath: string,
  source: ReplayInput,
  o: ClusterReplayCliOptions,
): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const { cluster, ingress } = await buildCluster(
    "replay",
    snapshotPath,
    o,
    {
      seed: o.seed,
      ...(o.algorithm ? { algorithm: o.algorithm } : {}),
      ...(o.reference ? { engine: "reference" as const } : {}),
      randomPerFlow: true,
      ...snapshotReadOptions(o),
      dumpTime: now,
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  try {
    const node = nodeFilter(
      cluster.nodes.map((n) => n.name),
      o.node,
    );
    const { read, summary } = await replayCluster(cluster, ingress, source.all(), {
      format: o.format,
      sourceName: source.name,
    });
    const json = `${JSON.stringify({ read, cluster: summary })}\n`;
    if (o.summaryJson === "-") process.stdout.write(json);
    else {
      process.stdout.write(clusterReplayText(source.name, read, summary, node));
      if (o.summaryJson !== undefined) await writeFile(o.summaryJson, json);
    }
  } finally {
    cluster.dispose();
  }
}

// `dpemu compare --cluster`: the cluster failover experiment beside the single-node one. For SNAT and
// DSR, Maglev and random, it opens connections to a LoadBalancer frontend through the router's real
// ECMP hash and every node's datapath, takes one node out of the ECMP set, and counts the
// connections that keep their backend and those that survive.
import { runFailover, type ClusterFailoverResult } from "../cluster/failover.js";
import { escapeForTerminal } from "../model/escape.js";
import { formatIPv4, parseIPv4 } from "../model/ipv4.js";
import { ServiceFlag } from "../model/service-flags.js";
import type { KprMode, LbAlgorithm } from "../engine/state.js";
import { InputError } from "../snapshot/errors.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { buildCluster, type ClusterCliOptions } from "./cluster-options.js";
import { commandLine } from "./errors.js";
import type { Cluster } from "../cluster/cluster.js";
import { snapshotReadOptions } from "./unpack-limits-option.js";

/** The compare options a cluster comparison reads. */
export interface ClusterCompareCliOptions extends ClusterCliOptions {
  readonly connections?: string;
  readonly leave?: string;
  readonly service?: readonly string[];
  readonly seed: string;
  readonly output?: string;
  readonly lenient?: boolean;
  readonly maxUnpacked?: Partial<UnpackLimits>;
}

/** One run of the experiment. */
export interface ClusterFailoverRow extends ClusterFailoverResult {
  mode: KprMode;
  algorithm: LbAlgorithm;
  frontend: string;
  left: string;
}

/** The LoadBalancer frontend to use: the one asked for, else the first with two or more backends. */
function frontendOf(cluster: Cluster, asked: string | undefined): string {
  if (asked !== undefined) return asked.replace(/\/TCP$/i, "");
  const dp = cluster.nodes[0]!.datapath;
  const lb = dp.state.services.find(
    (s) =>
      s.slot === 0 &&
      (s.flags & ServiceFlag.LoadBalancer) !== 0 &&
      s.proto === 6 &&
      dp.serviceBackends(s.revNatId).length >= 2,
  );
  if (!lb)
    throw new InputError(
      commandLine("compare"),
      "no TCP LoadBalancer frontend with two or more backends: name one with --service IP:PORT",
    );
  return `${formatIPv4(lb.address)}:${lb.port}`;
}

async function oneRun(
  path: string,
  o: ClusterCompareCliOptions,
  mode: KprMode,
  algorithm: LbAlgorithm,
  connections: number,
): Promise<ClusterFailoverRow> {
  // CT and NAT maps sized to the experiment (never below 64k): large enough to hold every connection.
  const size = Math.max(65536, 8 * connections);
  const { cluster, ingress } = await buildCluster(
    "compare",
    path,
    { ...o, kprMode: mode, ingress: o.ingress ?? "ecmp" },
    {
      seed: Number(o.seed),
      algorithm,
      ...snapshotReadOptions(o),
      dumpTime: 1000,
      config: { ctTcpMax: size, ctAnyMax: size, natMax: size },
    },
    () => undefined,
  );
  try {
    const frontend = frontendOf(cluster, o.service?.[0]);
    const before = ingress.members(parseIPv4(frontend.split(":")[0] ?? "") ?? 0).members.map((m) => m.node);
    const left = o.leave ?? before[0];
    if (left === undefined || !before.includes(left))
      throw new InputError(
        commandLine("compare"),
        `--leave ${JSON.stringify(o.leave)}: not an ECMP next hop of ${frontend} (next hops: ${before.join(", ")})`,
      );
    const result = await runFailover(cluster, ingress, {
      frontend,
      after: before.filter((n) => n !== left),
      connections,
    });
    return { ...result, mode, algorithm, frontend, left };
  } finally {
    cluster.dispose();
  }
}

/** Runs the experiment for SNAT and DSR with Maglev and random, and prints it. */
export async function runClusterCompare(path: string, o: ClusterCompareCliOptions): Promise<void> {
  const connections = Number(o.connections ?? "10000");
  if (!/^\d+$/.test(o.connections ?? "10000") || connections < 1 || connections > 1_000_000) {
    throw new InputError(
      commandLine("compare"),
      `--connections must be an integer 1..1000000, got ${JSON.stringify(o.connections)}`,
    );
  }
  const rows: ClusterFailoverRow[] = [];
  for (const mode of ["snat", "dsr"] as const)
    for (const algorithm of ["maglev", "random"] as const)
      rows.push(await oneRun(path, o, mode, algorithm, connections));
  if (o.output === "json") {
    process.stdout.write(`${JSON.stringify({ clusterFailover: rows })}\n`);
    return;
  }
  const first = rows[0]!;
  const lines = [
    `Cluster failover: ${first.connections} connections to ${first.frontend}, ${escapeForTerminal(first.left)} leaves the ECMP set (${first.moved} connections move to another node)`,
    "MODE\tSELECTION\tKEPT BACKEND\tSURVIVED\tBROKEN\tRANDOM PREDICTED BROKEN",
    ...rows.map(
      (r) =>
        `${r.mode}\t${r.algorithm}\t${r.keptBackend}\t${r.survived}\t${r.established - r.survived}\t${Math.round(r.predictedRandomBroken)}`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

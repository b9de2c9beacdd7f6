// The options every command shares for a cluster run: which nodes (the snapshot's, or `--nodes N`
// synthetic ones), how packets enter (BGP ECMP with the router's hash, the L2 lease holder, the
// addressed node, a named node) and the KPR mode to emulate. Builds the Cluster and its Ingress.
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { Cluster, type ClusterOptions } from "../cluster/cluster.js";
import { Ingress, type IngressMode } from "../cluster/ingress.js";
import { loadClusterInputs } from "../cluster/load-cluster.js";
import { recogniseRouterFile } from "../cluster/router/router-inputs.js";
import type { KprMode, LbAlgorithm, NodeConfig } from "../engine/state.js";
import { InputError } from "../snapshot/errors.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { commandLine } from "./errors.js";
import { warningsSummary } from "./snapshot-warnings.js";

/** The cluster options as commander hands them over. */
export interface ClusterCliOptions {
  readonly cluster?: boolean;
  readonly nodes?: string;
  readonly ingress?: string;
  readonly routerHash?: string;
  readonly ecmpGroup?: string;
  readonly ecmpSeed?: string;
  readonly kprMode?: string;
  readonly local?: readonly string[];
}

/** Adds the cluster options to a command. */
export function addClusterOptions(command: Command): Command {
  return command
    .option("--cluster", "run every node of the snapshot (default when it holds router-side outputs)")
    .option("--nodes <n>", "a synthetic cluster of N nodes with one LoadBalancer service 172.16.1.1:80")
    .option("--ingress <how>", "ecmp (default), l2[:HOLDER], address, or node:NAME")
    .addOption(
      new Option("--router-hash <policy>", "the router's fib_multipath_hash_policy")
        .choices(["l3", "l4"])
        .default("l3"),
    )
    .addOption(
      new Option("--ecmp-group <type>", "the router's next-hop group")
        .choices(["hash-threshold", "resilient"])
        .default("hash-threshold"),
    )
    .option("--ecmp-seed <n>", "key of dpemu's multipath hash (Linux draws one per boot)", "0")
    .addOption(
      new Option("--kpr-mode <mode>", "emulate this kube-proxy replacement mode on every node").choices([
        "snat",
        "dsr",
        "hybrid",
      ]),
    )
    .option("--local <frontend...>", "treat these frontends (IP:PORT/PROTO) as ExternalTrafficPolicy Local");
}

function integer(command: string, name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new InputError(
      commandLine(command),
      `${name} must be an integer ${min}..${max}, got ${JSON.stringify(text)}`,
    );
  return n;
}

/** The ingress mode the options describe. */
export function ingressMode(command: string, o: ClusterCliOptions): IngressMode {
  const text = o.ingress ?? "ecmp";
  const [how, arg] = [text.split(":")[0], text.includes(":") ? text.slice(text.indexOf(":") + 1) : undefined];
  if (how === "ecmp" && arg === undefined) {
    return {
      mode: "ecmp",
      hash: o.routerHash === "l4" ? "l4" : "l3",
      group: o.ecmpGroup === "resilient" ? "resilient" : "hash-threshold",
      seed: integer(command, "--ecmp-seed", o.ecmpSeed ?? "0", 0, 0xffffffff),
    };
  }
  if (how === "l2") return arg ? { mode: "l2", holder: arg } : { mode: "l2" };
  if (how === "address" && arg === undefined) return { mode: "address" };
  if (how === "node" && arg) return { mode: "node", node: arg };
  throw new InputError(
    commandLine(command),
    `--ingress must be ecmp, l2[:HOLDER], address or node:NAME, got ${JSON.stringify(text)}`,
  );
}

/**
 * Refuses `--node` in a cluster run: it picks one node's view, and a cluster run takes every node's;
 * `instead` names the cluster option that says what the user likely meant.
 */
export function refuseNodeInCluster(command: string, node: string | undefined, instead: string): void {
  if (node === undefined) return;
  throw new InputError(
    commandLine(command),
    `--node picks one node's view, but this is a cluster run (--cluster, --nodes, --mesh, or a snapshot with router-side outputs) of every node: ${instead}`,
  );
}

/** What a command's own options decide about every node. */
export interface ClusterBase {
  readonly seed: number;
  /** Node configuration overrides besides --kpr-mode (e.g. map sizes for an experiment). */
  readonly config?: Partial<NodeConfig>;
  readonly algorithm?: LbAlgorithm;
  readonly engine?: "wasm" | "reference";
  readonly randomPerFlow?: boolean;
  readonly lenient: boolean;
  readonly limits?: Partial<UnpackLimits>;
  readonly dumpTime: number;
}

/** Builds the cluster (from the snapshot or synthetic) and its ingress; warnings and inferences go to `warn`. */
export async function buildCluster(
  command: string,
  snapshotPath: string,
  o: ClusterCliOptions,
  base: ClusterBase,
  warn: (line: string) => void,
): Promise<{ cluster: Cluster; ingress: Ingress }> {
  const kprMode = o.kprMode as KprMode | undefined;
  const mode = ingressMode(command, o);
  const options: ClusterOptions = {
    seed: base.seed,
    ...(base.algorithm ? { algorithm: base.algorithm } : {}),
    ...(base.engine ? { engine: base.engine } : {}),
    ...(base.randomPerFlow ? { randomPerFlow: true } : {}),
    config: { ...base.config, ...(kprMode ? { kprMode } : {}) },
    localFrontends: o.local ?? [],
  };
  let cluster: Cluster;
  if (o.nodes !== undefined) {
    cluster = await Cluster.synthetic(
      {
        nodes: integer(command, "--nodes", o.nodes, 1, 250),
        ...(kprMode ? { kprMode } : {}),
        ...(base.algorithm ? { algorithm: base.algorithm } : {}),
      },
      options,
    );
  } else {
    const { snapshot, router } = await loadClusterInputs(snapshotPath, {
      lenient: base.lenient,
      ...(base.limits ? { limits: base.limits } : {}),
    });
    const summary = warningsSummary(snapshot);
    if (summary !== undefined) warn(summary);
    cluster = await Cluster.fromSnapshot(snapshot, { ...options, router, dumpTime: base.dumpTime });
  }
  try {
    // A forced --kpr-mode replaces the dumped one: its notes no longer apply.
    const shown = cluster
      .notes()
      .filter((n) => n.includes("not emulated") && !(kprMode && n.includes("replacement mode")));
    for (const note of shown) warn(`dpemu: ${note}`);
    return { cluster, ingress: new Ingress(cluster, mode) };
  } catch (error) {
    cluster.dispose();
    throw error instanceof InputError
      ? error
      : new InputError(commandLine(command), (error as Error).message);
  }
}

/** Whether a snapshot directory holds router-side outputs (then a cluster run is the default). */
export async function hasRouterSide(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return false;
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith(".")) continue;
    const handle = await open(join(e.parentPath, e.name), "r");
    try {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
      if (
        recogniseRouterFile(
          buffer
            .subarray(0, bytesRead)
            .toString("utf8")
            .replace(/\n[^\n]*$/, ""),
        ) !== undefined
      )
        return true;
    } finally {
      await handle.close();
    }
  }
  return false;
}

// One cluster of a mesh from its directory: the node dumps go to the snapshot loader, `cilium node
// list` (recognised by its header) gives every node's address, pod CIDR and source, and the agent
// configuration (or the caller) names the cluster and its ID.
import { stat } from "node:fs/promises";
import type { Snapshot } from "../model/snapshot.js";
import { loadSnapshot, type LoadOptions } from "../snapshot/load.js";
import { parseSnapshotFiles } from "../snapshot/parse-files.js";
import { DEFAULT_UNPACK_LIMITS } from "../snapshot/archive/limits.js";
import { InputError } from "../snapshot/errors.js";
import { regularFiles } from "../cluster/load-cluster.js";
import { isNodeList, parseNodeList, type MeshNodeEntry } from "./node-list.js";
import { preferredBackends, type PreferredBackends } from "./preferred-backends.js";

/** What the mesh needs of one cluster: its name and ID, its nodes' dumps, and its node list. */
export interface MeshClusterInputs {
  readonly name: string;
  /** The ClusterMesh cluster ID (1..511; 0 when no source gives it). */
  readonly id: number;
  readonly snapshot: Snapshot;
  /** `cilium node list` rows (empty when the snapshot has none). */
  readonly nodeList: readonly MeshNodeEntry[];
  /** Backends its service lists mark ` (preferred)`, by frontend (`--clustermesh-affinity`). */
  readonly preferred: PreferredBackends;
}

/** A cluster as the command line names it: `NAME[:ID]=PATH`, or a bare path. */
export interface MeshClusterSpec {
  readonly path: string;
  readonly name?: string;
  readonly id?: number;
}

/** Parses `NAME[:ID]=PATH` (or a bare PATH); a malformed name or ID is an InputError. */
export function parseMeshClusterSpec(text: string): MeshClusterSpec {
  const eq = text.indexOf("=");
  if (eq < 0) return { path: text };
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?::(\d{1,3}))?$/.exec(text.slice(0, eq));
  if (!m) throw new InputError({ file: text, line: 0 }, "expected NAME[:ID]=DIR, e.g. west:1=examples/west");
  const id = m[2] === undefined ? undefined : Number(m[2]);
  if (id !== undefined && (id < 1 || id > 511))
    throw new InputError({ file: text, line: 0 }, `cluster ID must be 1..511, got ${id}`);
  return { path: text.slice(eq + 1), name: m[1]!, ...(id !== undefined ? { id } : {}) };
}

async function readDirectory(
  path: string,
  options: LoadOptions,
): Promise<{ snapshot: Snapshot; nodeList: MeshNodeEntry[]; preferred: PreferredBackends }> {
  const limits = { ...DEFAULT_UNPACK_LIMITS, ...options.limits };
  const found: { name: string; bytes: Uint8Array }[] = [];
  await regularFiles(path, limits.maxMemberBytes, found);
  const decoder = new TextDecoder("utf-8");
  const nodeList: MeshNodeEntry[] = [];
  const preferred = new Map<string, Set<number>>();
  const dumps = found.filter((f) => {
    if (f.bytes.subarray(0, 8192).includes(0)) return true;
    const text = decoder.decode(f.bytes);
    for (const [frontend, set] of preferredBackends(f.name, text)) preferred.set(frontend, set);
    if (!isNodeList(text)) return true;
    nodeList.push(...parseNodeList(text, f.name));
    return false;
  });
  if (dumps.length === 0)
    throw new InputError({ file: path, line: 0 }, "expected node dumps in the cluster directory, found none");
  return { snapshot: parseSnapshotFiles(dumps, { ...options, source: path }), nodeList, preferred };
}

/** Loads one cluster of a mesh; name and ID default to the agent configuration's. */
export async function loadMeshCluster(
  spec: MeshClusterSpec,
  options: LoadOptions = {},
): Promise<MeshClusterInputs> {
  const info = await stat(spec.path).catch(() => undefined);
  if (!info) throw new InputError({ file: spec.path, line: 0 }, "no such file or directory");
  const { snapshot, nodeList, preferred } = info.isDirectory()
    ? await readDirectory(spec.path, options)
    : { snapshot: await loadSnapshot(spec.path, options), nodeList: [], preferred: new Map() };
  const config = snapshot.nodes.map((n) => n.config).find((c) => c.clusterName || c.clusterId);
  const name = spec.name ?? config?.clusterName;
  if (!name)
    throw new InputError(
      { file: spec.path, line: 0 },
      "the cluster has no name: give it as NAME=DIR or dump the agent configuration (cluster-name)",
    );
  return { name, id: spec.id ?? config?.clusterId ?? 0, snapshot, nodeList, preferred };
}

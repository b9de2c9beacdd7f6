// The options every command shares for a mesh run: the clusters (`--mesh NAME[:ID]=DIR`, one per
// cluster), the global services' affinity and which clusters do not share theirs. Builds the Mesh.
import { Option, type Command } from "commander";
import { loadMeshCluster, parseMeshClusterSpec } from "../mesh/mesh-inputs.js";
import { Mesh, type MeshOptions } from "../mesh/mesh.js";
import { SERVICE_AFFINITIES, type ServiceAffinity } from "../mesh/select-backends.js";
import type { LoadOptions } from "../snapshot/load.js";
import { InputError } from "../snapshot/errors.js";
import { escapeForTerminal } from "../model/escape.js";
import { commandLine } from "./errors.js";
import { warningsSummary } from "./snapshot-warnings.js";

/** The mesh options as commander hands them over. */
export interface MeshCliOptions {
  readonly mesh?: readonly string[];
  readonly affinity?: string;
  readonly nonShared?: readonly string[];
}

/** Adds the mesh options to a command. */
export function addMeshOptions(command: Command): Command {
  return command
    .option("--mesh <name=dir...>", "a Cluster Mesh: one NAME[:ID]=DIR per cluster (e.g. west=… east=…)")
    .addOption(
      new Option(
        "--affinity <affinity>",
        "service.cilium.io/affinity of the global services (with --mesh; default: the dumps' (preferred) marks, else none)",
      ).choices([...SERVICE_AFFINITIES]),
    )
    .option(
      "--non-shared <cluster...>",
      "clusters whose global services are service.cilium.io/shared: false",
    );
}

/** Whether the command line asks for a mesh. */
export const wantsMesh = (o: MeshCliOptions): boolean => (o.mesh?.length ?? 0) > 0;

/**
 * Loads every cluster and builds the mesh; a bad spec, cluster or option is an InputError (exit 2).
 * Notes and warnings go to `note`, one line each.
 */
export async function buildMesh(
  command: string,
  o: MeshCliOptions,
  options: MeshOptions & LoadOptions,
  note: (line: string) => void,
): Promise<Mesh> {
  const specs = (o.mesh ?? []).map(parseMeshClusterSpec);
  if (specs.length < 2)
    throw new InputError(
      commandLine(command),
      "a mesh needs two or more clusters: give --mesh once per cluster",
    );
  const { lenient, limits, ...meshOptions } = options;
  const inputs = [];
  for (const spec of specs) {
    const cluster = await loadMeshCluster(spec, {
      ...(lenient !== undefined ? { lenient } : {}),
      ...(limits ? { limits } : {}),
    });
    // Every node of the cluster runs, so warnings about the one-node view do not apply.
    const warnings = cluster.snapshot.warnings.filter((w) => w.nodeView !== true);
    const warning = warningsSummary({ ...cluster.snapshot, warnings });
    if (warning) note(warning.replace(/^dpemu: /, `dpemu: cluster ${escapeForTerminal(cluster.name)}: `));
    inputs.push(cluster);
  }
  try {
    return await Mesh.build(inputs, {
      ...meshOptions,
      ...(o.affinity ? { affinity: o.affinity as ServiceAffinity } : {}),
      ...(o.nonShared ? { nonShared: o.nonShared } : {}),
    });
  } catch (error) {
    if (error instanceof Error && /^(no cluster|cluster ")/.test(error.message))
      throw new InputError(commandLine(command), error.message);
    throw error;
  }
}

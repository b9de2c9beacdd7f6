// `dpemu compare --mesh west=DIR --mesh east=DIR`: the mesh experiments — a cluster's backends scaled
// to 0 and back, the affinity flipped, the other cluster lost — for Maglev and random, from a client
// pod to a global service; printed as tables, as JSON with -o json, and as an HTML page with --html.
import { writeFile } from "node:fs/promises";
import { podNode } from "../cluster/cluster-trace.js";
import type { LbAlgorithm } from "../engine/state.js";
import { runMeshScenario, standardScenarios, type MeshScenarioResult } from "../mesh/mesh-experiment.js";
import type { Mesh } from "../mesh/mesh.js";
import { formatIPv4, parseIPv4 } from "../model/ipv4.js";
import { formatMeshHtml, formatMeshText } from "../report/mesh-report.js";
import { InputError } from "../snapshot/errors.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { commandLine } from "./errors.js";
import type { Command } from "commander";
import { addMeshOptions, buildMesh, wantsMesh, type MeshCliOptions } from "./mesh-options.js";
import { snapshotReadOptions } from "./unpack-limits-option.js";

/** The compare options a mesh comparison reads. */
export interface MeshCompareCliOptions extends MeshCliOptions {
  readonly clientPod?: string;
  readonly service?: readonly string[];
  readonly seed: string;
  readonly output?: string;
  readonly html?: string;
  readonly lenient?: boolean;
  readonly maxUnpacked?: Partial<UnpackLimits>;
}

const fail = (message: string) => new InputError(commandLine("compare"), message);

/** The client pod and the frontend: as asked, else the first pod that backs no global service. */
function endpoints(mesh: Mesh, o: MeshCompareCliOptions): { client: string; frontend: string } {
  const backends = new Set(mesh.services.flatMap((s) => s.backends.map((b) => b.address)));
  const pods = mesh.cluster.nodes.flatMap((n) => n.datapath.state.endpoints.filter((e) => !e.isHost));
  const client = o.clientPod ?? formatIPv4(pods.find((e) => !backends.has(e.address))?.address ?? 0);
  const node = podNode(mesh.cluster, parseIPv4(client) ?? 0);
  if (!node)
    throw fail(`no pod ${JSON.stringify(client)} in the mesh: name the client with --client-pod POD_IP`);
  const home = mesh.clusterOf(node)!.name;
  const frontend = o.service?.[0] ?? mesh.services.find((s) => s.frontends.has(home))?.frontends.get(home);
  if (!frontend) throw fail(`no global service in cluster ${home}: name one with --service IP:PORT`);
  return { client, frontend };
}

/** Runs the mesh experiments and prints them. */
export async function runMeshCompare(o: MeshCompareCliOptions, connections: number): Promise<void> {
  if (!Number.isInteger(connections) || connections < 1 || connections > 10_000)
    throw fail(`--connections must be an integer 1..10000 with --mesh, got ${connections}`);
  const size = Math.max(65536, 8 * connections);
  const build = (algorithm: LbAlgorithm) =>
    buildMesh(
      "compare",
      o,
      {
        seed: Number(o.seed),
        algorithm,
        ...snapshotReadOptions(o),
        dumpTime: 1000,
        config: { ctTcpMax: size, ctAnyMax: size, natMax: size },
      },
      () => undefined,
    );
  const first = await build("maglev");
  let client: string;
  let frontend: string;
  let names: string[];
  try {
    ({ client, frontend } = endpoints(first, o));
    const home = first.clusterOf(podNode(first.cluster, parseIPv4(client) ?? 0)!)!.name;
    names = [home, ...first.clusters.map((c) => c.name).filter((n) => n !== home)];
  } finally {
    first.dispose();
  }
  const results: MeshScenarioResult[] = [];
  for (const scenario of standardScenarios(names[0]!, names[1]!))
    for (const algorithm of ["maglev", "random"] as const)
      results.push(await runMeshScenario(scenario, algorithm, { build, client, frontend, connections }));
  const title = `${connections} connections from ${client} (cluster ${names[0]}) to ${frontend}; clusters ${names.join(", ")}`;
  if (o.html !== undefined) {
    const page = formatMeshHtml(title, results);
    if (o.html === "-") process.stdout.write(page);
    else await writeFile(o.html, page);
  }
  if (o.output === "json") process.stdout.write(`${JSON.stringify({ mesh: { title, results } })}\n`);
  else if (o.html !== "-") process.stdout.write(formatMeshText(title, results));
}

/** Adds the mesh options and the client pod (`--client-pod`) to `dpemu compare`. */
export function addMeshCompareOptions(command: Command): Command {
  return addMeshOptions(command).option(
    "--client-pod <ip>",
    "mesh experiments: the client pod (default: the first pod that is no backend)",
  );
}

/** `compare --mesh`: runs the mesh experiments; false when the command line asks for no mesh. */
export async function meshCompare(
  options: MeshCompareCliOptions & { readonly connections?: string },
  command: Command,
): Promise<boolean> {
  if (!wantsMesh(options)) return false;
  // Mesh runs trace every connection through several nodes: a smaller default.
  const given = command.getOptionValueSource("connections") === "cli";
  await runMeshCompare(options, given ? Number(options.connections) : 1000);
  return true;
}

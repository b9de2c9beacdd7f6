// `--node NAME`: which node's view of a snapshot a command takes. A sysdump names its nodes after
// the Cilium agent pods (`cilium-4xkhq`); the Kubernetes node name the pod ran on is accepted too
// where the snapshot records it (Snapshot.kubernetesNodes, from the sysdump's pod list).
import type { Snapshot } from "../model/snapshot.js";
import { InputError } from "../snapshot/errors.js";
import { commandLine } from "./errors.js";

/** The snapshot node `name` designates (itself, or the agent pod on Kubernetes node `name`). */
export function resolveNode(command: string, snapshot: Snapshot, name: string): string {
  if (snapshot.nodes.some((n) => n.name === name)) return name;
  const aliases = snapshot.kubernetesNodes ?? {};
  const pod = aliases[name];
  if (pod !== undefined && snapshot.nodes.some((n) => n.name === pod)) return pod;
  const known = snapshot.nodes.map((n) => {
    const k8s = Object.entries(aliases).find(([, p]) => p === n.name)?.[0];
    return k8s !== undefined ? `${n.name} (${k8s})` : n.name;
  });
  throw new InputError(
    commandLine(command),
    `--node ${JSON.stringify(name)}: no such node in the snapshot (nodes: ${known.join(", ")})`,
  );
}

// Which of a global service's backends a cluster programs, as Cilium's ClusterMesh backend selection
// decides (pkg/clustermesh/loadbalancer/selectbackends.go; docs/clustermesh.md, fact 4): the
// `service.cilium.io/affinity` annotation prefers the local or the remote cluster's backends and
// falls back to the others only when the preferred side has none; the filtered-out backends get no
// slot and no Maglev entry.
import { BackendState, type BackendStateValue } from "../model/backend.js";

/** `service.cilium.io/affinity`: prefer this cluster's backends, the others', or neither. */
export type ServiceAffinity = "none" | "local" | "remote";

/** Every affinity value, as the annotation spells it. */
export const SERVICE_AFFINITIES: readonly ServiceAffinity[] = ["none", "local", "remote"];

/** A backend as the selection sees it: whether it is this cluster's, and its state. */
export interface SelectableBackend {
  /** True for this cluster's own backends, false for those learned through Cluster Mesh. */
  readonly local: boolean;
  readonly state: BackendStateValue;
}

const healthy = (b: SelectableBackend): boolean =>
  b.state === BackendState.ACTIVE || b.state === BackendState.TERMINATING;

/**
 * The backends a cluster programs for a service: remote ones only when the service includes external
 * backends (`service.cilium.io/global`), then the affinity rule. Keeps the input order.
 */
export function selectBackends<T extends SelectableBackend>(
  backends: readonly T[],
  affinity: ServiceAffinity,
  includeExternal: boolean,
): T[] {
  let useLocal = true;
  let useRemote = includeExternal;
  if (includeExternal && affinity !== "none") {
    const remote = backends.filter((b) => !b.local && healthy(b)).length;
    const local = backends.filter((b) => b.local && healthy(b)).length;
    const localActive = backends.filter((b) => b.local && b.state === BackendState.ACTIVE).length;
    if (affinity === "local") useRemote = localActive === 0 && remote > 0;
    else useLocal = remote === 0 && local > 0;
  }
  return backends.filter((b) => (b.local ? useLocal : useRemote));
}

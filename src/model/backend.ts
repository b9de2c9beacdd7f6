// A service backend: one entry of cilium_lb4_backends_v3, with what the REST model adds.
import { joinHostPort, type IpFamily } from "./ip.js";
import type { L4Protocol } from "./protocol.js";

/**
 * A backend's state as `lb4_backend.flags` stores it (Cilium's loadbalancer.BackendState numbering):
 * the value {@link Datapath.setBackendState} and the backends map take.
 */
export const BackendState = { ACTIVE: 0, TERMINATING: 1, QUARANTINED: 2, MAINTENANCE: 3 } as const;

/** One of the {@link BackendState} numbers. */
export type BackendStateValue = (typeof BackendState)[keyof typeof BackendState];

/** A backend's state as the agent prints it (`service list`, the REST model). */
export type BackendStateName = "active" | "terminating" | "quarantined" | "maintenance";

/** The printed names, indexed by {@link BackendState} value. */
export const BACKEND_STATES: readonly BackendStateName[] = [
  "active",
  "terminating",
  "quarantined",
  "maintenance",
];

/** The lb4_backend.flags value of a printed state. */
export function backendStateFlag(state: BackendStateName): BackendStateValue {
  return BACKEND_STATES.indexOf(state) as BackendStateValue;
}

/** A service backend: one entry of cilium_lb4_backends_v3, with what the REST model adds. */
export interface Backend {
  readonly id: number;
  readonly address: string;
  readonly port: number;
  readonly protocol: L4Protocol;
  readonly family: IpFamily;
  readonly state: BackendStateName;
  /** Maglev weight (Cilium default 100). */
  readonly weight: number;
  /** ClusterMesh cluster of the backend (0 = local). */
  readonly clusterId: number;
  readonly zone?: string;
  readonly nodeName?: string;
}

/** `ip:port/PROTO`, as `service list` prints a backend. */
export function backendText(backend: Pick<Backend, "address" | "port" | "protocol">): string {
  return `${joinHostPort(backend.address, backend.port)}/${backend.protocol}`;
}
